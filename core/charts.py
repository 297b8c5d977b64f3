"""Charts drawn on the server as SVG.

Pure functions from numbers and labels to an SVG string in which every text is
escaped; the pages show the same numbers in a table beside the chart, so the
chart is a picture of the table, never the only place a number is. No script,
no library, no CDN. Each chart is an image to assistive technology
(``role="img"``, an ``aria-label`` and a ``<title>``), states and bands are told
by text or a symbol as well as by colour, numbers are written the way the active
language writes them (core.formatting), and sizes live in a ``viewBox`` so a
chart shrinks to a 390 px phone (static/css/app.css, ``.chart``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from core.formatting import format_number

WIDTH = 400
FONT = 12
LABEL_CHARS = 42


def _escape(text: object) -> str:
    """`text` escaped for HTML exactly as Django's `escape` does it, without
    its lazy-text check and SafeString per call (hundreds per chart): the
    whole SVG is marked safe once."""
    return html.escape(str(text))


@dataclass(frozen=True)
class Bar:
    """One bar: `label` on the left, the value and `note` on the right.
    `css` names the fill class (e.g. a band's); `hatched` marks a bar without
    data (shown with a pattern and its note, never as zero)."""

    label: str
    value: Decimal | int | float | None
    note: str = ""
    css: str = "chart-bar"
    hatched: bool = False


@dataclass(frozen=True)
class Threshold:
    """A vertical line at `value` with its `label` (e.g. a band's minimum)."""

    value: Decimal | int | float
    label: str


@dataclass(frozen=True)
class Spread:
    """One criterion: the member's `value` against others' low–median–high, all
    out of `maximum` points."""

    label: str
    value: Decimal | int | float | None
    low: Decimal | int | float | None
    median: Decimal | int | float | None
    high: Decimal | int | float | None
    maximum: Decimal | int | float


@dataclass(frozen=True)
class Cell:
    """One member in a strip: its `label`, `state` (a CSS suffix), the state's
    text and the symbol drawn in the cell."""

    label: str
    state: str
    state_label: str
    symbol: str


@dataclass(frozen=True)
class Stack:
    """One stacked row: `parts` as (css class, count, label); `note` is shown
    on the right; an empty `parts` draws a hatched row (no data)."""

    label: str
    parts: list = field(default_factory=list)
    note: str = ""


def _n(value: Decimal | int | float, places: int | None = 2) -> str:
    return format_number(value, places)


def _x_of(
    value: Decimal | int | float | None,
    scale_max: Decimal | int | float,
    width: int = WIDTH,
) -> float:
    """The horizontal position of `value` on a scale of 0 to `scale_max` drawn
    `width` wide (clamped to the scale; 0 without a value or a scale)."""
    if not scale_max or value is None:
        return 0.0
    share = max(
        Decimal(0), min(Decimal(str(value)) / Decimal(str(scale_max)), Decimal(1))
    )
    return round(float(share) * width, 1)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(
    chart_id: str, title: str, height: int, body: str, css: str = "chart"
) -> SafeString:
    label = _escape(title)
    return mark_safe(  # noqa: S308 - every text below went through _escape()
        f'<svg class="{css}" id="{_escape(chart_id)}" role="img" '
        f'aria-label="{label}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{body}</svg>"
    )


def _hatch(chart_id: str) -> tuple[str, str]:
    pattern_id = f"{_escape(chart_id)}-hatch"
    return pattern_id, (
        f'<defs><pattern id="{pattern_id}" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#6c757d" stroke-width="2"/>'
        f"</pattern></defs>"
    )


def bar_chart(
    bars: Iterable[Bar],
    *,
    title: str,
    chart_id: str,
    scale_max: Decimal | int | float,
    thresholds: Iterable[Threshold] = (),
    places: int | None = 2,
) -> SafeString:
    """Horizontal bars from 0 to `scale_max`, one row per bar (label, value,
    note), with optional threshold lines labelled on rows of their own above
    the bars. Values beyond the scale are drawn to its end."""
    bars = list(bars)
    thresholds = sorted(thresholds, key=lambda t: t.value, reverse=True)
    top = len(thresholds) * 16 + (4 if thresholds else 0)
    row = 34
    height = top + row * len(bars) + 20
    pattern_id, defs = _hatch(chart_id)
    parts = [defs]
    for index, threshold in enumerate(thresholds):
        x = _x_of(threshold.value, scale_max)
        y = 12 + index * 16
        anchor, tx = ("end", x - 3) if x > WIDTH / 2 else ("start", x + 3)
        parts.append(
            f'<text x="{tx}" y="{y}" text-anchor="{anchor}" class="chart-muted">'
            f"{_escape(threshold.label)}</text>"
        )
    for index, bar in enumerate(bars):
        y = top + index * row
        value_text = "" if bar.value is None else _n(bar.value, places)
        right = " · ".join(text for text in (value_text, bar.note) if text)
        parts.append(
            f"<g><title>{_escape(bar.label)}: {_escape(right)}</title>"
            f'<text x="0" y="{y + 12}">{_escape(_short(bar.label))}</text>'
            f'<text x="{WIDTH}" y="{y + 12}" text-anchor="end">{_escape(right)}</text>'
            f'<rect x="0" y="{y + 17}" width="{WIDTH}" height="12" fill="#f1f3f5"/>'
        )
        if bar.hatched:
            parts.append(
                f'<rect x="0" y="{y + 17}" width="{WIDTH}" height="12" '
                f'fill="url(#{pattern_id})" stroke="#6c757d"/>'
            )
        else:
            width = _x_of(bar.value, scale_max)
            parts.append(
                f'<rect class="{_escape(bar.css)}" x="0" y="{y + 17}" '
                f'width="{width}" height="12"/>'
            )
        parts.append("</g>")
    bottom = top + row * len(bars)
    # Each threshold runs from its label down through the bars, broken where
    # the rows' text is, so that it never crosses a number.
    for index, threshold in enumerate(thresholds):
        x = _x_of(threshold.value, scale_max)
        segments = [(14 + index * 16, top)] + [
            (top + n * row + 15, top + n * row + 31) for n in range(len(bars))
        ]
        parts.extend(
            f'<line class="chart-threshold" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}"/>'
            for y1, y2 in segments
        )
    parts.append(
        f'<line class="chart-axis" x1="0" y1="{bottom + 2}" x2="{WIDTH}" '
        f'y2="{bottom + 2}"/>'
        f'<text x="0" y="{bottom + 16}" class="chart-muted">0</text>'
        f'<text x="{WIDTH}" y="{bottom + 16}" text-anchor="end" class="chart-muted">'
        f"{_escape(_n(scale_max, places))}</text>"
    )
    return _svg(chart_id, title, height, "".join(parts))


def spread_chart(
    rows: Iterable[Spread], *, title: str, chart_id: str, places: int | None = 2
) -> SafeString:
    """One row per criterion, each scaled to its own maximum: a band from the
    others' lowest to highest, a tick at their median and a diamond at the
    member's points; the member's points out of the maximum written on the
    right."""
    rows = list(rows)
    row = 34
    height = row * len(rows) + 4
    parts = []
    for index, spread in enumerate(rows):
        y = index * row
        mine = "—" if spread.value is None else _n(spread.value, places)
        right = f"{mine} / {_n(spread.maximum, places)}"
        parts.append(
            f"<g><title>{_escape(spread.label)}: {_escape(right)}</title>"
            f'<text x="0" y="{y + 12}">{_escape(_short(spread.label, 48))}</text>'
            f'<text x="{WIDTH}" y="{y + 12}" text-anchor="end">{_escape(right)}</text>'
            f'<line class="chart-axis" x1="0" y1="{y + 24}" x2="{WIDTH}" '
            f'y2="{y + 24}"/>'
        )
        if spread.low is not None and spread.high is not None:
            x1 = _x_of(spread.low, spread.maximum)
            x2 = _x_of(spread.high, spread.maximum)
            parts.append(
                f'<line class="chart-range" x1="{x1}" y1="{y + 24}" '
                f'x2="{max(x2, x1 + 0.1)}" y2="{y + 24}"/>'
            )
        if spread.median is not None:
            xm = _x_of(spread.median, spread.maximum)
            parts.append(
                f'<line class="chart-median" x1="{xm}" y1="{y + 17}" x2="{xm}" '
                f'y2="{y + 31}"/>'
            )
        if spread.value is not None:
            xv = min(max(_x_of(spread.value, spread.maximum), 6), WIDTH - 6)
            parts.append(
                f'<path class="chart-mark" d="M{xv} {y + 18} l6 6 l-6 6 l-6 -6 z"/>'
            )
        parts.append("</g>")
    return _svg(chart_id, title, height, "".join(parts))


def state_strip(
    cells: Iterable[Cell], *, title: str, chart_id: str, per_row: int = 10
) -> SafeString:
    """One square per member, `per_row` to a row: the state's symbol inside,
    its class for the fill, the member and state in the cell's title."""
    cells = list(cells)
    size, gap = 34, 6
    rows = max(1, -(-len(cells) // per_row))
    height = rows * (size + gap)
    parts = []
    for index, cell in enumerate(cells):
        x = (index % per_row) * (size + gap) + 1
        y = (index // per_row) * (size + gap) + 1
        parts.append(
            f"<g><title>{_escape(cell.label)}: {_escape(cell.state_label)}</title>"
            f'<rect class="state-cell state-cell-{_escape(cell.state)}" x="{x}" '
            f'y="{y}" width="{size}" height="{size}" rx="4"/>'
            f'<text class="state-icon" x="{x + size / 2}" y="{y + size / 2}">'
            f"{_escape(cell.symbol)}</text></g>"
        )
    return _svg(chart_id, title, height, "".join(parts), css="chart chart-strip")


def stacked_bars(rows: Iterable[Stack], *, title: str, chart_id: str) -> SafeString:
    """One horizontal bar per row split into its parts in proportion to their
    counts (each part's class gives its fill); a row without parts is hatched
    and says why in its note."""
    rows = list(rows)
    row = 34
    height = row * len(rows) + 4
    pattern_id, defs = _hatch(chart_id)
    parts = [defs]
    for index, stack in enumerate(rows):
        y = index * row
        total = sum(count for _css, count, _label in stack.parts)
        described = "; ".join(
            f"{label}: {_n(count, 0)}" for _css, count, label in stack.parts
        )
        right = stack.note or _n(total, 0)
        parts.append(
            f"<g><title>{_escape(stack.label)}: "
            f"{_escape(described or stack.note)}</title>"
            f'<text x="0" y="{y + 12}">{_escape(_short(stack.label))}</text>'
            f'<text x="{WIDTH}" y="{y + 12}" text-anchor="end">{_escape(right)}</text>'
        )
        if not total:
            parts.append(
                f'<rect x="0" y="{y + 17}" width="{WIDTH}" height="12" '
                f'fill="url(#{pattern_id})" stroke="#6c757d"/>'
            )
        offset = 0.0
        for css, count, _label in stack.parts:
            if not count:
                continue
            width = round(WIDTH * count / total, 1)
            parts.append(
                f'<rect class="{_escape(css)}" x="{offset}" y="{y + 17}" '
                f'width="{width}" height="12" stroke="#fff" stroke-width="1"/>'
            )
            offset = round(offset + width, 1)
        parts.append("</g>")
    return _svg(chart_id, title, height, "".join(parts))


def swatch(css: str) -> SafeString:
    """A small square of fill class `css`, for a legend beside its text."""
    return SafeString(
        f'<svg class="band-swatch" viewBox="0 0 10 10" aria-hidden="true" '
        f'focusable="false"><rect class="{_escape(css)}" width="10" height="10" '
        f'stroke="#212529" stroke-width="1"/></svg>'
    )
