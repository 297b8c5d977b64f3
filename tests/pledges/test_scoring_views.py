from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.models import Term, TermState
from pledges import services
from pledges.models import Objection, Report, ReportState, Score
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import set_all_targets


def _state(world, state):
    Term.objects.filter(pk=world.term.pk).update(state=state)
    world.term.refresh_from_db()


@pytest.fixture
def submitted(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    _state(world, TermState.REPORTING)
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        services.report_start(term=world.term, unit=unit, actor=world.users["admin"])
    Report.objects.update(state=ReportState.SUBMITTED)
    _state(world, TermState.SCORING)
    return pledge


def test_member_scores_others_from_the_page(world, login, submitted):
    client = login(world.users["officer"])
    url = reverse("peer_scoring", args=[world.term.pk])
    page = client.get(url).content.decode()
    chair_report = Report.objects.get(unit=world.unit_chair)
    own_report = Report.objects.get(unit=world.unit_a)
    criterion = submitted.criteria.get(code="II.1")
    assert f'name="p-{chair_report.pk}-{criterion.pk}"' in page
    assert f'name="p-{own_report.pk}-{criterion.pk}"' not in page
    response = client.post(url, {f"p-{chair_report.pk}-{criterion.pk}": "32,5"})
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.points, score.scorer_unit) == (Decimal("32.5"), world.unit_a)


def test_own_report_cannot_be_scored_by_crafted_post(world, login, submitted):
    client = login(world.users["officer"])
    own = Report.objects.get(unit=world.unit_a)
    criterion = submitted.criteria.get(code="II.1")
    client.post(
        reverse("peer_scoring", args=[world.term.pk]),
        {f"p-{own.pk}-{criterion.pk}": "40"},
    )
    assert not Score.objects.exists()


def test_chair_sees_progress_and_adjusts_with_reason(world, login, submitted):
    client = login(world.users["chair_officer"])
    url = reverse("peer_scoring", args=[world.term.pk])
    html = client.get(url).content.decode()
    assert world.unit_deputy.name in html
    report = Report.objects.get(unit=world.unit_a)
    criterion = submitted.criteria.get(code="II.1")
    client.post(url, {f"r-{report.pk}-{criterion.pk}": "30"})
    assert not Score.objects.exists()  # no reason: refused
    client.post(
        url,
        {
            f"r-{report.pk}-{criterion.pk}": "30",
            f"rr-{report.pk}-{criterion.pk}": "Thiếu",
        },
    )
    assert Score.objects.get(kind="reviewer").points == Decimal(30)


def test_reply_object_and_answer(world, login, submitted):
    _state(world, TermState.REPLY)
    criterion = submitted.criteria.get(code="II.1")
    member = login(world.users["officer"])
    url = reverse("reply", args=[world.term.pk])
    assert "II.1" in member.get(url).content.decode()
    member.post(url, {"action": "object", "criterion": criterion.pk, "text": "Xem lại"})
    objection = Objection.objects.get()
    chair = login(world.users["chair_officer"])
    chair.post(
        url,
        {
            "action": "accept",
            "objection": objection.pk,
            "points": "36",
            "reason": "Đúng",
        },
    )
    objection.refresh_from_db()
    assert (objection.answer, objection.new_points) == ("accepted", Decimal(36))


@pytest.mark.parametrize("role", ["officer", "chair_officer"])
def test_scoring_page_query_count_is_stable(world, login, submitted, role):
    def grow():
        for n in range(45):
            unit = UnitFactory(authority=world.authority, name=f"Xã {n:02d}")
            MembershipFactory(term=world.term, unit=unit)
            Report.objects.create(
                term=world.term, unit=unit, state=ReportState.SUBMITTED
            )

    assert_queries_stable(
        login(world.users[role]), reverse("peer_scoring", args=[world.term.pk]), grow
    )


def test_scoring_and_reply_forms_survive_hostile_input(world, login, submitted):
    report = Report.objects.get(unit=world.unit_chair)
    criterion = submitted.criteria.get(code="II.1")
    key = f"{report.pk}-{criterion.pk}"
    fuzz_form(
        login(world.users["officer"]),
        reverse("peer_scoring", args=[world.term.pk]),
        fields=[f"p-{key}", f"c-{key}"],
        examples=100,
    )
    _state(world, TermState.REPLY)
    fuzz_form(
        login(world.users["chair_officer"]),
        reverse("reply", args=[world.term.pk]),
        fields=["action", "criterion", "text", "objection", "points", "reason"],
        examples=100,
    )
