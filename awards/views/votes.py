"""HTTP only: check the role, find the vote in the user's reach, call the service,
redirect with a message or re-render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.permissions import is_admin, is_unit_officer
from clusters.selectors import term_detail
from clusters.views import reaches_authority
from core.errors import DomainError
from core.formatting import format_number
from core.views import apply_domain_error, found_or_404, post_action, require

from .. import permissions, selectors, services
from ..forms import BallotForm, NominationOpenForm
from ..models import VoteKind


def _vote_or_404(request, pk):
    return found_or_404(selectors.vote_detail, request.user, pk)


@require_POST
@require(is_admin)
def chair_election_open(request, pk):
    term = found_or_404(term_detail, request.user, pk)
    try:
        vote = services.chair_election_open(term=term, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("term_detail", pk=term.pk)
    messages.success(request, _("The chair election was opened."))
    return redirect("vote_detail", pk=vote.pk)


@require_GET
@require(reaches_authority)
def vote_detail(request, pk):
    vote = _vote_or_404(request, pk)
    user = request.user
    rows = selectors.voter_rows(vote)
    voter_ids = {row.unit.pk for row in rows}
    voted_ids = {row.unit.pk for row in rows if row.has_voted}
    result = (
        selectors.vote_result(vote) if permissions.can_see_result(user, vote) else None
    )
    outcome = nomination = None
    tiers = []
    if result is not None and vote.kind == VoteKind.CHAIR_ELECTION:
        outcome = selectors.elected_officers(result)
    if result is not None and vote.kind == VoteKind.NOMINATION:
        ranks = selectors.published_ranks(vote.term)
        tiers = selectors.nomination_results(vote, result, ranks)
        nomination = selectors.nomination_result(vote, result, ranks)
    return render(
        request,
        "awards/vote_detail.html",
        {
            "vote": vote,
            "term": vote.term,
            "questions": list(vote.questions.all()),
            "voter_rows": rows,
            "voted_count": len(voted_ids),
            "voter_count": len(voter_ids),
            "quorum_required": selectors.quorum_required(vote.quorum, len(voter_ids)),
            "votes_to_win": selectors.votes_to_win(vote.threshold, len(voter_ids)),
            "is_voter_officer": permissions.is_voter_officer(user, vote, voter_ids),
            "my_unit_voted": user.unit_id in voted_ids,
            "can_cast": permissions.can_cast_ballot(user, vote, voter_ids, voted_ids),
            "can_close": permissions.can_close_vote(user, vote),
            "can_see_who_cast": permissions.can_see_who_cast(user, vote),
            "result": result,
            "outcome": outcome,
            "nomination": nomination,
            "tiers": tiers,
        },
    )


@require_http_methods(["GET", "POST"])
@require(is_unit_officer)
def ballot_cast(request, pk):
    vote = _vote_or_404(request, pk)
    user = request.user
    if not selectors.is_voter(vote, user.unit_id):
        raise PermissionDenied
    if not vote.is_open:
        messages.error(request, _("The vote is closed."))
        return redirect("vote_detail", pk=vote.pk)
    if selectors.has_voted(vote, user.unit_id):
        messages.info(request, _("Your unit has already voted."))
        return redirect("vote_detail", pk=vote.pk)
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, vote=vote)
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_cast(
                vote=vote, unit=user.unit, actor=user, choices=form.choices()
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(request, _("Your unit's ballot was cast. Thank you."))
            return redirect("vote_detail", pk=vote.pk)
    return render(
        request,
        "awards/ballot_form.html",
        {"vote": vote, "term": vote.term, "form": form},
    )


@require_POST
@require(lambda user: is_admin(user) or is_unit_officer(user))
def vote_close(request, pk):
    vote = found_or_404(selectors.vote_with_term, request.user, pk)
    if not permissions.can_manage_vote(request.user, vote):
        raise PermissionDenied
    return post_action(
        request,
        lambda: services.vote_close(vote=vote, actor=request.user),
        success=_("The vote was closed."),
        next_url=reverse("vote_detail", args=[vote.pk]),
    )


def _nomination_choices(setup):
    """(unit, label) for every member: rank, name, total and band when ranked."""
    choices = []
    for unit, rank, total, band in setup.members:
        if rank is None:
            label = _("%(unit)s (not ranked)") % {"unit": unit.name}
        else:
            label = _("%(rank)s. %(unit)s — %(total)s points, %(band)s") % {
                "rank": rank,
                "unit": unit.name,
                "total": format_number(total, 2),
                "band": band,
            }
        choices.append((unit, label))
    return choices


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def nomination_open(request, pk):
    """Open the nomination vote of a term, one block per award tier: the
    leading tier's candidates prefilled from the published ranking, every tier
    editable; the chair unit's officers and admins."""
    term = found_or_404(term_detail, request.user, pk)
    if not permissions.can_run_nomination(request.user, term):
        raise PermissionDenied
    setup = selectors.nomination_setup(term)
    refusal = services.nomination_refusal(term, setup.snapshot)
    open_vote = selectors.open_nomination(term)
    form = NominationOpenForm(
        request.POST if request.method == "POST" else None,
        choices=_nomination_choices(setup),
        tiers=setup.tiers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.nomination_open(
                term=term, actor=request.user, tiers=form.chosen_tiers()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The nomination vote was opened."))
            return redirect("vote_detail", pk=vote.pk)
    return render(
        request,
        "awards/nomination_open.html",
        {
            "term": term,
            "form": form,
            "setup": setup,
            "refusal": refusal,
            "open_vote": open_vote,
            "quorum": term.nomination_quorum,
            "threshold": term.nomination_threshold,
        },
    )
