"""Pictures of scoring results: the domain's numbers shaped for the
SVG builder of core/charts.py. Pure: every function takes what a selector already
returned and reads nothing from the database. Each page shows the same numbers
in a table beside the chart."""

from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from clusters.models import BAND_LABELS
from core import charts
from core.formatting import format_number

from .models import ReportState
from .ranking import line_pairs

# The symbol drawn in a member's cell of the submission strip, by report state
# ("none": no report yet); the legend beside the strip says what each means.
STATE_SYMBOLS = {
    "none": "–",
    ReportState.DRAFT: "✎",
    ReportState.RETURNED: "↩",
    ReportState.SUBMITTED: "✉",
    ReportState.ACCEPTED: "✓",
}


def _decimal(value):
    return None if value is None else Decimal(str(value))


def band_thresholds(term):
    """The term's classification bands as threshold lines, in points of its
    scale (clusters.models.Term.band_table: minimum total in % of the scale)."""
    return [
        charts.Threshold(
            Decimal(term.total_points) * minimum / 100,
            _("%(band)s from %(percent)s %%")
            % {"band": BAND_LABELS[band], "percent": format_number(minimum)},
        )
        for band, minimum, _share in term.band_table
    ]


def ranking_chart(term, entries, *, chart_id):
    """Totals as horizontal bars, best first, with the band thresholds drawn.
    `entries` are (rank, unit name, total, band) in ranking order."""
    entries = list(entries)
    totals = [_decimal(total) or Decimal(0) for _rank, _unit, total, _band in entries]
    scale = max([Decimal(term.total_points), *totals])
    bars = [
        charts.Bar(
            f"{rank}. {unit}",
            _decimal(total),
            str(BAND_LABELS.get(band, "")),
            css=f"band-{band}",
        )
        for rank, unit, total, band in entries
    ]
    return charts.bar_chart(
        bars,
        title=_("Totals of the members, with the minimum of each classification"),
        chart_id=chart_id,
        scale_max=scale,
        thresholds=band_thresholds(term),
    )


def published_entries(rows):
    """(rank, unit, total, band) of a published snapshot's rows."""
    return [
        (row.get("rank"), row.get("unit", ""), row.get("total"), row.get("band", ""))
        for row in rows
    ]


def standing_entries(standings):
    """(rank, unit, total, band) of the current standings."""
    return [(s.rank, s.unit.name, s.total, s.band) for s in standings]


def spread_rows(mine, others):
    """For each of `mine`'s lines: (line, lowest, median, highest) of the other
    members' points on the same criterion (matched by code, never by
    position, since members' lines differ)."""
    by_code = {}
    for other in others:
        for (code, _kind, _max), points in line_pairs(other.lines):
            if points is not None:
                by_code.setdefault(code, []).append(points)
    rows = []
    for line in mine.lines:
        values = sorted(by_code.get(line.code, []))
        rows.append(
            (
                line,
                values[0] if values else None,
                median(values) if values else None,
                values[-1] if values else None,
            )
        )
    return rows


def spread_chart(rows, *, chart_id):
    """The member's points per criterion against the others' spread."""
    return charts.spread_chart(
        [
            charts.Spread(line.code, line.points, low, middle, high, line.max_points)
            for line, low, middle, high in rows
            if line.max_points
        ],
        title=_(
            "Points by criterion: the member's points (diamond) against the lowest, "
            "median and highest of the other members"
        ),
        chart_id=chart_id,
    )


def history_chart(history, *, chart_id):
    """A member's totals over the years (`history` from pledges.history), each
    with its rank and classification; years without a published ranking or in
    which it was not a member are hatched and say so."""
    bars = []
    scale = Decimal(0)
    for year in history:
        scale = max(scale, Decimal(year.scale), _decimal(year.total) or Decimal(0))
        if year.total is None:
            bars.append(charts.Bar(str(year.year), None, year.note, hatched=True))
            continue
        rank = _("rank %(rank)s of %(members)s") % {
            "rank": year.rank,
            "members": year.members,
        }
        bars.append(
            charts.Bar(
                str(year.year),
                _decimal(year.total),
                f"{rank} · {BAND_LABELS.get(year.band, '')}",
                css=f"band-{year.band}",
            )
        )
    return charts.bar_chart(
        bars,
        title=_("Total, rank and classification over the years"),
        chart_id=chart_id,
        scale_max=scale or 1,
    )


def submission_strip(rows, *, chart_id):
    """Who has submitted: one cell per member (`rows` of (unit, report or
    None), in the order shown), and the legend as (symbol, label, count)."""
    labels = {"none": _("not started"), **dict(ReportState.choices)}
    cells = []
    counts = dict.fromkeys(STATE_SYMBOLS, 0)
    for unit, report in rows:
        state = report.state if report else "none"
        counts[state] += 1
        cells.append(
            charts.Cell(unit.name, state, str(labels[state]), STATE_SYMBOLS[state])
        )
    strip = charts.state_strip(
        cells,
        title=_("Reports of the members, one square per member"),
        chart_id=chart_id,
    )
    legend = [
        (state, symbol, labels[state], counts[state])
        for state, symbol in STATE_SYMBOLS.items()
    ]
    return strip, legend


def band_years_chart(years, *, chart_id):
    """Members by classification in each year (`years` from
    pledges.dashboard), unpublished years hatched."""
    rows = []
    for year in years:
        members = sum(count for _band, count in year.bands)
        note = _("members: %(count)s") % {"count": format_number(members)}
        if not year.published:
            note = _("not published")
        elif year.published < year.terms:
            note = _("%(published)s of %(terms)s published") % {
                "published": year.published,
                "terms": year.terms,
            }
        rows.append(
            charts.Stack(
                str(year.year),
                [
                    (f"band-{band}", count, str(BAND_LABELS[band]))
                    for band, count in year.bands
                ]
                if year.published
                else [],
                note,
            )
        )
    return charts.stacked_bars(
        rows,
        title=_("Classification of members in published rankings, by year"),
        chart_id=chart_id,
    )


def band_legend():
    """(swatch, label) for every classification, best first."""
    return [
        (charts.swatch(f"band-{band}"), label) for band, label in BAND_LABELS.items()
    ]
