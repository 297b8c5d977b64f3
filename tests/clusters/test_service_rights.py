"""The clusters services enforce who may act, whatever the page offers: only
an admin of the authority manages units, clusters, terms, members, the
rotation and users, moves a term through its cycle (province staff only to
`ranked`, by publishing) and re-opens it; only the outgoing chair's officers
or an admin record the handover. Each refusal is a DomainError and changes
nothing (the rows of the clusters app, history included, are compared)."""

import datetime

import pytest
from django.apps import apps
from django.utils import translation

from clusters import services
from clusters.models import Handover, MemberRole, Term, TermState, Unit
from core.errors import DomainError
from tests.clusters.factories import MembershipFactory, TermFactory

REFUSED = ("officer", "chair_officer", "staff", "other_admin")


def _rows():
    """Every row of the clusters app (history included), as one string."""
    return "\n".join(
        f"{model._meta.label}: {list(model.objects.order_by('pk').values_list())!r}"
        for model in apps.get_app_config("clusters").get_models()
        if model._meta.label != "clusters.FormSubmission"
    )


CALLS = {
    "unit_create": lambda w, u: services.unit_create(
        actor=u,
        authority=w.authority,
        name="Xã Mới",
        valid_from=datetime.date(2025, 7, 1),
    ),
    "unit_update": lambda w, u: services.unit_update(
        unit=w.unit_a, actor=u, name="Huyện A (sửa)"
    ),
    "unit_delete": lambda w, u: services.unit_delete(unit=w.spare, actor=u),
    "cluster_create": lambda w, u: services.cluster_create(
        actor=u, authority=w.authority, name="Cụm mới"
    ),
    "cluster_update": lambda w, u: services.cluster_update(
        cluster=w.cluster, actor=u, name="Cụm A (sửa)"
    ),
    "term_create": lambda w, u: services.term_create(
        cluster=w.cluster, year=2030, actor=u, units=[w.unit_a]
    ),
    "term_update": lambda w, u: services.term_update(
        term=w.term, actor=u, report_deadline=datetime.date(2025, 1, 15)
    ),
    "term_set_officers": lambda w, u: services.term_set_officers(
        term=w.term, chair=w.unit_deputy, deputy=w.unit_chair, actor=u
    ),
    "membership_add": lambda w, u: services.membership_add(
        term=w.term, unit=w.unit_other, actor=u
    ),
    "membership_remove": lambda w, u: services.membership_remove(
        membership=w.membership_a, actor=u
    ),
    "term_transition": lambda w, u: services.term_transition(
        term=w.term, to_state=TermState.PLEDGING, actor=u
    ),
    "term_open_next_year": lambda w, u: services.term_open_next_year(
        term=w.term,
        actor=u,
        units=[w.unit_a, w.unit_chair, w.unit_deputy],
        chair=w.unit_deputy,
        deputy=w.unit_a,
        reason="Theo thỏa thuận",
    ),
    "cluster_set_rotation_policy": lambda w, u: services.cluster_set_rotation_policy(
        cluster=w.cluster, policy="ordered", reason="Đổi cách luân phiên", actor=u
    ),
    "rotation_add": lambda w, u: services.rotation_add(
        cluster=w.cluster, unit=w.unit_a, actor=u
    ),
    "user_update": lambda w, u: services.user_update(
        user=w.users["officer"], actor=u, full_name="Tên mới"
    ),
    "user_set_password": lambda w, u: services.user_set_password(
        user=w.users["officer"], actor=u, password="mat-khau-moi-123"
    ),
}


@pytest.fixture(autouse=True)
def spare(world):
    """A unit entered by mistake, for `unit_delete`."""
    world.spare = Unit.objects.create(
        authority=world.authority,
        name="Nhập nhầm",
        valid_from=datetime.date(2024, 1, 1),
    )


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_an_admin_of_the_authority_manages(world, name, role):
    world.term.refresh_from_db()
    before = _rows()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        CALLS[name](world, world.users[role])
    assert "Only an admin of the authority" in refused.value.message
    assert _rows() == before


@pytest.mark.parametrize("role", ["officer", "chair_officer", "staff"])
def test_only_an_admin_creates_users_and_in_their_own_authority(world, role):
    before = _rows()
    with pytest.raises(DomainError):
        services.user_create(
            actor=world.users[role],
            username="moi",
            password="mat-khau-moi-123",
            role="province_staff",
        )
    assert _rows() == before
    other_admin = world.users["other_admin"]
    user = services.user_create(
        actor=other_admin, username="moi", password="mat-khau-moi-123", role="admin"
    )
    assert user.authority_id == other_admin.authority_id


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_admin_of_the_authority_may(world, name):
    CALLS[name](world, world.users["admin"])


def test_province_staff_move_a_term_only_to_ranked(world):
    with pytest.raises(DomainError):
        services.term_transition(
            term=world.term, to_state=TermState.PLEDGING, actor=world.users["staff"]
        )
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPLY)
    # Not refused for the actor: the `ranked` guard wants a published ranking.
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.term_transition(
            term=world.term, to_state=TermState.RANKED, actor=world.users["staff"]
        )
    assert "Only an admin" not in refused.value.message


@pytest.fixture
def closing(world):
    """World's term decided, with next year's term chaired by the deputy."""
    Term.objects.filter(pk=world.term.pk).update(state=TermState.DECIDED)
    world.term.refresh_from_db()
    next_term = TermFactory(cluster=world.cluster, year=world.term.year + 1)
    MembershipFactory(term=next_term, unit=world.unit_deputy, role=MemberRole.CHAIR)
    MembershipFactory(term=next_term, unit=world.unit_chair, role=MemberRole.DEPUTY)
    return next_term


def _handover(world, next_term, actor):
    return services.handover_record(
        from_term=world.term,
        to_term=next_term,
        actor=actor,
        date=datetime.date(2025, 1, 20),
        place="Thành phố A",
        occasion="Hội nghị tổng kết",
        override_reason="Bàn giao theo kế hoạch",
    )


@pytest.mark.parametrize("role", ["officer", "staff", "other_admin"])
def test_only_the_chair_or_an_admin_records_the_handover(world, closing, role):
    before = _rows()
    with translation.override("en"), pytest.raises(DomainError) as refused:
        _handover(world, closing, world.users[role])
    assert "record the handover" in refused.value.message
    assert _rows() == before


def test_an_admin_records_the_handover_and_closes_the_term(world, closing):
    handover = _handover(world, closing, world.users["admin"])
    world.term.refresh_from_db()
    assert world.term.state == TermState.CLOSED
    assert Handover.objects.get() == handover
    latest = world.term.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        world.users["admin"],
        "Bàn giao theo kế hoạch",
    )
