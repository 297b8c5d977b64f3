"""HTTP only for the province dashboard of Home Affairs staff and its export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from clusters.models import ClusterKind
from clusters.permissions import sees_whole_authority
from core.formatting import whole_number
from core.views import require

from .. import charts, dashboard, history, selectors, xlsx
from ..ranking import BAND_LABELS
from .imports import workbook_response

CHART_WIDTH = 300
PAGE_SIZE = 50  # clusters and blocks a page; the Excel export has them all


def _filters(request):
    years = selectors.term_years(request.user.authority_id)
    raw = request.GET.get("year", "")
    year = whole_number(raw)
    year = year if year in years else None
    if year is None:
        year = years[0] if years else timezone.localdate().year
    kind = request.GET.get("kind") if request.GET.get("kind") in ClusterKind else ""
    return years, year, kind


@require_GET
@require(sees_whole_authority)
def province_dashboard(request):
    """Every cluster and block of the authority in a year, `PAGE_SIZE` a page,
    with charts drawn as SVG on the server and the same numbers in tables."""
    years, year, kind = _filters(request)
    rows, recent = dashboard.dashboard(request.user.authority_id, year, kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    for row in page.object_list:
        members = row["term"].member_count or 1
        row["bars"] = [
            (band, count, BAND_LABELS[band], count * CHART_WIDTH // members)
            for band, count in row["bands"]
        ]
        offset = 0
        for index, (band, count, label, width) in enumerate(row["bars"]):
            row["bars"][index] = (band, count, label, width, offset)
            offset += width
    years_so_far = history.authority_years(request.user.authority_id, recent, kind)
    return render(
        request,
        "pledges/dashboard.html",
        {
            "rows": page.object_list,
            "page": page,
            "query_string": params.urlencode(),
            "history": [
                (
                    entry,
                    [(band, BAND_LABELS[band], n) for band, n in entry.bands],
                )
                for entry in reversed(years_so_far)
            ],
            "history_chart": years_so_far
            and charts.band_years_chart(years_so_far, chart_id="years-chart"),
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
    for row in rows:
        term = row["term"]
        sheet.append(
            xlsx.row(
                [
                    term.cluster.name,
                    str(term.get_state_display()),
                    term.member_count,
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
