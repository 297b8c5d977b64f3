"""Who may do what with votes. Which votes a user reaches at all is decided by
`selectors.votes_visible_to` (the term's visibility; 404 otherwise).

Nobody, admins included, can see which unit cast which ballot: ballots carry no
unit, user or time, so there is no predicate for it."""

from clusters.models import RotationPolicy
from clusters.permissions import is_admin, is_unit_officer


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


def can_close_vote(user, vote):
    """Admins of the vote's authority close an open vote."""
    return vote.is_open and can_open_vote(user, vote.term)


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
