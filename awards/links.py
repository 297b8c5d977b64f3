"""The awards app's links and steps of the year (see `clusters.links`): the
nomination vote and the award proposals, each shown by the predicate its view
checks, in the stages where it is used."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clusters import links
from clusters.models import TermState

from . import permissions
from .models import VoteKind
from .selectors import proposals_visible_to, term_proposals
from .services import DRAFTING_TERM_STATES

_ORDER = list(TermState)


def _voting_on(term):
    return _ORDER.index(TermState(term.state)) >= _ORDER.index(TermState.VOTING)


def _proposing_on(term):
    return _ORDER.index(TermState(term.state)) >= _ORDER.index(TermState.PROPOSING)


def _vote_url(user, term):
    """The year's latest nomination vote, or opening one for those who may."""
    vote = (
        term.votes.filter(kind=VoteKind.NOMINATION).order_by("-opened_at", "-pk")
    ).first()
    if vote is not None:
        return reverse("vote_detail", args=[vote.pk])
    if term.state == TermState.VOTING and permissions.can_run_nomination(user, term):
        return reverse("nomination_open", args=[term.pk])
    return None


def _proposal_url(user, term):
    """The year's latest proposal the user may open, or drafting one for those
    who may."""
    proposal = term_proposals(term).filter(pk__in=proposals_visible_to(user)).first()
    if proposal is not None:
        return reverse("proposal_detail", args=[proposal.pk])
    if term.state in DRAFTING_TERM_STATES and permissions.can_draft_term_proposal(
        user, term
    ):
        return reverse("term_proposal_create", args=[term.pk])
    return None


def register():
    links.register("nomination_open", permissions.can_run_nomination)
    links.register("term_proposal_create", permissions.can_draft_term_proposal)
    links.STEP_STAGES.update(vote=TermState.VOTING, proposals=TermState.PROPOSING)
    links.register_step(
        order=90,
        key="vote",
        label=_("Nomination vote"),
        shown=lambda user, term: _voting_on(term),
        url=_vote_url,
    )
    links.register_step(
        order=100,
        key="proposals",
        label=_("Award proposals"),
        shown=lambda user, term: _proposing_on(term),
        url=_proposal_url,
    )
