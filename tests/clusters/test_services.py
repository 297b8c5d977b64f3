import datetime

import pytest
from django.db import IntegrityError

from clusters import services
from clusters.models import (
    Handover,
    MemberRole,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
)
from core.errors import DomainError
from tests.clusters.factories import (
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
    staff,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def admin(world):
    return world.users["admin"]


def test_term_create_adds_members_chair_and_deputy(world, admin):
    units = [world.unit_a, world.unit_chair, world.unit_deputy]
    term = services.term_create(
        cluster=world.cluster,
        year=2025,
        actor=admin,
        units=units,
        chair=world.unit_chair,
        deputy=world.unit_a,
    )
    assert term.memberships.count() == 3
    assert term.chair == world.unit_chair
    assert term.deputy == world.unit_a
    assert term.state == TermState.PLANNING


def test_term_create_refuses_second_term_for_same_year(world, admin):
    with pytest.raises(DomainError, match="already has a term"):
        services.term_create(cluster=world.cluster, year=2024, actor=admin)
    assert Term.objects.filter(cluster=world.cluster).count() == 1


def test_database_refuses_second_term_for_same_year(world):
    with pytest.raises(IntegrityError):
        Term.objects.create(cluster=world.cluster, year=2024)


def test_term_create_refuses_chair_who_is_not_a_member(world, admin):
    with pytest.raises(DomainError, match="not a member"):
        services.term_create(
            cluster=world.cluster,
            year=2025,
            actor=admin,
            units=[world.unit_a],
            chair=world.unit_chair,
        )
    assert not Term.objects.filter(year=2025).exists()  # nothing half-saved


def test_set_officers_refuses_chair_equal_to_deputy(world, admin):
    with pytest.raises(DomainError, match="different units"):
        services.term_set_officers(
            term=world.term, chair=world.unit_a, deputy=world.unit_a, actor=admin
        )
    assert world.term.chair == world.unit_chair


def test_set_officers_swaps_chair_and_deputy(world, admin):
    services.term_set_officers(
        term=world.term, chair=world.unit_deputy, deputy=world.unit_chair, actor=admin
    )
    term = Term.objects.get(pk=world.term.pk)
    assert term.chair == world.unit_deputy
    assert term.deputy == world.unit_chair


def test_database_allows_one_chair_per_term(world):
    with pytest.raises(IntegrityError):
        Membership.objects.filter(pk=world.membership_a.pk).update(
            role=MemberRole.CHAIR
        )


def test_unit_of_another_authority_cannot_join(world, admin):
    stranger = UnitFactory()
    with pytest.raises(DomainError, match="another authority"):
        services.membership_add(term=world.term, unit=stranger, actor=admin)


def test_membership_remove_refuses_the_chair(world, admin):
    chair_membership = world.term.memberships.get(role=MemberRole.CHAIR)
    with pytest.raises(DomainError):
        services.membership_remove(membership=chair_membership, actor=admin)
    assert Membership.objects.filter(pk=chair_membership.pk).exists()


def test_transitions_follow_the_cycle(world, admin):
    term = services.term_transition(
        term=world.term, to_state=TermState.PLEDGING, actor=admin
    )
    assert term.state == TermState.PLEDGING
    with pytest.raises(DomainError, match="Cannot move from"):
        services.term_transition(term=term, to_state=TermState.CLOSED, actor=admin)
    assert Term.objects.get(pk=term.pk).state == TermState.PLEDGING


def test_reopening_a_closed_term_needs_admin_and_reason(world, admin):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.CLOSED)
    with pytest.raises(DomainError, match="reason"):
        services.term_transition(
            term=world.term, to_state=TermState.DECIDED, actor=admin
        )
    with pytest.raises(DomainError, match="Only an admin"):
        services.term_transition(
            term=world.term,
            to_state=TermState.DECIDED,
            actor=world.users["staff"],
            reason="sai sót",
        )
    term = services.term_transition(
        term=world.term, to_state=TermState.DECIDED, actor=admin, reason="Sửa sai sót"
    )
    assert term.state == TermState.DECIDED
    record = term.history.first()
    assert record.history_user == admin
    assert record.history_change_reason == "Sửa sai sót"


def test_closed_term_refuses_changes(world, admin):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.CLOSED)
    term = Term.objects.get(pk=world.term.pk)
    with pytest.raises(DomainError, match="closed"):
        services.membership_add(term=term, unit=world.unit_other, actor=admin)


def test_handover_records_and_closes_the_term(world, admin):
    next_term = services.term_create(
        cluster=world.cluster,
        year=2025,
        actor=admin,
        units=[world.unit_a, world.unit_deputy],
        chair=world.unit_deputy,
    )
    Term.objects.filter(pk=world.term.pk).update(state=TermState.DECIDED)
    handover = services.handover_record(
        from_term=world.term,
        to_term=next_term,
        actor=admin,
        date=datetime.date(2025, 1, 20),
        place="Ngã Bảy",
        occasion="Hội nghị tổng kết",
    )
    assert (handover.from_unit, handover.to_unit) == (
        world.unit_chair,
        world.unit_deputy,
    )
    assert Term.objects.get(pk=world.term.pk).state == TermState.CLOSED
    with pytest.raises(DomainError, match="already recorded"):
        services.handover_record(
            from_term=world.term,
            to_term=next_term,
            actor=admin,
            date=datetime.date(2025, 1, 21),
            place="x",
            occasion="x",
        )
    assert Handover.objects.count() == 1


def test_handover_refuses_a_term_not_yet_decided(world, admin):
    next_term = TermFactory(cluster=world.cluster, year=2025)
    MembershipFactory(term=next_term, unit=world.unit_a, role=MemberRole.CHAIR)
    with pytest.raises(DomainError, match="decided"):
        services.handover_record(
            from_term=world.term,
            to_term=next_term,
            actor=admin,
            date=datetime.date(2025, 1, 20),
            place="x",
            occasion="x",
        )
    assert not Handover.objects.exists()


def test_handover_refuses_a_term_of_another_cluster(world, admin):
    other = TermFactory(cluster=ClusterFactory(authority=world.authority), year=2025)
    with pytest.raises(DomainError, match="same cluster"):
        services.handover_record(
            from_term=world.term,
            to_term=other,
            actor=admin,
            date=datetime.date(2025, 1, 20),
            place="x",
            occasion="x",
        )


def test_unit_with_history_cannot_be_deleted(world, admin):
    with pytest.raises(DomainError, match="Deactivate it instead"):
        services.unit_delete(unit=world.unit_a, actor=admin)
    assert Unit.objects.filter(pk=world.unit_a.pk).exists()


def test_unit_without_history_is_deleted_with_a_history_record(world, admin):
    unit = services.unit_create(
        actor=admin,
        authority=world.authority,
        name="Xã Nhập Nhầm",
        short_name="Nhập nhầm",
        kind="commune",
        valid_from=datetime.date(2025, 7, 1),
    )
    pk = unit.pk
    services.unit_delete(unit=unit, actor=admin)
    assert not Unit.objects.filter(pk=pk).exists()
    assert Unit.history.filter(id=pk, history_type="-").get().history_user == admin


def test_deactivate_sets_end_date_and_successor(world, admin):
    successor = UnitFactory(authority=world.authority, name="Phường Mới")
    unit = services.unit_deactivate(
        unit=world.unit_a,
        actor=admin,
        valid_to=datetime.date(2025, 6, 30),
        successor=successor,
    )
    assert unit.valid_to == datetime.date(2025, 6, 30)
    assert unit.successor == successor
    assert not unit.is_active_on(datetime.date(2025, 7, 1))
    assert unit.is_active_on(datetime.date(2025, 6, 30))
    record = unit.history.first()
    assert record.history_user == admin
    assert record.prev_record.valid_to is None


def test_user_create_and_admin_cannot_demote_self(world, admin):
    user = services.user_create(
        actor=admin,
        username="canbo_moi",
        password="mat-khau-rat-dai-2025",
        role=Role.UNIT_OFFICER,
        unit=world.unit_a,
        full_name="Trần Thị B",
    )
    assert user.authority == world.authority
    assert user.check_password("mat-khau-rat-dai-2025")
    with pytest.raises(DomainError):
        services.user_update(user=admin, actor=admin, role=Role.PROVINCE_STAFF)
    with pytest.raises(DomainError):
        services.user_update(user=admin, actor=admin, is_active=False)


def test_officer_needs_a_unit(world, admin):
    with pytest.raises(DomainError, match="needs a unit"):
        services.user_create(
            actor=admin,
            username="x1",
            password="p-a-s-s-w-o-r-d",
            role=Role.UNIT_OFFICER,
        )


def test_history_records_actor_before_and_after(world, admin):
    services.cluster_update(cluster=world.cluster, actor=admin, name="Cụm A mới")
    latest = world.cluster.history.first()
    assert latest.history_user == admin
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name", "Cụm A", "Cụm A mới")
    ]


def test_staff_factory_has_no_unit(world):
    assert staff(world.authority).unit is None
