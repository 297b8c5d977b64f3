"""HTTP only for the province dashboard of Home Affairs staff and its export."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from clusters.models import ClusterKind, TermState
from clusters.permissions import sees_whole_authority
from core.formatting import whole_number
from core.views import paged, require

from .. import charts, dashboard, selectors, xlsx
from ..ranking import BAND_LABELS
from .imports import workbook_response

CHART_WIDTH = 300


def _filters(request):
    years = selectors.term_years(request.user.authority_id)
    raw = request.GET.get("year", "")
    year = whole_number(raw)
    year = year if year in years else None
    if year is None:
        year = years[0] if years else timezone.localdate().year
    kind = request.GET.get("kind") if request.GET.get("kind") in ClusterKind else ""
    return years, year, kind


def _state_labels():
    """{term state: its label}, translated once for all rows (a model's
    get_FOO_display translates every choice on each call)."""
    return {state: str(label) for state, label in TermState.choices}


@require_GET
@require(sees_whole_authority)
def province_dashboard(request):
    """Every cluster and block of the authority in a year, 50 a page (the
    Excel export has them all), with charts drawn as SVG on the server and the
    same numbers in tables."""
    years, year, kind = _filters(request)
    rows, recent = dashboard.dashboard(request.user.authority_id, year, kind)
    page, query_string = paged(request, rows)
    states = _state_labels()
    labels = {band: str(label) for band, label in BAND_LABELS.items()}
    for row in page.object_list:
        row["state_label"] = states[row["state"]]
        members = row["members"] or 1
        # "label: count" of each band, formatted once for the bar's accessible
        # name, its parts' tooltips and the text under it (as {{ }} would).
        row["bars"], offset = [], 0
        for band, count in row["bands"]:
            width = count * CHART_WIDTH // members
            text = f"{labels[band]}: {localize(count)}"
            row["bars"].append((band, text, width, offset))
            offset += width
        row["bars_text"] = [text for _band, text, _width, _x in row["bars"]]
    return render(
        request,
        "pledges/dashboard.html",
        {
            "rows": page.object_list,
            "page": page,
            "query_string": query_string,
            "history": [
                (
                    entry,
                    [(band, BAND_LABELS[band], n) for band, n in entry.bands],
                )
                for entry in reversed(recent)
            ],
            "history_chart": recent
            and charts.band_years_chart(recent, chart_id="years-chart"),
            "band_legend": charts.band_legend(),
            "years": years,
            "year": year,
            "kind": kind,
            "kinds": ClusterKind.choices,
            "band_labels": [BAND_LABELS[b] for b in dashboard.BAND_ORDER],
            "chart_width": CHART_WIDTH,
        },
    )


@require_GET
@require(sees_whole_authority)
def dashboard_xlsx(request):
    """The dashboard table as an Excel workbook."""
    _years, year, kind = _filters(request)
    rows, _history = dashboard.dashboard(request.user.authority_id, year, kind)
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    headings = [
        _("Cluster or block"),
        _("State"),
        _("Members"),
        _("Submitted"),
        _("Returned"),
        _("Draft"),
        _("Peer scores"),
        _("Leading unit"),
        *[str(BAND_LABELS[b]) for b in dashboard.BAND_ORDER],
    ]
    sheet.append(xlsx.row(headings))
    states = _state_labels()
    for row in rows:
        sheet.append(
            xlsx.row(
                [
                    row["name"],
                    states[row["state"]],
                    row["members"],
                    row["submitted"],
                    row["returned"],
                    row["draft"],
                    row["peer_scores"],
                    ", ".join(row["leaders"]),
                    *[n for _band, n in row["bands"]],
                ]
            )
        )
    return workbook_response(xlsx.save(book), f"tong-hop-cum-khoi-{year}.xlsx")
