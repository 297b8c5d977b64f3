"""Permission-matrix rows of the awards URLs, in the format of
`tests.test_permission_matrix.MATRIX` (name → (method, kwargs from the world,
data, expected statuses by role in `tests.conftest.ROLES` order)).

Vote URLs need a vote: `_vote(world)` opens the world's chair election once and
caches it on the world object."""

from awards import services
from awards.models import VoteKind
from clusters.models import Cluster, RotationPolicy

LOGIN = "login-redirect"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin.
READ_CLUSTER = [LOGIN, 200, 404, 200, 200, 200, 404]
MANAGE_POST = [LOGIN, 403, 403, 403, 403, 302, 404]
# Only officers of a voting unit; staff and admins may never cast a ballot.
CAST_BALLOT = [LOGIN, 200, 404, 200, 403, 403, 403]


def _elected_term(world):
    """The world's term, its cluster switched to the elected rotation policy."""
    Cluster.objects.filter(pk=world.cluster.pk).update(
        rotation_policy=RotationPolicy.ELECTED
    )
    return world.term


def _vote(world):
    vote = getattr(world, "_chair_election", None)
    if vote is None:
        vote = services.chair_election_open(
            term=_elected_term(world), actor=world.users["admin"]
        )
        world._chair_election = vote
    return vote


def _closed_vote(world):
    """A closed nomination vote of the world's term, created once."""
    vote = getattr(world, "_closed_vote", None)
    if vote is None:
        admin = world.users["admin"]
        vote = services.vote_open(
            term=world.term,
            kind=VoteKind.NOMINATION,
            title="Bình xét",
            questions=[
                {
                    "code": services.LEADING,
                    "title": "Đơn vị dẫn đầu",
                    "max_choices": 1,
                    "units": [world.unit_a, world.unit_chair],
                }
            ],
            actor=admin,
        )
        vote = world._closed_vote = services.vote_close(vote=vote, actor=admin)
    return vote


MATRIX_ROWS = {
    "chair_election_open": (
        "post",
        lambda w: {"pk": _elected_term(w).pk},
        None,
        MANAGE_POST,
    ),
    "vote_detail": ("get", lambda w: {"pk": _vote(w).pk}, None, READ_CLUSTER),
    "ballot_cast": ("get", lambda w: {"pk": _vote(w).pk}, None, CAST_BALLOT),
    # Officers reach the vote first: another cluster's officer gets 404.
    "vote_close": (
        "post",
        lambda w: {"pk": _vote(w).pk},
        None,
        [LOGIN, 403, 404, 403, 403, 302, 404],
    ),
    # The chair unit's officers and admins open the nomination vote.
    "nomination_open": (
        "get",
        lambda w: {"pk": w.term.pk},
        None,
        [LOGIN, 403, 404, 200, 403, 200, 404],
    ),
    "vote_minutes": ("get", lambda w: {"pk": _closed_vote(w).pk}, None, READ_CLUSTER),
    # The chair unit's officers, staff and admins download the summary report.
    "term_summary_docx": (
        "get",
        lambda w: {"pk": w.term.pk},
        None,
        [LOGIN, 403, 404, 200, 200, 200, 404],
    ),
}

# Catalogue, proposals, decisions and the registry (awards-registry).
from tests.awards.proposal_matrix import PROPOSAL_ROWS  # noqa: E402

MATRIX_ROWS.update(PROPOSAL_ROWS)
