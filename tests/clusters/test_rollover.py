"""Rotation policy and order, year rollover and handover services."""

import datetime

import pytest
from django.dispatch import receiver

from clusters import selectors, services
from clusters.models import (
    Handover,
    MemberRole,
    RotationPolicy,
    RotationSlot,
    Term,
    TermState,
)
from core.errors import DomainError
from tests.clusters.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def ordered(world):
    """world.cluster with rotation order chair → deputy → A and policy default."""
    admin = world.users["admin"]
    for unit in (world.unit_chair, world.unit_deputy, world.unit_a):
        services.rotation_add(cluster=world.cluster, unit=unit, actor=admin)
    return world


def _order(cluster):
    return list(
        RotationSlot.objects.filter(cluster=cluster)
        .order_by("position")
        .values_list("unit__name", flat=True)
    )


def test_rotation_order_add_move_remove(ordered):
    w, admin = ordered, ordered.users["admin"]
    assert _order(w.cluster) == ["Huyện Chủ trì", "Huyện Phó", "Huyện A"]
    services.rotation_move(cluster=w.cluster, unit=w.unit_a, offset=-1, actor=admin)
    assert _order(w.cluster) == ["Huyện Chủ trì", "Huyện A", "Huyện Phó"]
    services.rotation_move(cluster=w.cluster, unit=w.unit_chair, offset=-1, actor=admin)
    assert _order(w.cluster) == ["Huyện Chủ trì", "Huyện A", "Huyện Phó"]
    services.rotation_remove(cluster=w.cluster, unit=w.unit_a, actor=admin)
    assert _order(w.cluster) == ["Huyện Chủ trì", "Huyện Phó"]
    with pytest.raises(DomainError, match="already in the rotation order"):
        services.rotation_add(cluster=w.cluster, unit=w.unit_chair, actor=admin)
    assert RotationSlot.history.filter(history_user=admin).exists()


def test_policy_change_needs_reason_and_applies_next_year(world):
    admin = world.users["admin"]
    with pytest.raises(DomainError, match="reason"):
        services.cluster_set_rotation_policy(
            cluster=world.cluster,
            policy=RotationPolicy.ORDERED,
            reason=" ",
            actor=admin,
        )
    cluster = services.cluster_set_rotation_policy(
        cluster=world.cluster,
        policy=RotationPolicy.ORDERED,
        reason="Nghị quyết hội nghị cụm",
        actor=admin,
    )
    assert (cluster.rotation_policy, cluster.rotation_policy_since) == ("ordered", 2025)
    assert cluster.history.first().history_change_reason == "Nghị quyết hội nghị cụm"
    assert world.term.chair == world.unit_chair  # the running year is untouched


def test_rollover_proposal_follows_deputy_succeeds(ordered):
    proposal = selectors.rollover_proposal(ordered.term)
    assert proposal.year == 2025
    assert proposal.chair == ordered.unit_deputy
    assert proposal.deputy == ordered.unit_a
    assert {u.pk for u in proposal.units} == {
        ordered.unit_a.pk,
        ordered.unit_chair.pk,
        ordered.unit_deputy.pk,
    }


def test_rollover_replaces_merged_member_with_successor(ordered):
    heir = UnitFactory(authority=ordered.authority, name="Phường Mới")
    services.unit_deactivate(
        unit=ordered.unit_a,
        actor=ordered.users["admin"],
        valid_to=datetime.date(2024, 6, 30),
        successor=heir,
    )
    proposal = selectors.rollover_proposal(ordered.term)
    assert proposal.removed == [ordered.unit_a]
    assert proposal.added == [heir]
    assert proposal.deputy == heir


STRICT_BANDS = [
    {"band": "excellent", "min_total": 95, "min_criterion": 85},
    {"band": "good", "min_total": 85, "min_criterion": None},
    {"band": "complete", "min_total": 72.5, "min_criterion": None},
]


def test_open_next_year_carries_members_and_shifts_deadline(ordered):
    w, admin = ordered, ordered.users["admin"]
    Term.objects.filter(pk=w.term.pk).update(
        report_deadline=datetime.date(2024, 12, 15),
        reply_deadline=datetime.date(2025, 1, 10),
        total_points=120,
        assessed_method="peer_median",
        bonus_cap=3,
        nomination_seats=2,
        bands=STRICT_BANDS,
    )
    term = Term.objects.get(pk=w.term.pk)
    proposal = selectors.rollover_proposal(term)
    received = []

    @receiver(services.term_opened_from_previous, weak=False)
    def hook(sender, previous, term, actor, **kwargs):
        received.append((previous.year, term.year, actor))

    try:
        new = services.term_open_next_year(
            term=term,
            actor=admin,
            units=proposal.units,
            chair=proposal.chair,
            deputy=proposal.deputy,
        )
    finally:
        services.term_opened_from_previous.disconnect(hook)
    assert (new.year, new.report_deadline, new.total_points) == (
        2025,
        datetime.date(2025, 12, 15),
        120,
    )
    assert (new.reply_deadline, new.assessed_method, new.bonus_cap) == (
        datetime.date(2026, 1, 10),
        "peer_median",
        3,
    )
    assert new.nomination_seats == 2
    assert new.bands == STRICT_BANDS
    assert (new.chair, new.deputy) == (w.unit_deputy, w.unit_a)
    assert new.memberships.count() == 3
    assert received == [(2024, 2025, admin)]
    with pytest.raises(DomainError, match="already open"):
        services.term_open_next_year(
            term=term, actor=admin, units=proposal.units, chair=None, deputy=None
        )
    assert Term.objects.filter(cluster=w.cluster).count() == 2


def test_override_needs_reason_and_is_kept(ordered):
    w, admin = ordered, ordered.users["admin"]
    units = [w.unit_a, w.unit_chair, w.unit_deputy]
    with pytest.raises(DomainError, match="reason"):
        services.term_open_next_year(
            term=w.term, actor=admin, units=units, chair=w.unit_a, deputy=w.unit_deputy
        )
    assert not Term.objects.filter(year=2025).exists()
    new = services.term_open_next_year(
        term=w.term,
        actor=admin,
        units=units,
        chair=w.unit_a,
        deputy=w.unit_deputy,
        reason="Huyện Phó xin lùi một năm",
    )
    assert new.history.earliest().history_change_reason == "Huyện Phó xin lùi một năm"


def test_chair_cannot_chair_two_years_running(ordered):
    w, admin = ordered, ordered.users["admin"]
    with pytest.raises(DomainError, match="two years running"):
        services.term_open_next_year(
            term=w.term,
            actor=admin,
            units=[w.unit_a, w.unit_chair],
            chair=w.unit_chair,
            deputy=w.unit_a,
            reason="x",
        )
    assert not Term.objects.filter(year=2025).exists()


def test_inactive_unit_is_refused(ordered):
    w, admin = ordered, ordered.users["admin"]
    services.unit_deactivate(
        unit=w.unit_a, actor=admin, valid_to=datetime.date(2024, 7, 1)
    )
    with pytest.raises(DomainError, match="not active"):
        services.term_open_next_year(
            term=w.term,
            actor=admin,
            units=[w.unit_a, w.unit_deputy],
            chair=w.unit_deputy,
            deputy=None,
            reason="x",
        )


def _next_year(world):
    return services.term_open_next_year(
        term=world.term,
        actor=world.users["admin"],
        units=[world.unit_a, world.unit_chair, world.unit_deputy],
        chair=world.unit_deputy,
        deputy=world.unit_a,
        reason="test",
    )


def test_handover_refused_while_mandatory_steps_are_open(ordered):
    w = ordered
    next_term = _next_year(w)
    with pytest.raises(DomainError, match="Mandatory steps"):
        services.handover_record(
            from_term=w.term,
            to_term=next_term,
            actor=w.users["chair_officer"],
            date=datetime.date(2025, 1, 20),
            place="Ngã Bảy",
            occasion="Hội nghị",
        )
    with pytest.raises(DomainError, match="Mandatory steps"):
        services.handover_record(  # an admin needs a reason to override
            from_term=w.term,
            to_term=next_term,
            actor=w.users["admin"],
            date=datetime.date(2025, 1, 20),
            place="Ngã Bảy",
            occasion="Hội nghị",
        )
    assert not Handover.objects.exists()
    services.handover_record(
        from_term=w.term,
        to_term=next_term,
        actor=w.users["admin"],
        date=datetime.date(2025, 1, 20),
        place="Ngã Bảy",
        occasion="Hội nghị",
        override_reason="Hội nghị đã họp, quyết định khen thưởng ban hành sau",
    )
    assert Term.objects.get(pk=w.term.pk).state == TermState.CLOSED


def test_chair_officer_hands_over_when_checklist_is_done(ordered):
    w = ordered
    next_term = _next_year(w)
    Term.objects.filter(pk=w.term.pk).update(state=TermState.DECIDED)
    checklist = selectors.handover_checklist(Term.objects.get(pk=w.term.pk))
    assert not [item.label for item in checklist if item.blocks]
    handover = services.handover_record(
        from_term=w.term,
        to_term=next_term,
        actor=w.users["chair_officer"],
        date=datetime.date(2025, 1, 20),
        place="Ngã Bảy",
        occasion="Hội nghị",
    )
    assert (handover.from_unit, handover.to_unit) == (w.unit_chair, w.unit_deputy)


def test_chair_powers_follow_the_chair(ordered):
    from clusters.permissions import is_chair_officer

    w = ordered
    next_term = _next_year(w)
    from tests.clusters.factories import officer

    new_chair_officer = officer(w.unit_deputy)
    assert is_chair_officer(w.users["chair_officer"], w.term)
    assert not is_chair_officer(w.users["chair_officer"], next_term)
    assert is_chair_officer(new_chair_officer, next_term)
    assert next_term.memberships.get(role=MemberRole.CHAIR).unit == w.unit_deputy
