"""HTTP only for the Excel round trip of the results: download the pre-filled
workbook, upload it for a preview (a dry run) or to apply it."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from clusters.views import reaches_authority
from core.views import require

from .. import services
from ..forms import TargetsImportForm
from ..permissions import REPORTING_STATES, can_edit_report, can_review_reports
from ..results_excel import read_results, results_workbook
from .imports import workbook_import_page, workbook_response
from .pledge import _pledge, term_in_reach


class ResultsImportForm(TargetsImportForm):
    """The targets upload field (.xlsx, at most 5 MB) with its own help text."""

    help_text = gettext_lazy("The workbook downloaded from this page, at most 5 MB.")


def _result_units(request, term):
    """The members whose results the user may download and import: every
    member for the reviewers, its own unit for a member's officer; 403 for
    anyone else."""
    members = [m.unit for m in term.memberships.all()]
    if can_review_reports(request.user, term):
        return members
    units = [u for u in members if can_edit_report(request.user, term, u)]
    if not units:
        raise PermissionDenied
    return units


@require_GET
@require(reaches_authority)
def results_xlsx(request, pk):
    """The results as a pre-filled workbook: its own rows for a member's
    officer, every member's for the reviewers."""
    term = term_in_reach(request, pk)
    _pledge(term)
    units = _result_units(request, term)
    return workbook_response(results_workbook(term, units), f"ket-qua-{term.year}.xlsx")


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def results_import(request, pk):
    """Upload the filled-in workbook. “Preview” lists every problem by row and
    column, or the changes, and writes nothing; “Apply” writes every row in one
    transaction, and only when the file has no problem at all."""
    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    units = _result_units(request, term)
    reporting = term.state in REPORTING_STATES
    return workbook_import_page(
        request,
        form=ResultsImportForm(request.POST or None, request.FILES or None),
        refusal=None
        if reporting
        else _(
            "Results are entered while the year is in progress or being reported; "
            "nothing was imported."
        ),
        read=lambda data: read_results(term, data, units),
        apply=lambda rows: services.results_apply(
            term=term, rows=rows, actor=request.user, reason=_("Imported from Excel")
        ),
        updated=lambda count: (
            ngettext(
                "%(count)s result was updated.",
                "%(count)s results were updated.",
                count,
            )
            % {"count": count}
        ),
        next_url=reverse("results_import", args=[term.pk]),
        template="pledges/results_import.html",
        context={
            "term": term,
            "pledge": pledge,
            "reporting": reporting,
            "whole_term": can_review_reports(request.user, term),
        },
    )
