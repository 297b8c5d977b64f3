"""The awards app's “Việc cần làm” (see `clusters.todo`) and its panels on the
term and unit pages (see `clusters.panels`).

A member's officer casts its unit's ballot in an open vote; the chair unit's
officers open and close the nomination vote and draft and send the award
proposal; province staff receive, appraise and decide the proposals sent to
them. A fixed number of queries whatever the number of clusters or years."""

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters import todo
from clusters.models import MemberRole, Membership, Role, TermState
from clusters.permissions import (
    chair_powers_ended,
    is_province_staff,
    is_unit_officer,
)

from . import permissions
from .models import Proposal, ProposalState, Vote, VoteKind, VoteState
from .selectors import (
    proposals_visible_to,
    term_proposals,
    unit_award_history,
    votes_of_term,
)
from .services import DRAFTING_TERM_STATES

VOTE, PROPOSAL = 90, 100  # the year's steps (see `awards.links`)
EDITABLE = (ProposalState.DRAFT, ProposalState.RETURNED)
WITH_STAFF = (ProposalState.SUBMITTED, ProposalState.RECEIVED, ProposalState.APPRAISED)
STAFF_ACTION = {
    ProposalState.SUBMITTED: gettext_lazy("Receive the proposal “%(title)s”"),
    ProposalState.RECEIVED: gettext_lazy("Appraise the proposal “%(title)s”"),
    ProposalState.APPRAISED: gettext_lazy("Record the decision on “%(title)s”"),
}


def _ballots_due(user):
    """Open votes in which the officer's unit is a voter and has not voted,
    with their terms (1 query)."""
    return list(
        Vote.objects.filter(
            state=VoteState.OPEN,
            voters=user.unit_id,
            term__cluster__authority_id=user.authority_id,
        )
        .exclude(participations__unit_id=user.unit_id)
        .select_related("term__cluster")
        .order_by("opened_at", "pk")
    )


def _chaired_terms(user):
    """The years the officer's unit chairs, in the stages of the vote and the
    proposal, with the chair's powers still held (2 queries)."""
    memberships = (
        Membership.objects.filter(
            unit_id=user.unit_id,
            role=MemberRole.CHAIR,
            term__state__in=DRAFTING_TERM_STATES,
        )
        .select_related("term__cluster", "term__handover_out")
        .prefetch_related(
            Prefetch("term__memberships", queryset=Membership.objects.all())
        )
    )
    return [m.term for m in memberships if not chair_powers_ended(m.term)]


def officer_items(user, today):
    items = [
        todo.Item(
            _("Cast your unit's ballot: %(title)s") % {"title": vote.title},
            reverse("vote_detail", args=[vote.pk]),
            group=todo.term_group(MemberRole.MEMBER, vote.term),
            urgency=todo.DUE,
            order=VOTE,
        )
        for vote in _ballots_due(user)
    ]
    terms = _chaired_terms(user)
    if not terms:
        return items
    votes = {}
    for vote in (
        Vote.objects.filter(term__in=terms, kind=VoteKind.NOMINATION)
        .annotate(
            voter_count=Count("voters", distinct=True),
            cast=Count("participations", distinct=True),
        )
        .order_by("opened_at", "pk")
    ):
        votes.setdefault(vote.term_id, []).append(vote)
    proposals = {}
    for proposal in Proposal.objects.filter(term__in=terms).order_by("created_at"):
        proposals.setdefault(proposal.term_id, []).append(proposal)
    for term in terms:
        group = todo.term_group(MemberRole.CHAIR, term)
        term_votes = votes.get(term.pk, [])
        open_vote = next((v for v in term_votes if v.state == VoteState.OPEN), None)
        if open_vote is not None:
            items.append(
                todo.Item(
                    _("Close the nomination vote once the members have voted"),
                    reverse("vote_detail", args=[open_vote.pk]),
                    group=group,
                    done=open_vote.cast,
                    total=open_vote.voter_count,
                    progress_label=_("voted"),
                    urgency=todo.INFO
                    if open_vote.cast < open_vote.voter_count
                    else todo.OPEN,
                    order=VOTE,
                )
            )
        elif (
            term.state == TermState.VOTING
            and not term_votes
            and permissions.can_run_nomination(user, term)
        ):
            items.append(
                todo.Item(
                    _("Open the nomination vote"),
                    reverse("nomination_open", args=[term.pk]),
                    group=group,
                    order=VOTE,
                )
            )
        if not permissions.can_draft_term_proposal(user, term):
            continue
        drafted = proposals.get(term.pk, [])
        for proposal in drafted:
            if proposal.state in EDITABLE:
                items.append(
                    todo.Item(
                        _("Finish and send the award proposal “%(title)s”")
                        % {"title": proposal.title},
                        reverse("proposal_detail", args=[proposal.pk]),
                        group=group,
                        urgency=todo.OVERDUE
                        if proposal.state == ProposalState.RETURNED
                        else todo.OPEN,
                        note=_("returned for changes")
                        if proposal.state == ProposalState.RETURNED
                        else "",
                        order=PROPOSAL,
                    )
                )
        if term.state == TermState.PROPOSING and not drafted:
            items.append(
                todo.Item(
                    _("Draft the award proposal"),
                    reverse("term_proposal_create", args=[term.pk]),
                    group=group,
                    order=PROPOSAL,
                )
            )
    return items


def staff_items(user, today):
    """Proposals waiting for province staff's next act (1 query)."""
    group = todo.role_group(Role.PROVINCE_STAFF)
    return [
        todo.Item(
            STAFF_ACTION[proposal.state] % {"title": proposal.title},
            reverse("proposal_detail", args=[proposal.pk]),
            group=group,
            order=PROPOSAL,
        )
        for proposal in proposals_visible_to(user)
        .filter(state__in=WITH_STAFF)
        .order_by("created_at", "pk")
    ]


def provider(user, today):
    """`clusters.todo` provider of the awards app."""
    if is_unit_officer(user):
        return officer_items(user, today)
    if is_province_staff(user):
        return staff_items(user, today)
    return []


# Panels of the term and unit pages -------------------------------------------


def term_votes_panel(request, term):
    """The year's votes, and opening the nomination vote or the chair
    election for those who may."""
    user = request.user
    return "awards/includes/term_votes.html", {
        "term": term,
        "votes": votes_of_term(term),
        "can_open_chair_election": permissions.can_open_chair_election(user, term),
        "can_open_nomination": term.state == TermState.VOTING
        and permissions.can_run_nomination(user, term),
    }


def term_proposals_panel(request, term):
    """The year's award proposals the viewer may open, and drafting one."""
    user = request.user
    return "awards/includes/term_proposals.html", {
        "term": term,
        "term_proposals": term_proposals(term).filter(
            pk__in=proposals_visible_to(user)
        ),
        "can_draft_proposal": term.state in DRAFTING_TERM_STATES
        and permissions.can_draft_term_proposal(user, term),
    }


def term_summary_panel(request, term):
    """The year-end summary report (Word), for those who may download it."""
    if not permissions.can_download_summary(request.user, term):
        return None
    return "awards/includes/term_summary.html", {"term": term}


def unit_awards_panel(request, unit):
    """The unit's award history."""
    return "awards/includes/unit_awards.html", {"grants": unit_award_history(unit)}
