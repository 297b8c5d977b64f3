"""Permission-matrix rows of the awards URLs, in the format of
`tests.test_permission_matrix.MATRIX` (name → (method, kwargs from the world,
data, expected statuses by role in `tests.conftest.ROLES` order)).

Vote URLs need a vote: `_vote(world)` opens the world's chair election once and
caches it on the world object."""

from awards import services
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


MATRIX_ROWS = {
    "chair_election_open": (
        "post",
        lambda w: {"pk": _elected_term(w).pk},
        None,
        MANAGE_POST,
    ),
    "vote_detail": ("get", lambda w: {"pk": _vote(w).pk}, None, READ_CLUSTER),
    "ballot_cast": ("get", lambda w: {"pk": _vote(w).pk}, None, CAST_BALLOT),
    "vote_close": ("post", lambda w: {"pk": _vote(w).pk}, None, MANAGE_POST),
}
