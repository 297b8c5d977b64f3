"""A straightforward reference for the standings, to compare the lean
computation (`pledges.standings.compute`) with: every member's criteria scored
one by one from the model rows with `scoring.indicator_points`, added up with
`scoring.criterion_points`, people's scores given to `final_assessed` as the
plain list of Decimals, and each member's totals added in separate passes as the
stated rules read. The two must agree in every digit and exponent
(`canonical`)."""

from decimal import Decimal

from django.utils.translation import gettext

from pledges import ranking, scoring
from pledges.models import (
    Criterion,
    CriterionKind,
    Indicator,
    IndicatorResult,
    Report,
    Score,
    SelfScore,
    Target,
)
from pledges.standings import contributions
from pledges.standings.compute import final_assessed

ZERO = Decimal(0)
SCORED = (CriterionKind.INDICATOR, CriterionKind.ASSESSED)


def reference_standing(unit, lines, *, scale, bonus_cap, deduction_cap, bands=None):
    """`ranking.standing` as the rules read, one sum per pass."""
    scored = [line for line in lines if line.kind in SCORED]
    within = sum((line.points or ZERO for line in scored), ZERO)
    bonus = min(
        sum(
            (line.points or ZERO for line in lines if line.kind == "bonus"),
            ZERO,
        ),
        Decimal(bonus_cap),
    )
    deduction = min(
        sum(
            (line.points or ZERO for line in lines if line.kind == "deduction"),
            ZERO,
        ),
        Decimal(deduction_cap),
    )
    result = ranking.Standing(unit=unit, lines=lines, bonus=bonus, deduction=deduction)
    result.total = (within + bonus - deduction).quantize(ranking.CENT)
    result.indicator_points = sum(
        (line.points or ZERO for line in scored if line.kind == "indicator"), ZERO
    ).quantize(ranking.CENT)
    result.full_criteria = sum(
        1
        for line in scored
        if line.points is not None and line.points >= line.max_points
    )
    result.band = ranking.band_of(within + bonus - deduction, scale, lines, bands)
    return result


def reference_standings(term):
    """`compute_standings(term)` the long way."""
    criteria = list(
        Criterion.objects.filter(pledge__term=term).order_by(
            "section__position", "section_id", "position", "pk"
        )
    )
    indicators = list(
        Indicator.objects.filter(pledge__term=term).order_by("position", "pk")
    )
    targets = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.filter(indicator__pledge__term=term)
    }
    actuals = {
        (r.report.unit_id, r.indicator_id): r.actual
        for r in IndicatorResult.objects.filter(report__term=term).select_related(
            "report"
        )
    }
    people = {}
    for score in Score.objects.filter(report__term=term).select_related("report"):
        key = (score.report.unit_id, score.criterion_id)
        people.setdefault(key, {"peer": [], "reviewer": None})
        if score.kind == "reviewer":
            people[key]["reviewer"] = score.points
        elif score.kind == "peer":
            people[key]["peer"].append(score.points)
    selfs = {
        (s.report.unit_id, s.criterion_id): s.points
        for s in SelfScore.objects.filter(report__term=term).select_related("report")
    }
    late = {r.unit_id for r in Report.objects.filter(term=term, late=True)}
    elsewhere = contributions.criterion_points(term)
    bonuses = contributions.bonus_lines(term)
    standings = []
    for membership in term.memberships.select_related("unit").order_by("unit__name"):
        unit = membership.unit
        lines = []
        for criterion in criteria:
            if criterion.kind == CriterionKind.INDICATOR:
                own = [i for i in indicators if i.criterion_id == criterion.pk]
                shares = scoring.indicator_shares(
                    criterion.max_points, [i.weight for i in own]
                )
                parts = []
                for indicator, share in zip(own, shares, strict=True):
                    target = targets.get((unit.pk, indicator.pk))
                    parts.append(
                        scoring.indicator_points(
                            indicator,
                            share,
                            target.planned if target else None,
                            actuals.get((unit.pk, indicator.pk)),
                            target.last_actual if target else None,
                        )[1]
                    )
                points = scoring.criterion_points(criterion.max_points, parts)
            elif (unit.pk, criterion.pk) in elsewhere:
                points = elsewhere[unit.pk, criterion.pk]
            else:
                scores = people.get((unit.pk, criterion.pk), {})
                points = final_assessed(
                    term.assessed_method,
                    selfs.get((unit.pk, criterion.pk)),
                    scores.get("peer", []),
                    scores.get("reviewer"),
                )
            lines.append(
                ranking.Line(
                    criterion.code, criterion.kind, criterion.max_points, points
                )
            )
        if unit.pk in late and term.late_deduction_points:
            lines.append(
                ranking.Line(
                    gettext("late report"),
                    "deduction",
                    term.late_deduction_points,
                    term.late_deduction_points,
                )
            )
        for label, points in bonuses.get(unit.pk, ()):
            lines.append(ranking.Line(label, "bonus", points, points))
        standings.append(
            reference_standing(
                unit,
                lines,
                scale=term.total_points,
                bonus_cap=term.bonus_cap_points,
                deduction_cap=term.deduction_cap_points,
                bands=term.band_table,
            )
        )
    return ranking.rank(standings)


def canonical(standings):
    """Every field of `standings` as text (a Decimal's digits and exponent)."""
    return [
        (
            s.unit.pk,
            s.rank,
            str(s.total),
            s.band,
            str(s.bonus),
            str(s.deduction),
            str(s.indicator_points),
            s.full_criteria,
            s.shared,
            s.tie_note,
            [
                (ln.code, str(ln.kind), str(ln.max_points), str(ln.points))
                for ln in s.lines
            ],
        )
        for s in standings
    ]
