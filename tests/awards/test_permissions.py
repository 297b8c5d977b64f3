from awards import permissions
from awards.models import VoteKind
from clusters.models import Cluster, RotationPolicy
from tests.awards.factories import open_vote


def test_only_admins_of_the_authority_open_and_close_votes(world):
    vote = open_vote(world, kind=VoteKind.CHAIR_ELECTION)
    allowed = {
        role: permissions.can_close_vote(user, vote)
        for role, user in world.users.items()
        if user is not None
    }
    assert [role for role, ok in allowed.items() if ok] == ["admin"]
    assert permissions.can_see_who_cast(world.users["admin"], vote)
    assert not permissions.can_see_who_cast(world.users["staff"], vote)
    assert not permissions.can_see_who_cast(world.users["other_admin"], vote)


def test_chair_election_is_offered_only_under_the_elected_policy(world):
    admin = world.users["admin"]
    assert not permissions.can_open_chair_election(admin, world.term)
    Cluster.objects.filter(pk=world.cluster.pk).update(
        rotation_policy=RotationPolicy.ELECTED
    )
    world.term.cluster.refresh_from_db()
    assert permissions.can_open_chair_election(admin, world.term)
    assert not permissions.can_open_chair_election(world.users["staff"], world.term)


def test_any_officer_of_a_voting_unit_casts_until_it_has_voted(world):
    vote = open_vote(world)
    voters = {world.unit_a.pk, world.unit_chair.pk, world.unit_deputy.pk}
    officer, chair_officer = world.users["officer"], world.users["chair_officer"]
    assert permissions.can_cast_ballot(officer, vote, voters, set())
    assert not permissions.can_cast_ballot(officer, vote, voters, {world.unit_a.pk})
    assert permissions.can_cast_ballot(chair_officer, vote, voters, {world.unit_a.pk})
    for role in ("staff", "admin", "other_officer"):
        assert not permissions.can_cast_ballot(world.users[role], vote, voters, set())
