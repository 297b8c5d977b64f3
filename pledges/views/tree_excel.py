"""HTTP only for the Excel round trip of a pledge's criteria tree: download
the template, upload it for a preview (a dry run) or to replace the tree."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from clusters.views import reaches_authority
from core.views import require

from .. import selectors, services
from ..forms import TreeImportForm
from ..tree_excel import SHEET, read_tree, tree_workbook
from .imports import workbook_import_page, workbook_response
from .pledge import _pledge, _require_drafter, term_in_reach


@require_GET
@require(reaches_authority)
def tree_xlsx(request, pk):
    """The criteria tree as an Excel template, for those who draft the pledge."""
    term = term_in_reach(request, pk)
    _require_drafter(request, term)
    pledge = _pledge(term)
    return workbook_response(tree_workbook(pledge), f"tieu-chi-{term.year}.xlsx")


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def tree_import(request, pk):
    """Upload the filled-in template. “Preview” lists every problem by row and
    column, or the rows added, changed and removed, and writes nothing;
    “Apply” replaces the whole tree in one transaction, and only when the file
    has no problem at all."""
    term = term_in_reach(request, pk)
    _require_drafter(request, term)
    pledge = _pledge(term)
    refusal = selectors.tree_replace_refusal(pledge)

    def apply(rows):
        # `rows` is the whole tree, or empty when the file changes nothing.
        return sum(
            services.pledge_tree_replace(
                pledge=pledge,
                content=content,
                actor=request.user,
                reason=_("Imported from Excel"),
            )
            for content in rows
        )

    return workbook_import_page(
        request,
        form=TreeImportForm(request.POST or None, request.FILES or None),
        refusal=refusal,
        read=lambda data: read_tree(pledge, data),
        apply=apply,
        updated=lambda count: (
            ngettext(
                "%(count)s row of criteria was written.",
                "%(count)s rows of criteria were written.",
                count,
            )
            % {"count": count}
        ),
        next_url=reverse("pledge_editor", args=[term.pk]),
        template="pledges/tree_import.html",
        context={"term": term, "pledge": pledge, "refusal": refusal, "sheet": SHEET},
    )
