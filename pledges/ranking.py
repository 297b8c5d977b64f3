"""Totals, classification bands and ranks as pure functions over
each member's points per criterion; the ranking page, the published snapshot
and the exports all use `rank`."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import lru_cache
from statistics import median

from django.utils.translation import gettext_lazy as _

from clusters.models import BAND_LABELS, Unit, default_bands

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


class Lines(Sequence[Line]):
    """A member's lines held as two tuples: `heads`, the (code, kind, max) of
    each line — one tuple for the members of a term, whose criteria are the
    same objects, so that a pickle of their standings holds it once — and
    `points`, each line's points or None. A `Line` is made only when one is
    read; adding up and pickling read the tuples. Equal to a list of equal
    lines."""

    __slots__ = ("heads", "points")

    def __init__(self, heads: tuple, points: tuple) -> None:
        self.heads = heads
        self.points = points

    @classmethod
    def of(cls, lines):
        """`lines` (a `Lines` or any sequence of `Line`) as a `Lines`."""
        if isinstance(lines, Lines):
            return lines
        return cls(_heads(lines), tuple(line.points for line in lines))

    def pairs(self):
        """((code, kind, max), points) of each line."""
        return zip(self.heads, self.points, strict=True)

    def __len__(self):
        return len(self.points)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        return Line(*self.heads[index], self.points[index])

    def __iter__(self):
        for (code, kind, max_points), points in self.pairs():
            yield Line(code, kind, max_points, points)

    def __eq__(self, other):
        if isinstance(other, (Lines, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, as mutable

    def __repr__(self):
        return f"Lines({list(self)!r})"


@dataclass
class Standing:
    """A member's result: totals, band, rank and why."""

    unit: Unit
    lines: Sequence[Line]
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

    def __reduce__(self):
        """Pickled compactly, as cached standings are (core.cache): the lines'
        heads (`Lines`: one tuple for the members whose lines share them,
        pickled once) and every line's points in one string, instead of a
        dataclass and a Decimal per line."""
        lines = Lines.of(self.lines)
        return (
            _restore_standing,
            (
                self.unit,
                lines.heads,
                ";".join("" if p is None else str(p) for p in lines.points),
                tuple(getattr(self, name) for name in _SCALARS),
            ),
        )


_SCALARS = [f.name for f in fields(Standing) if f.name not in ("unit", "lines")]
_LAST_HEADS: list[tuple] = [()]


def _heads(lines):
    """(code, kind, max) of each line: the tuple made for the previous
    standing when its lines hold the very same objects (the members of one
    term share their criteria's), so that a pickle of a term's standings stores
    it once and refers to it after. Identity, not equality: 10 and 10.00 are
    equal but print differently."""
    heads = tuple((line.code, line.kind, line.max_points) for line in lines)
    last = _LAST_HEADS[0]
    if len(last) == len(heads) and all(
        a[0] is b[0] and a[1] is b[1] and a[2] is b[2]
        for a, b in zip(last, heads, strict=True)
    ):
        return last
    _LAST_HEADS[0] = heads
    return heads


@lru_cache(maxsize=4096)
def _decimal(text):
    """`Decimal(text)`, remembered: a term's points repeat (a Decimal is
    immutable, so one object serves them all)."""
    return Decimal(text)


def _restore_standing(unit, heads, points, scalars):
    lines = Lines(
        heads,
        tuple(_decimal(p) if p else None for p in points.split(";")) if heads else (),
    )
    return Standing(unit, lines, **dict(zip(_SCALARS, scalars, strict=True)))


def line_pairs(lines):
    """((code, kind, max), points) of each of `lines` (a `Lines` or any
    sequence of `Line`), without making a `Line` of each."""
    if isinstance(lines, Lines):
        return lines.pairs()
    return (((ln.code, ln.kind, ln.max_points), ln.points) for ln in lines)


def band_of(total, scale, lines, bands=None):
    """The classification band under the term's table `bands` (default: the
    default table, `BANDS`): the first band, best first, whose minimum total (in %
    of the scale) the total reaches and, when the band sets one, whose minimum
    share every scored criterion (in % of its max) reaches."""
    percent = total / Decimal(scale) * 100 if scale else ZERO
    weakest = None  # taken once, when a band reached by the total needs it
    for band, minimum_total, minimum_share in BANDS if bands is None else bands:
        if percent < minimum_total:
            continue
        if minimum_share is None:
            return band
        if weakest is None:
            weakest = min(
                (
                    (points or ZERO) / max_points * 100
                    for (_code, kind, max_points), points in line_pairs(lines)
                    if kind in (CriterionKind.INDICATOR, CriterionKind.ASSESSED)
                    and max_points
                ),
                default=Decimal(100),
            )
        if weakest >= minimum_share:
            return band
    return "not_complete"


def standing(unit, lines, *, scale, bonus_cap, deduction_cap, votes=0, bands=None):
    """Add up one member's lines: criteria within the scale, then bonus and
    deduction each capped (caps in points). One pass over the lines; each sum
    starts from ZERO and adds the lines in order, a line without points (None
    or zero) adding nothing, so its value and exponent are those of
    ``sum((line.points or ZERO for line in …), ZERO)``."""
    within = indicator = bonus = deduction = ZERO
    full = 0
    for (_code, kind, max_points), points in line_pairs(lines):
        if kind == CriterionKind.INDICATOR or kind == CriterionKind.ASSESSED:
            if points is not None and points >= max_points:
                full += 1
            if points:
                within += points
                if kind == CriterionKind.INDICATOR:
                    indicator += points
        elif kind == CriterionKind.BONUS:
            if points:
                bonus += points
        elif kind == CriterionKind.DEDUCTION and points:
            deduction += points
    bonus = min(bonus, Decimal(bonus_cap))
    deduction = min(deduction, Decimal(deduction_cap))
    result = Standing(
        unit=unit, lines=lines, bonus=bonus, deduction=deduction, votes=votes
    )
    result.total = (within + bonus - deduction).quantize(CENT)
    result.indicator_points = indicator.quantize(CENT)
    result.full_criteria = full
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


@dataclass
class Subtotal:
    """A section's or sub-field's points in a breakdown: the sum of its
    criteria's lines (None while none has points), out of its maximum."""

    level: str  # "section" or "subsection"
    code: str
    title: str
    max_points: Decimal
    points: Decimal | None


def points_by_code(lines):
    """{code: points} of `lines` (`line_pairs`)."""
    return {code: points for (code, _kind, _max), points in line_pairs(lines)}


def _sum_of(points_of, codes):
    """The sum of the points of `codes` in `points_of` ({code: points}), or
    None when none has points."""
    found = [points_of[code] for code in codes if points_of.get(code) is not None]
    return sum(found, ZERO) if found else None


def breakdown(outline, spread, others):
    """`spread` (rows of (line, lowest, median, highest) of the others, as
    `charts.spread_rows` gives them) in the order of the criteria tree
    `outline` (`selectors.tree_outline`), as (level, line, lowest, median,
    highest): a `Subtotal` row before each section's and each sub-field's
    criteria, its spread over the other members' standings `others`; lines
    outside the tree (the late deduction, registered bonuses) last."""
    by_code = {row[0].code: row for row in spread}
    mine = {row[0].code: row[0].points for row in spread}
    theirs = [points_by_code(s.lines) for s in others]
    rows, shown = [], set()
    for entry in outline:
        if entry.level == "criterion":
            if entry.code in by_code:
                rows.append(("criterion", *by_code[entry.code]))
                shown.add(entry.code)
            continue
        values = sorted(
            v for v in (_sum_of(t, entry.codes) for t in theirs) if v is not None
        )
        rows.append(
            (
                entry.level,
                Subtotal(
                    entry.level,
                    entry.code,
                    entry.title,
                    entry.max_points,
                    _sum_of(mine, entry.codes),
                ),
                values[0] if values else None,
                median(values) if values else None,
                values[-1] if values else None,
            )
        )
    rows.extend(("criterion", *row) for row in spread if row[0].code not in shown)
    return rows
