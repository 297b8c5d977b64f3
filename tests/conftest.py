"""Shared fixtures: a small world with every role of the permission matrix."""

from dataclasses import dataclass

import pytest

from clusters.models import MemberRole, Role
from tests.clusters.factories import (
    AuthorityFactory,
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
    staff,
)


@dataclass
class World:
    authority: object
    cluster: object
    term: object
    unit_a: object
    unit_chair: object
    unit_deputy: object
    unit_other: object
    membership_a: object
    users: dict


ROLES = [
    "anonymous",
    "officer",
    "other_officer",
    "chair_officer",
    "staff",
    "admin",
    "other_admin",
]


@pytest.fixture
def world(db):
    """Authority with a cluster whose 2024 term has unit A (member), a chair and a
    deputy; a second cluster holding another unit; and a second authority."""
    authority = AuthorityFactory(name="UBND tỉnh Hậu Giang Thử")
    cluster = ClusterFactory(authority=authority, name="Cụm A")
    term = TermFactory(cluster=cluster, year=2024)
    unit_a = UnitFactory(authority=authority, name="Huyện A")
    unit_chair = UnitFactory(authority=authority, name="Huyện Chủ trì")
    unit_deputy = UnitFactory(authority=authority, name="Huyện Phó")
    membership_a = MembershipFactory(term=term, unit=unit_a)
    MembershipFactory(term=term, unit=unit_chair, role=MemberRole.CHAIR)
    MembershipFactory(term=term, unit=unit_deputy, role=MemberRole.DEPUTY)
    other_cluster = ClusterFactory(authority=authority, name="Cụm B")
    other_term = TermFactory(cluster=other_cluster, year=2024)
    unit_other = UnitFactory(authority=authority, name="Huyện Khác")
    MembershipFactory(term=other_term, unit=unit_other, role=MemberRole.CHAIR)
    other_authority = AuthorityFactory(name="UBND tỉnh Khác")
    users = {
        "anonymous": None,
        "officer": officer(unit_a, username="officer_a"),
        "other_officer": officer(unit_other, username="officer_other"),
        "chair_officer": officer(unit_chair, username="officer_chair"),
        "staff": staff(authority, username="staff"),
        "admin": staff(authority, role=Role.ADMIN, username="admin"),
        "other_admin": staff(other_authority, role=Role.ADMIN, username="other_admin"),
    }
    return World(
        authority=authority,
        cluster=cluster,
        term=term,
        unit_a=unit_a,
        unit_chair=unit_chair,
        unit_deputy=unit_deputy,
        unit_other=unit_other,
        membership_a=membership_a,
        users=users,
    )


@pytest.fixture
def login(client):
    """Log the test client in as a user (or stay anonymous for None)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
