"""The computation of a term's standings from plain rows.

Every table is read as tuples, never as model objects, except the member units
the standings hand back: at most nine queries plus the registered
contributions' (`contributions`), whatever the number of members. The pledge,
its criteria and indicators, targets, results, late reports, the sums of peer
and reviewer scores and the member units (`Unit.objects.raw`) are read with
plain SQL (below; PostgreSQL and SQLite alike), whose rows are ids, whole
numbers and text: building these queries with the ORM costs more than running
them, and a figure becomes a Decimal only when its result is scored (or found
in `SCORED`). The scoring itself is `pledges.scoring` and `pledges.ranking`,
shared with the report form and the exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from statistics import median
from typing import NamedTuple

from django.utils.translation import gettext as _

from clusters.models import AssessedMethod, Term, Unit
from core.sql import fetch_rows

from .. import ranking, scoring
from ..models import (
    CriterionKind,
    Score,
    ScoreKind,
    ScoringRule,
    SelfScore,
)
from ..ranking import Standing
from . import contributions

CENT = Decimal("0.01")
ZERO = Decimal(0)
ZERO_CENTS = Decimal("0.00")

# Figures come as text (CAST … AS TEXT), which `Decimal` reads back to their
# value: on PostgreSQL the very digits; SQLite keeps decimals as floats and
# gives their 15 significant digits, as the ORM's Decimal does.
PLEDGE_SQL = "SELECT id FROM pledges_pledge WHERE term_id = %s"
# A pledge's criteria in the order of the pledge, and its indicators (their
# parameters as JSON text).
CRITERIA_SQL = """
    SELECT c.id, c.code, c.kind, CAST(c.max_points AS TEXT)
    FROM pledges_criterion c JOIN pledges_section s ON s.id = c.section_id
    WHERE c.pledge_id = %s ORDER BY s.position, c.section_id, c.position, c.id"""
INDICATORS_SQL = """
    SELECT id, criterion_id, direction, rule, CAST(params AS TEXT),
        CAST(weight AS TEXT)
    FROM pledges_indicator WHERE pledge_id = %s ORDER BY position, id"""
# The member units, by name.
UNITS_SQL = """
    SELECT u.* FROM clusters_unit u JOIN clusters_membership m ON m.unit_id = u.id
    WHERE m.term_id = %s ORDER BY u.name"""
# (unit id, indicator id, the figure of the target that the indicator's rule
# compares the actual with: last year's actual under the growth rule, the
# plan under the others) of a pledge's targets.
BASIS_SQL = """
    SELECT t.unit_id, t.indicator_id,
        CAST(CASE WHEN i.rule = %s THEN t.last_actual ELSE t.planned END AS TEXT)
    FROM pledges_target t JOIN pledges_indicator i ON i.id = t.indicator_id
    WHERE i.pledge_id = %s"""
# (unit id, indicator id, actual) of a term's results with an actual.
RESULTS_SQL = """
    SELECT r.unit_id, ir.indicator_id, CAST(ir.actual AS TEXT)
    FROM pledges_indicatorresult ir JOIN pledges_report r ON r.id = ir.report_id
    WHERE r.term_id = %s AND ir.actual IS NOT NULL"""
LATE_SQL = "SELECT unit_id FROM pledges_report WHERE term_id = %s AND late"
# (unit id, criterion id, the reviewer's points in whole cents or NULL, the
# sum of peer scores in whole cents, their count) of a term's scores of two
# kinds (reviewer and peer, or reviewer twice for the reviewer's alone): exact,
# as points have two decimals.
SCORE_SUMS_SQL = """
    SELECT r.unit_id, s.criterion_id,
        SUM(CASE WHEN s.kind = %s THEN CAST(ROUND(s.points * 100) AS INTEGER) END),
        SUM(CASE WHEN s.kind = %s THEN CAST(ROUND(s.points * 100) AS INTEGER) END),
        COUNT(CASE WHEN s.kind = %s THEN 1 END)
    FROM pledges_score s JOIN pledges_report r ON r.id = s.report_id
    WHERE r.term_id = %s AND s.kind IN (%s, %s)
    GROUP BY r.unit_id, s.criterion_id"""


class ScoredMemo:
    """The points of indicator results scored in this process, remembered for
    the next computation of their term: a write changes one result, not the
    hundreds the term has. {(rule, parameters, direction, share): {(figure,
    actual): points}}, keyed by everything `scoring.indicator_scorer` reads, so
    a remembered value is the value computed; emptied whenever more than
    `limit` results were added (10,000 take about 4 MB)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.by_scoring: dict[tuple, dict[tuple[str, str], Decimal | None]] = {}

    def of(
        self, indicator: IndicatorRow, share: Decimal
    ) -> dict[tuple[str, str], Decimal | None]:
        """{(figure, actual): points} of `indicator` scored with `share`."""
        params = json.dumps(indicator.params, sort_keys=True)
        key = (indicator.rule, params, indicator.direction, share)
        return self.by_scoring.setdefault(key, {})

    def added(self, count: int) -> None:
        """Note that `count` results were added; empty the memo past the limit."""
        self.size += count
        if self.size > self.limit:
            self.by_scoring.clear()
            self.size = 0


SCORED = ScoredMemo(limit=10_000)


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


def compute_standings(term: Term) -> list[Standing]:
    """Every member's standing in `term`, ranked (`ranking.rank`): indicator
    criteria scored from targets and actuals, criteria scored by people from
    self, peer and reviewer scores under the term's method (or from a
    registered contribution), the late deduction of a late report and the
    registered bonus lines."""
    pledge = fetch_rows(PLEDGE_SQL, [term.pk])
    if not pledge:
        return []
    pledge_id = pledge[0][0]
    # The maximum to the cent as the field holds it (SQLite gives "10" for 10.00).
    criteria = [
        CriterionRow(pk, code, kind, Decimal(max_points).quantize(CENT))
        for pk, code, kind, max_points in fetch_rows(CRITERIA_SQL, [pledge_id])
    ]
    indicators: dict[int, list[IndicatorRow]] = {}
    for pk, criterion_id, direction, rule, params, weight in fetch_rows(
        INDICATORS_SQL, [pledge_id]
    ):
        indicators.setdefault(criterion_id, []).append(
            IndicatorRow(
                pk, criterion_id, direction, rule, json.loads(params), Decimal(weight)
            )
        )
    units = list(Unit.objects.raw(UNITS_SQL, [term.pk]))
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
    # {indicator id: (its criterion's id, its scorer, its remembered points)} of
    # the indicators of indicator criteria: every result is scored once (or
    # found in `SCORED`), and its points added to its member's criterion. The
    # order of the additions does not matter: the points are whole cents,
    # added exactly (`scoring.criterion_points`).
    scorers = {
        i.pk: (
            c.pk,
            scoring.indicator_scorer(i, shares[i.pk]),
            SCORED.of(i, shares[i.pk]),
        )
        for c in criteria
        if c.kind == CriterionKind.INDICATOR
        for i in indicators.get(c.pk, ())
    }
    # {(unit id, indicator id): the text of the target's figure the indicator's
    # rule compares the actual with (`scoring.indicator_points`)}, looked up by
    # each result: a result without a target, a figure or an actual scores
    # nothing, and so does a target without a result (`indicator_scorer`
    # gives None).
    plans = {
        (unit_id, indicator_id): figure
        for unit_id, indicator_id, figure in fetch_rows(
            BASIS_SQL, [ScoringRule.GROWTH, pledge_id]
        )
    }
    sums: dict[int, dict[int, Decimal]] = {}
    scored = 0
    for unit_id, indicator_id, actual in fetch_rows(RESULTS_SQL, [term.pk]):
        scorer = scorers.get(indicator_id)
        figure = plans.get((unit_id, indicator_id))
        if scorer is None or figure is None:
            continue
        remembered, key = scorer[2], (figure, actual)
        if key in remembered:
            points = remembered[key]
        else:  # (planned, actual, last_actual)
            points = remembered[key] = scorer[1](figure, actual, figure)
            scored += 1
        if points is not None:
            sums_of = sums.setdefault(unit_id, {})
            sums_of[scorer[0]] = sums_of.get(scorer[0], ZERO) + points
    SCORED.added(scored)
    late = term.late_deduction_points
    late_units = {row[0] for row in fetch_rows(LATE_SQL, [term.pk])} if late else set()
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
    # (code, kind, max) of every criterion: one tuple, the heads of every
    # member's lines (`ranking.Lines`); and (id, max, scored by indicators).
    heads = tuple((c.code, c.kind, c.max_points) for c in criteria)
    columns = [
        (c.pk, c.max_points, c.kind == CriterionKind.INDICATOR) for c in criteria
    ]
    no_sums: dict[int, Decimal] = {}
    no_points: dict[int, Decimal | None] = {}
    standings = []
    for unit in units:
        unit_id = unit.pk
        sums_of = sums.get(unit_id, no_sums)
        points_of = assessed.get(unit_id, no_points)
        row = tuple(
            # scoring.criterion_points of the criterion's indicators
            min(sums_of.get(pk, ZERO), max_points)
            if by_indicators
            else points_of.get(pk)
            for pk, max_points, by_indicators in columns
        )
        # (label, kind, max = points) of the late deduction and the bonuses.
        extra = [
            (label, CriterionKind.BONUS, p) for label, p in bonuses.get(unit_id, ())
        ]
        if unit_id in late_units:
            extra.insert(0, (late_label, CriterionKind.DEDUCTION, late))
        if extra:
            lines = ranking.Lines(
                heads + tuple(extra), row + tuple(e[2] for e in extra)
            )
        else:
            lines = ranking.Lines(heads, row)
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
    are added up in SQL, one row per member and criterion: the reviewer's in
    whole cents, the sum of peer scores in whole cents and how many
    (`SCORE_SUMS_SQL`): peer scores only under the mean of peer scores."""
    mean = method == AssessedMethod.PEER_MEAN
    reviewer: dict[tuple[int, int], Decimal] = {}
    for unit_id, criterion_id, reviewer_cents, peer_cents, peer_count in fetch_rows(
        SCORE_SUMS_SQL,
        [
            *(ScoreKind.REVIEWER, ScoreKind.PEER, ScoreKind.PEER),
            *(term.pk, ScoreKind.REVIEWER),
            ScoreKind.PEER if mean else ScoreKind.REVIEWER,
        ],
    ):
        if reviewer_cents is not None:
            points = Decimal(reviewer_cents).scaleb(-2)
            if mean:  # `final_assessed`: the reviewer's prevails
                assessed.setdefault(unit_id, {})[criterion_id] = points
            else:
                reviewer[unit_id, criterion_id] = points
        elif peer_count:  # `final_assessed` of peer scores (fetched if mean)
            assessed.setdefault(unit_id, {})[criterion_id] = peer_mean(
                peer_cents, peer_count
            )
    if mean:
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
        for unit_id, criterion_id, points in Score.objects.filter(
            report__term_id=term.pk, kind=ScoreKind.PEER
        ).values_list("report__unit_id", "criterion_id", "points"):
            peers.setdefault((unit_id, criterion_id), []).append(points)
    for key in selfs.keys() | peers.keys() | reviewer.keys():
        assessed.setdefault(key[0], {})[key[1]] = final_assessed(
            method, selfs.get(key), peers.get(key, ()), reviewer.get(key)
        )
