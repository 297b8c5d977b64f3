"""HTTP only: Word downloads of the awards app (vote minutes, the year-end
summary report of a term, a proposal's tờ trình)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clusters.views import reaches_authority
from core.views import found_or_404, require

from .. import documents, permissions, selectors
from ..models import Vote


def docx_response(data, filename):
    """A .docx download of `data` named `filename`."""
    return HttpResponse(
        data,
        content_type=documents.DOCX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=filename
            )
        },
    )


@require_GET
@require(reaches_authority)
def vote_minutes(request, pk):
    """The minutes of a closed vote, for whoever can see the vote."""
    try:
        vote = selectors.vote_detail(request.user, pk)
    except Vote.DoesNotExist as error:
        raise Http404 from error
    if vote.is_open:
        messages.error(request, _("The minutes are drawn up once the vote is closed."))
        return redirect("vote_detail", pk=vote.pk)
    return docx_response(
        documents.vote_minutes_docx(vote), documents.minutes_filename(vote)
    )


@require_GET
@require(reaches_authority)
def term_summary_docx(request, pk):
    """The year-end summary report of a term, for the chair unit's officers and
    the authority's staff and admins."""
    term = found_or_404(selectors.term_with_members, request.user, pk)
    if not permissions.can_download_summary(request.user, term):
        raise PermissionDenied
    return docx_response(
        documents.term_summary_docx(term), documents.summary_filename(term)
    )


@require_GET
@require(reaches_authority)
def proposal_docx(request, pk):
    """A proposal's tờ trình, for whoever can see the proposal."""
    proposal = found_or_404(selectors.proposal_detail, request.user, pk)
    return docx_response(
        documents.proposal_docx(proposal), documents.proposal_filename(proposal)
    )
