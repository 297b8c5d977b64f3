"""Totals, classification bands and ranks as pure functions over
each member's points per criterion; the ranking page, the published snapshot
and the exports all use `rank`."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from clusters.models import BAND_LABELS, default_bands

from .models import CriterionKind

ZERO = Decimal(0)
CENT = Decimal("0.01")
# The default table: (band, minimum total in % of the scale,
# minimum share of every criterion's max or None); each term keeps its own.
BANDS = [(row["band"], Decimal(row["min_total"]), None) for row in default_bands()]


@dataclass
class Line:
    """One criterion of one member: its points out of `max_points`."""

    code: str
    kind: str
    max_points: Decimal
    points: Decimal | None

    @property
    def kind_label(self):
        return CriterionKind(self.kind).label


@dataclass
class Standing:
    """A member's result: totals, band, rank and why."""

    unit: object
    lines: list
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    total: Decimal = ZERO
    indicator_points: Decimal = ZERO
    full_criteria: int = 0
    votes: int = 0
    band: str = "not_complete"
    rank: int = 0
    shared: bool = False
    tie_note: str = ""

    @property
    def band_label(self):
        return BAND_LABELS[self.band]


def band_of(total, scale, lines, bands=None):
    """The classification band under the term's table `bands` (default: the
    default table, `BANDS`): the first band, best first, whose minimum total (in %
    of the scale) the total reaches and, when the band sets one, whose minimum
    share every scored criterion (in % of its max) reaches."""
    percent = total / Decimal(scale) * 100 if scale else ZERO
    shares = [
        (line.points or ZERO) / line.max_points * 100
        for line in lines
        if line.kind in (CriterionKind.INDICATOR, CriterionKind.ASSESSED)
        and line.max_points
    ]
    weakest = min(shares, default=Decimal(100))
    for band, minimum_total, minimum_share in BANDS if bands is None else bands:
        if percent >= minimum_total and (
            minimum_share is None or weakest >= minimum_share
        ):
            return band
    return "not_complete"


def standing(unit, lines, *, scale, bonus_cap, deduction_cap, votes=0, bands=None):
    """Add up one member's lines: criteria within the scale, then bonus and
    deduction each capped (caps in points)."""
    scored = [
        line
        for line in lines
        if line.kind in (CriterionKind.INDICATOR, CriterionKind.ASSESSED)
    ]
    within = sum((line.points or ZERO for line in scored), ZERO)
    bonus = min(
        sum(
            (line.points or ZERO for line in lines if line.kind == CriterionKind.BONUS),
            ZERO,
        ),
        Decimal(bonus_cap),
    )
    deduction = min(
        sum(
            (
                line.points or ZERO
                for line in lines
                if line.kind == CriterionKind.DEDUCTION
            ),
            ZERO,
        ),
        Decimal(deduction_cap),
    )
    result = Standing(
        unit=unit, lines=lines, bonus=bonus, deduction=deduction, votes=votes
    )
    result.total = (within + bonus - deduction).quantize(CENT)
    result.indicator_points = sum(
        (
            line.points or ZERO
            for line in scored
            if line.kind == CriterionKind.INDICATOR
        ),
        ZERO,
    ).quantize(CENT)
    result.full_criteria = sum(
        1
        for line in scored
        if line.points is not None and line.points >= line.max_points
    )
    result.band = band_of(within + bonus - deduction, scale, lines, bands)
    return result


def _key(s):
    return (s.total, s.indicator_points, s.full_criteria, s.votes)


def rank(standings):
    """Order standings by total, then indicator points, then criteria at full
    points, then votes; equal on all four share a rank and say so."""
    ordered = sorted(standings, key=lambda s: s.unit.name)
    ordered.sort(key=_key, reverse=True)
    position = 0
    for index, current in enumerate(ordered):
        if index and _key(current) == _key(ordered[index - 1]):
            current.rank = ordered[index - 1].rank
            current.shared = ordered[index - 1].shared = True
        else:
            position = index + 1
            current.rank = position
    for before, current in zip(ordered, ordered[1:], strict=False):
        if before.total == current.total and _key(before) != _key(current):
            reason = _tie_reason(before, current)
            before.tie_note = before.tie_note or reason
            current.tie_note = current.tie_note or reason
    for current in ordered:
        if current.shared:
            current.tie_note = str(_("Equal on every tie-break: the rank is shared."))
    return ordered


def _tie_reason(first, second):
    if first.indicator_points != second.indicator_points:
        return str(_("Equal totals: decided by the points of indicator criteria."))
    if first.full_criteria != second.full_criteria:
        return str(_("Equal totals: decided by the number of criteria at full points."))
    return str(_("Equal totals: decided by the vote."))
