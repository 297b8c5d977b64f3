"""Who may do what with votes. Which votes a user reaches at all is decided by
`selectors.votes_visible_to` (the term's visibility; 404 otherwise).

Nobody, admins included, can see which unit cast which ballot: ballots are kept
only as counts per candidate, with no unit, user or time, so there is no
predicate for it."""

from clusters.models import RotationPolicy
from clusters.permissions import (
    is_admin,
    is_chair_officer,
    is_province_staff,
    is_unit_officer,
    sees_whole_authority,
)


def _same_authority(user, term):
    return user.authority_id == term.cluster.authority_id


def can_open_vote(user, term):
    """Admins of the term's authority open votes."""
    return is_admin(user) and _same_authority(user, term)


def can_open_chair_election(user, term):
    """Admins of the term's authority open the chair election of a cluster whose
    chair is elected by its members."""
    return (
        can_open_vote(user, term)
        and term.cluster.rotation_policy == RotationPolicy.ELECTED
    )


def can_run_nomination(user, term):
    """Admins of the term's authority and the chair unit's officers open and close
    the nomination vote (uses prefetched memberships when present)."""
    return can_open_vote(user, term) or is_chair_officer(user, term)


def can_manage_vote(user, vote):
    """Who closes `vote`: admins of its authority, and for a nomination vote also
    the chair unit's officers."""
    from .models import VoteKind

    if vote.kind == VoteKind.NOMINATION:
        return can_run_nomination(user, vote.term)
    return can_open_vote(user, vote.term)


def can_close_vote(user, vote):
    """`can_manage_vote` while the vote is open."""
    return vote.is_open and can_manage_vote(user, vote)


def can_download_summary(user, term):
    """The chair unit's officers and the authority's staff and admins download
    the term's year-end summary report."""
    return (
        (is_admin(user) or is_province_staff(user)) and _same_authority(user, term)
    ) or is_chair_officer(user, term)


def can_see_who_cast(user, vote):
    """Admins of the vote's authority see which officer cast each unit's ballot
    and when (never what it contained); everyone else sees only which units
    have voted."""
    return can_open_vote(user, vote.term)


def is_voter_officer(user, vote, voter_ids):
    """An officer of one of the vote's eligible units (`voter_ids`): any officer
    of the unit may cast its one ballot."""
    return is_unit_officer(user) and user.unit_id in voter_ids


def can_cast_ballot(user, vote, voter_ids, voted_ids):
    """An officer of an eligible unit that has not voted yet, while the vote is
    open."""
    return (
        vote.is_open
        and is_voter_officer(user, vote, voter_ids)
        and user.unit_id not in voted_ids
    )


def can_see_result(user, vote):
    """Everyone who can see the vote sees its result once it is closed."""
    return not vote.is_open


# Catalogue, proposals, decisions and the registry ---------------------------
# (which proposals a user reaches at all: `selectors.proposals_visible_to`).


def _same_authority_as(user, obj):
    return bool(user.authority_id) and user.authority_id == obj.authority_id


def handles_awards(user):
    """Admins and province staff: receive, appraise, return and reject
    proposals, record decisions, moderate public comments, see statistics."""
    return sees_whole_authority(user)


def can_edit_catalogue(user):
    """Admins change their authority's award forms and base salaries."""
    return is_admin(user)


def can_draft_term_proposal(user, term):
    """The chair unit's officers and the authority's admins draft and send a
    term's proposal (uses prefetched memberships when present)."""
    return (is_admin(user) and _same_authority(user, term)) or is_chair_officer(
        user, term
    )


def is_drafter(user, proposal):
    """Who drafts and sends `proposal`: for a term's proposal those of
    `can_draft_term_proposal`, otherwise the authority's admins and staff."""
    if not _same_authority_as(user, proposal):
        return False
    if proposal.term_id:
        return can_draft_term_proposal(user, proposal.term)
    return handles_awards(user)


def can_edit_proposal(user, proposal):
    """Drafters change a draft or returned proposal."""
    return proposal.is_editable and is_drafter(user, proposal)


def can_handle_proposal(user, proposal):
    """Admins and province staff of the proposal's authority move a sent
    proposal on (receive, appraise, return, reject, record the decision)."""
    return handles_awards(user) and _same_authority_as(user, proposal)


def proposal_actions(user, proposal):
    """The workflow actions `user` may take on `proposal` now: a subset of
    "submit", "receive", "appraise", "return", "reject", "decide"."""
    state = proposal.state
    actions = []
    if can_edit_proposal(user, proposal):
        actions.append("submit")
    if can_handle_proposal(user, proposal):
        if state == "submitted":
            actions += ["receive", "return"]
        elif state == "received":
            actions += ["appraise", "return", "reject"]
        elif state == "appraised":
            actions += ["decide", "return", "reject"]
    return actions
