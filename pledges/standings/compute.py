"""The computation of a term's standings from plain rows.

Every table is read as tuples, never as model objects, except the member units
the standings hand back: at most eight queries plus the registered
contributions' (`contributions`), whatever the number of members. The tables
that grow with the members (targets, results, peer and reviewer scores) are read
straight from the cursor as ids, whole numbers and text (`_rows`); a figure
becomes a Decimal only when its result is scored. The scoring itself is
`pledges.scoring` and `pledges.ranking`, shared with the report form and the
exports."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from statistics import median
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    QuerySet,
    Sum,
    TextField,
    When,
)
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from clusters.models import AssessedMethod, Term, Unit

from .. import ranking, scoring
from ..models import (
    Criterion,
    CriterionKind,
    Indicator,
    IndicatorResult,
    Pledge,
    Report,
    Score,
    ScoreKind,
    ScoringRule,
    SelfScore,
    Target,
)
from ..ranking import Standing
from . import contributions

CENT = Decimal("0.01")
ZERO = Decimal(0)
ZERO_CENTS = Decimal("0.00")


class CriterionRow(NamedTuple):
    pk: int
    code: str
    kind: str
    max_points: Decimal


class IndicatorRow(NamedTuple):
    pk: int
    criterion_id: int
    direction: str
    rule: str
    params: dict
    weight: Decimal


def final_assessed(
    method: str,
    self_score: Decimal | None,
    peer_points: Sequence[Decimal] | None,
    reviewer_points: Decimal | None,
) -> Decimal | None:
    """The final points of a scored-by-people criterion under the term's method;
    a reviewer's score (given with a reason) always prevails."""
    if reviewer_points is not None:
        return reviewer_points
    if method == AssessedMethod.SELF_ACCEPTED:
        return self_score
    if method == AssessedMethod.REVIEWER:
        return None
    if not peer_points:
        return None
    if method == AssessedMethod.PEER_MEDIAN:
        return Decimal(median(peer_points)).quantize(CENT)
    return (sum(peer_points, Decimal(0)) / len(peer_points)).quantize(CENT)


@lru_cache(maxsize=4096)
def peer_mean(cents: int, count: int) -> Decimal:
    """The mean of `count` peer scores adding up to `cents` whole cents, to the
    cent, half to even: exactly ``(Decimal(cents) / 100 / count).quantize(CENT)``
    (`final_assessed`), in whole numbers. Remembered: the members of a term
    share few distinct sums (a Decimal is immutable, so one object serves
    them all)."""
    whole, rest = divmod(cents, count)
    if 2 * rest > count or (2 * rest == count and whole % 2):
        whole += 1
    if whole == 0 and cents < 0:
        return ZERO_CENTS.copy_negate()  # as Decimal division gives it
    return Decimal(whole).scaleb(-2)


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of `queryset` (a `values_list`) as the database driver gives
    them, without the ORM's per-row converters: only for columns that need none
    (ids, whole numbers, text)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _text(expression: Any) -> Cast:
    """A decimal column as text, which `Decimal` reads back to its value (on
    PostgreSQL the very digits; SQLite keeps decimals as floats and gives their
    15 significant digits, as the ORM's Decimal does): cheaper to fetch than the
    driver's Decimal, and converted only when used."""
    return Cast(expression, output_field=TextField())


def compute_standings(term: Term) -> list[Standing]:
    """Every member's standing in `term`, ranked (`ranking.rank`): indicator
    criteria scored from targets and actuals, criteria scored by people from
    self, peer and reviewer scores under the term's method (or from a
    registered contribution), the late deduction of a late report and the
    registered bonus lines."""
    pledge_id = (
        Pledge.objects.filter(term_id=term.pk).values_list("pk", flat=True).first()
    )
    if pledge_id is None:
        return []
    criteria = [
        CriterionRow(*row)
        for row in Criterion.objects.filter(pledge_id=pledge_id)
        .order_by("section__position", "section_id", "position", "pk")
        .values_list("pk", "code", "kind", "max_points")
    ]
    indicators: dict[int, list[IndicatorRow]] = {}
    for row in (
        Indicator.objects.filter(pledge_id=pledge_id)
        .order_by("position", "pk")
        .values_list("pk", "criterion_id", "direction", "rule", "params", "weight")
    ):
        indicators.setdefault(row[1], []).append(IndicatorRow(*row))
    units = list(Unit.objects.filter(memberships__term_id=term.pk).order_by("name"))
    shares: dict[int, Decimal] = {}
    for c in criteria:
        rows = indicators.get(c.pk, ())
        shares.update(
            zip(
                (i.pk for i in rows),
                scoring.indicator_shares(c.max_points, [i.weight for i in rows]),
                strict=True,
            )
        )
    # {indicator id: (its criterion's id, its scorer)} of the indicators of
    # indicator criteria: every result is scored once, and its points added to
    # its member's criterion. The order of the additions does not matter: the
    # points are whole cents, added exactly (`scoring.criterion_points`).
    scorers = {
        i.pk: (c.pk, scoring.indicator_scorer(i, shares[i.pk]))
        for c in criteria
        if c.kind == CriterionKind.INDICATOR
        for i in indicators.get(c.pk, ())
    }
    # {(unit id, indicator id): the text of the target's figure the indicator's
    # rule compares the actual with — last year's actual under the growth
    # rule, the plan under the others (`scoring.indicator_points`)}, looked up
    # by each result: a result without a target or a figure scores nothing,
    # and so does a target without a result (`scoring.indicator_scorer` gives
    # None), so neither is read.
    basis = Case(
        When(indicator__rule=ScoringRule.GROWTH, then=F("last_actual")),
        default=F("planned"),
    )
    plans = {
        (unit_id, indicator_id): figure
        for unit_id, indicator_id, figure in _rows(
            Target.objects.filter(indicator__pledge_id=pledge_id)
            .annotate(basis=_text(basis))
            .filter(basis__isnull=False)
            .values_list("unit_id", "indicator_id", "basis")
        )
    }
    sums: dict[int, dict[int, Decimal]] = {}
    for unit_id, indicator_id, actual in _rows(
        IndicatorResult.objects.filter(
            report__term_id=term.pk, actual__isnull=False
        ).values_list("report__unit_id", "indicator_id", _text("actual"))
    ):
        scorer = scorers.get(indicator_id)
        figure = plans.get((unit_id, indicator_id))
        if scorer is None or figure is None:
            continue
        points = scorer[1](figure, actual, figure)  # (planned, actual, last_actual)
        if points is not None:
            sums_of = sums.setdefault(unit_id, {})
            sums_of[scorer[0]] = sums_of.get(scorer[0], ZERO) + points
    late = term.late_deduction_points
    late_units = (
        set(
            Report.objects.filter(term_id=term.pk, late=True)
            .order_by()
            .values_list("unit_id", flat=True)
        )
        if late
        else set()
    )
    # {unit id: {criterion id: points}} of the criteria scored by people
    # (`final_assessed`, or a registered contribution), for the members and
    # criteria with any score: without one, `final_assessed` gives None.
    assessed: dict[int, dict[int, Decimal | None]] = {}
    method = term.assessed_method
    if any(c.kind != CriterionKind.INDICATOR for c in criteria):
        _scored_by_people(term, method, assessed)
    elsewhere = contributions.criterion_points(term)
    for (unit_id, criterion_id), points in elsewhere.items():
        assessed.setdefault(unit_id, {})[criterion_id] = points
    bonuses = contributions.bonus_lines(term)
    late_label = str(_("late report"))
    bands = term.band_table
    scale = term.total_points
    bonus_cap, deduction_cap = term.bonus_cap_points, term.deduction_cap_points
    # (id, code, kind, max, scored by indicators) of every criterion.
    heads = [
        (c.pk, c.code, c.kind, c.max_points, c.kind == CriterionKind.INDICATOR)
        for c in criteria
    ]
    no_sums: dict[int, Decimal] = {}
    no_points: dict[int, Decimal | None] = {}
    standings = []
    for unit in units:
        unit_id = unit.pk
        sums_of = sums.get(unit_id, no_sums)
        points_of = assessed.get(unit_id, no_points)
        lines = [
            ranking.Line(
                code,
                kind,
                max_points,
                # scoring.criterion_points of the criterion's indicators
                min(sums_of.get(pk, ZERO), max_points)
                if by_indicators
                else points_of.get(pk),
            )
            for pk, code, kind, max_points, by_indicators in heads
        ]
        if unit_id in late_units:
            lines.append(ranking.Line(late_label, CriterionKind.DEDUCTION, late, late))
        for label, points in bonuses.get(unit_id, ()):
            lines.append(ranking.Line(label, CriterionKind.BONUS, points, points))
        standings.append(
            ranking.standing(
                unit,
                lines,
                scale=scale,
                bonus_cap=bonus_cap,
                deduction_cap=deduction_cap,
                bands=bands,
            )
        )
    return ranking.rank(standings)


def _scored_by_people(
    term: Term, method: str, assessed: dict[int, dict[int, Decimal | None]]
) -> None:
    """Put into `assessed` ({unit id: {criterion id: points}}) the points of
    `term`'s criteria scored by people (`final_assessed`), for every member and
    criterion with a score that counts under `method`. Peer and reviewer scores
    are added up in SQL, one row per member, criterion and kind: their sum in
    whole cents (exact: points have two decimals) and how many."""
    scores = Score.objects.filter(report__term_id=term.pk).order_by()
    kinds = [ScoreKind.REVIEWER]
    if method == AssessedMethod.PEER_MEAN:
        kinds.append(ScoreKind.PEER)
    cents = Cast(Round(F("points") * 100), IntegerField())
    reviewer: dict[tuple[int, int], Decimal] = {}
    for unit_id, criterion_id, kind, total, count in _rows(
        scores.filter(kind__in=kinds)
        .values("report__unit_id", "criterion_id", "kind")
        .annotate(total=Sum(cents), count=Count("pk"))
        .values_list("report__unit_id", "criterion_id", "kind", "total", "count")
    ):
        if kind == ScoreKind.REVIEWER:
            reviewer[unit_id, criterion_id] = Decimal(total).scaleb(-2)
        else:  # `final_assessed` of peer scores without a reviewer's
            assessed.setdefault(unit_id, {})[criterion_id] = peer_mean(total, count)
    if method == AssessedMethod.PEER_MEAN:
        for (unit_id, criterion_id), points in reviewer.items():
            assessed.setdefault(unit_id, {})[criterion_id] = points  # prevails
        return
    selfs: dict[tuple[int, int], Decimal | None] = {}
    peers: dict[tuple[int, int], list[Decimal]] = {}
    if method == AssessedMethod.SELF_ACCEPTED:
        # Self-scores count only under this method (`final_assessed`).
        selfs = {
            (unit_id, criterion_id): points
            for unit_id, criterion_id, points in SelfScore.objects.filter(
                report__term_id=term.pk
            ).values_list("report__unit_id", "criterion_id", "points")
        }
    elif method == AssessedMethod.PEER_MEDIAN:
        for unit_id, criterion_id, points in scores.filter(
            kind=ScoreKind.PEER
        ).values_list("report__unit_id", "criterion_id", "points"):
            peers.setdefault((unit_id, criterion_id), []).append(points)
    for key in selfs.keys() | peers.keys() | reviewer.keys():
        assessed.setdefault(key[0], {})[key[1]] = final_assessed(
            method, selfs.get(key), peers.get(key, ()), reviewer.get(key)
        )
