"""Scoring rules as pure functions: the one place that turns an
indicator's plan and actual into points, used by the report form, the ranking
and the exports alike."""

from decimal import Decimal
from fractions import Fraction

from .models import Direction, ScoringRule

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def achievement(direction, planned, actual):
    """Achievement in % of plan: actual / plan (plan / actual when lower is
    better). None when it cannot be computed; infinite for a perfect 0 on a
    lower-is-better indicator."""
    if planned is None or actual is None:
        return None
    planned, actual = Decimal(planned), Decimal(actual)
    if direction == Direction.LOWER:
        if actual == 0:
            return Decimal("Infinity")
        return planned / actual * HUNDRED
    if planned == 0:
        return None
    return actual / planned * HUNDRED


def growth(direction, last_actual, actual):
    """Growth over last year's actual in %: (actual − last) / last × 100, or
    the reduction (last − actual) / last × 100 when lower is better. None when
    either is missing. From a last year of 0, any rise is infinite growth (and
    any rise of a lower-is-better figure an infinite fall); no change is 0."""
    if last_actual is None or actual is None:
        return None
    last, actual = Decimal(last_actual), Decimal(actual)
    change = actual - last if direction != Direction.LOWER else last - actual
    if last == 0:
        if change == 0:
            return Decimal(0)
        return Decimal("Infinity") if change > 0 else Decimal("-Infinity")
    return change / last * HUNDRED


def growth_full(params):
    """The growth in % over last year's actual that earns full points [10]."""
    return Decimal(str((params or {}).get("full", 10)))


def points_for(rule, params, max_points, achieved):
    """Points for an achievement under `rule`, `max_points` being the
    indicator's share of its criterion: proportional (share × min(a, cap) / 100,
    0 below the floor; a cap above 100 lets over-achievement earn up to
    share × cap / 100), threshold (all at 100 % or more), bands ((minimum %,
    share %) pairs, never above the share) or growth, where `achieved` is the
    growth over last year's actual (`growth`): the full share at `full` % or
    more, in proportion below it, nothing at 0 % or less. The criterion's own
    maximum is applied by `criterion_points`."""
    if achieved is None:
        return None
    return rule_scorer(rule, params, max_points)(achieved)


def rule_scorer(rule, params, max_points):
    """A function of the achievement giving `points_for(rule, params,
    max_points, achievement)`, with the rule's parameters read once (for
    scoring one indicator of many members)."""
    params = params or {}
    max_points = Decimal(max_points)
    zero = Decimal(0)
    if rule == ScoringRule.GROWTH:
        full = growth_full(params)

        def points(achieved):
            if achieved <= 0:
                return zero
            if full <= 0 or achieved >= full:
                return max_points
            return max_points * achieved / full

    elif rule == ScoringRule.THRESHOLD:

        def points(achieved):
            return max_points if achieved >= HUNDRED else zero

    elif rule == ScoringRule.BANDS:
        steps = [
            (Decimal(str(low)), Decimal(str(s)))
            for low, s in sorted(params.get("bands", []), reverse=True)
        ]

        def points(achieved):
            share = next((s for low, s in steps if achieved >= low), zero)
            return min(max_points * share / HUNDRED, max_points)

    else:
        cap, floor = proportional_cap_floor(params)

        def points(achieved):
            if achieved < floor:
                return zero
            return max_points * min(achieved, cap) / HUNDRED

    def score(achieved):
        if achieved is None:
            return None
        return points(achieved).quantize(CENT)

    return score


def proportional_cap_floor(params):
    """(cap, floor) in % of plan of a proportional rule: [100] and [50]."""
    params = params or {}
    return (
        Decimal(str(params.get("cap", 100))),
        Decimal(str(params.get("floor", 50))),
    )


def criterion_points(max_points, parts):
    """An indicator criterion's points: the sum of its indicators' points
    (missing ones count 0), never above the criterion's max."""
    total = sum((p for p in parts if p is not None), Decimal(0))
    return min(total, Decimal(max_points))


def indicator_points(indicator, share_of_max, planned, actual, last_actual=None):
    """(achievement in % of plan, points) of one indicator given its share of
    its criterion's maximum; a growth rule scores the growth over
    `last_actual` (the target's last year's actual) instead of the plan."""
    achieved = achievement(indicator.direction, planned, actual)
    if indicator.rule == ScoringRule.GROWTH:
        rate = growth(indicator.direction, last_actual, actual)
        return achieved, points_for(
            indicator.rule, indicator.params, share_of_max, rate
        )
    return achieved, points_for(
        indicator.rule, indicator.params, share_of_max, achieved
    )


def indicator_scorer(indicator, share_of_max):
    """A function (planned, actual, last_actual) -> the points
    `indicator_points` gives (its second item), with the indicator's rule read
    once (for scoring one indicator of many members)."""
    direction = indicator.direction
    score = rule_scorer(indicator.rule, indicator.params, share_of_max)
    if indicator.rule == ScoringRule.GROWTH:
        return lambda planned, actual, last_actual: score(
            growth(direction, last_actual, actual)
        )
    return lambda planned, actual, last_actual: score(
        achievement(direction, planned, actual)
    )


def indicator_shares(max_points, weights):
    """Each indicator's share of its criterion's maximum, in the order of
    `weights` (all > 0): shareᵢ = max × wᵢ / Σw, the exact fraction rounded
    once, so equal weights give max / n exactly as before weights existed and
    weights scaled by a constant give the same shares."""
    weights = [Fraction(Decimal(w)) for w in weights]
    total = sum(weights)
    if not total:
        return [Decimal(0)] * len(weights)
    shares = []
    for weight in weights:
        share = Fraction(Decimal(max_points)) * weight / total
        shares.append(Decimal(share.numerator) / Decimal(share.denominator))
    return shares


def indicator_share(criterion, indicator_count):
    """Each of `indicator_count` equally weighted indicators' share of a
    criterion's maximum (`indicator_shares` with weights of 1)."""
    if not indicator_count:
        return Decimal(0)
    return indicator_shares(criterion.max_points, [1] * indicator_count)[0]


def meets_plan(direction, planned, actual):
    """True when `actual` is on plan or better (at most the plan when lower is
    better, at least the plan otherwise); None when either is missing."""
    if planned is None or actual is None:
        return None
    if direction == Direction.LOWER:
        return Decimal(actual) <= Decimal(planned)
    return Decimal(actual) >= Decimal(planned)
