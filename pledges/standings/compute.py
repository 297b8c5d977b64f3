"""The computation of a term's standings from plain rows.

Every table is read as tuples (`values_list`), never as model objects, except
the member units the standings hand back: at most nine queries plus the
registered contributions' (`contributions`), whatever the number of members. The scoring
itself is `pledges.scoring` and `pledges.ranking`, shared with the report form
and the exports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from decimal import Decimal
from functools import lru_cache
from statistics import median
from typing import NamedTuple

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, When
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
    peer_points: Sequence[Decimal] | PeerSum | None,
    reviewer_points: Decimal | None,
) -> Decimal | None:
    """The final points of a scored-by-people criterion under the term's method;
    a reviewer's score (given with a reason) always prevails. `peer_points` is
    the list of peer scores, or their `PeerSum`."""
    if reviewer_points is not None:
        return reviewer_points
    if method == AssessedMethod.SELF_ACCEPTED:
        return self_score
    if method == AssessedMethod.REVIEWER:
        return None
    if isinstance(peer_points, PeerSum):
        return peer_points.mean()
    if not peer_points:
        return None
    if method == AssessedMethod.PEER_MEDIAN:
        return Decimal(median(peer_points)).quantize(CENT)
    return (sum(peer_points, Decimal(0)) / len(peer_points)).quantize(CENT)


class PeerSum(NamedTuple):
    """The peer scores of one member's criterion, added up in SQL: their sum
    (exact: whole cents) and how many (not `count`, a tuple's method)."""

    cents: int
    scores: int

    def mean(self) -> Decimal:
        """The mean to the cent, half to even: the same as
        ``(Decimal(cents) / 100 / scores).quantize(CENT)``, in whole numbers."""
        return _mean(self.cents, self.scores)


@lru_cache(maxsize=4096)
def _mean(cents: int, count: int) -> Decimal:
    """`PeerSum.mean`, remembered: the members of a term share few distinct
    sums (a Decimal is immutable, so one object serves them all)."""
    whole, rest = divmod(cents, count)
    if 2 * rest > count or (2 * rest == count and whole % 2):
        whole += 1
    if whole == 0 and cents < 0:
        return ZERO_CENTS.copy_negate()  # as Decimal division gives it
    return Decimal(whole).scaleb(-2)


def _peer_sums(scores: QuerySet[Score]) -> dict[tuple[int, int], PeerSum]:
    """{(unit id, criterion id): PeerSum} of the peer scores in `scores`: one
    row per member and criterion instead of one per score."""
    cents = Cast(Round(F("points") * 100), IntegerField())
    rows = (
        scores.filter(kind="peer")
        .values("report__unit_id", "criterion_id")
        .annotate(total=Sum(cents), count=Count("pk"))
        .values_list("report__unit_id", "criterion_id", "total", "count")
        .order_by()
    )
    # Four whole numbers a row, as the database gives them: the query's own
    # SQL on a cursor, without the ORM's per-row converters (int() of an int).
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (unit_id, criterion_id): PeerSum(total, count)
            for unit_id, criterion_id, total, count in cursor.fetchall()
        }


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
    # {(unit id, indicator id): the target's figure the indicator's rule
    # compares the actual with — last year's actual under the growth rule, the
    # plan under the others (`scoring.indicator_points`)}, looked up by each
    # result: a result without a target scores nothing, and so does a target
    # without a result (`scoring.indicator_scorer` gives None).
    basis = Case(
        When(indicator__rule=ScoringRule.GROWTH, then=F("last_actual")),
        default=F("planned"),
        output_field=Target._meta.get_field("planned"),
    )
    plans = {
        (unit_id, indicator_id): figure
        for unit_id, indicator_id, figure in Target.objects.filter(
            indicator__pledge_id=pledge_id
        )
        .annotate(basis=basis)
        .values_list("unit_id", "indicator_id", "basis")
    }
    results = IndicatorResult.objects.filter(report__term_id=term.pk).values_list(
        "report__unit_id", "indicator_id", "actual"
    )
    late = term.late_deduction_points
    late_units = (
        set(
            Report.objects.filter(term_id=term.pk, late=True).values_list(
                "unit_id", flat=True
            )
        )
        if late
        else set()
    )
    method = term.assessed_method
    by_people = any(c.kind != CriterionKind.INDICATOR for c in criteria)
    # {(unit id, criterion id): points}; the peer scores as a list of points
    # (median) or, under the mean, as `peer_sums`.
    selfs: dict[tuple[int, int], Decimal | None] = {}
    peers: Mapping[tuple[int, int], Sequence[Decimal] | PeerSum] = {}
    peer_sums: dict[tuple[int, int], PeerSum] = {}
    reviewer: dict[tuple[int, int], Decimal] = {}
    if by_people and method == AssessedMethod.SELF_ACCEPTED:
        # Self-scores count only under this method (`final_assessed`).
        selfs = {
            (unit_id, criterion_id): points
            for unit_id, criterion_id, points in SelfScore.objects.filter(
                report__term_id=term.pk
            ).values_list("report__unit_id", "criterion_id", "points")
        }
    if by_people:
        scores = Score.objects.filter(report__term_id=term.pk)
        reviewer = {
            (unit_id, criterion_id): points
            for unit_id, criterion_id, points in scores.filter(
                kind="reviewer"
            ).values_list("report__unit_id", "criterion_id", "points")
        }
        if method == AssessedMethod.PEER_MEAN:
            peers = peer_sums = _peer_sums(scores)
        elif method == AssessedMethod.PEER_MEDIAN:
            peer_lists: dict[tuple[int, int], list[Decimal]] = {}
            for unit_id, criterion_id, points in scores.filter(kind="peer").values_list(
                "report__unit_id", "criterion_id", "points"
            ):
                peer_lists.setdefault((unit_id, criterion_id), []).append(points)
            peers = peer_lists
    elsewhere = contributions.criterion_points(term)
    bonuses = contributions.bonus_lines(term)
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
    sums: dict[int, dict[int, Decimal]] = {}
    for unit_id, indicator_id, actual in results:
        scorer = scorers.get(indicator_id)
        if scorer is None:
            continue
        figure = plans.get((unit_id, indicator_id))
        points = scorer[1](figure, actual, figure)  # (planned, actual, last_actual)
        if points is not None:
            sums_of = sums.setdefault(unit_id, {})
            sums_of[scorer[0]] = sums_of.get(scorer[0], ZERO) + points
    # {unit id: {criterion id: points}} of the criteria scored by people
    # (`final_assessed`, or a registered contribution), for the members and
    # criteria with any score: without one, `final_assessed` gives None.
    assessed: dict[int, dict[int, Decimal | None]] = {}
    keys: Set[tuple[int, int]] = selfs.keys() | peers.keys() | reviewer.keys()
    if method == AssessedMethod.PEER_MEAN:
        # `final_assessed` without a reviewer's score (no self-score counts):
        # the mean; then the reviewer's scores, which prevail.
        for (unit_id, criterion_id), peer in peer_sums.items():
            assessed.setdefault(unit_id, {})[criterion_id] = peer.mean()
        keys = reviewer.keys()
    for key in keys:
        assessed.setdefault(key[0], {})[key[1]] = final_assessed(
            method, selfs.get(key), peers.get(key, ()), reviewer.get(key)
        )
    for (unit_id, criterion_id), points in elsewhere.items():
        assessed.setdefault(unit_id, {})[criterion_id] = points
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
        if unit_id in late_units and late:
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
