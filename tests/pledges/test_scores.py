"""Peer and reviewer scores, objections, standings from data, publishing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import selectors, services
from pledges.models import Objection, RankingSnapshot, Report, Score
from tests.pledges.conftest import publish_ranking, report_of, term_to, unit_officer

pytestmark = pytest.mark.usefixtures("english")


def test_peers_score_others_never_themselves(world, scored):
    criterion = scored.criteria.get(code="II.1")
    report = report_of(world, world.unit_a)
    with pytest.raises(DomainError, match="own report"):
        services.peer_score_set(
            report=report, criterion=criterion, scorer_unit=world.unit_a,
            points=Decimal(40), comment="", actor=world.users["officer"],
        )  # fmt: skip
    with pytest.raises(DomainError, match="from 0 to 40"):
        services.peer_score_set(
            report=report, criterion=criterion, scorer_unit=world.unit_chair,
            points=Decimal(41), comment="", actor=world.users["chair_officer"],
        )  # fmt: skip
    for unit, points in ((world.unit_chair, 30), (world.unit_deputy, 35)):
        services.peer_score_set(
            report=report, criterion=criterion, scorer_unit=unit,
            points=Decimal(points), comment="", actor=unit_officer(unit),
        )  # fmt: skip
    standings = {s.unit.pk: s for s in selectors.term_standings(world.term)}
    a = standings[world.unit_a.pk]
    assert [(line.code, line.points) for line in a.lines] == [
        ("I.1", Decimal("30.00")),
        ("I.2", Decimal("30.00")),
        ("II.1", Decimal("32.50")),
        ("III.1", None),
    ]
    assert a.total == Decimal("92.50")


def test_reviewer_score_needs_reason_and_prevails(world, scored):
    criterion = scored.criteria.get(code="II.1")
    report = report_of(world, world.unit_a)
    with pytest.raises(DomainError, match="reason"):
        services.reviewer_score_set(
            report=report, criterion=criterion, points=Decimal(20), reason="",
            actor=world.users["chair_officer"],
        )  # fmt: skip
    services.reviewer_score_set(
        report=report,
        criterion=criterion,
        points=Decimal(20),
        reason="Thiếu minh chứng",
        actor=world.users["chair_officer"],
    )
    standings = {s.unit.pk: s for s in selectors.term_standings(world.term)}
    assert standings[world.unit_a.pk].lines[2].points == Decimal(20)


def test_ranking_orders_members_and_late_report_loses_points(world, scored):
    Report.objects.filter(term=world.term, unit=world.unit_chair).update(late=True)
    ordered = selectors.term_standings(world.term)
    assert [s.unit.name for s in ordered] == ["Huyện A", "Huyện Chủ trì", "Huyện Phó"]
    chair = ordered[1]
    assert chair.deduction == Decimal(1)
    assert [s.rank for s in ordered] == [1, 2, 3]


def test_objection_and_publishing(world, scored):
    criterion = scored.criteria.get(code="II.1")
    report = report_of(world, world.unit_a)
    with pytest.raises(DomainError, match="right-of-reply"):
        services.objection_raise(
            report=report, criterion=criterion, text="x", actor=world.users["officer"]
        )
    term_to(world, TermState.REPLY)
    report = report_of(world, world.unit_a)
    objection = services.objection_raise(
        report=report, criterion=criterion, text="Đã nộp minh chứng bổ sung",
        actor=world.users["officer"],
    )  # fmt: skip
    with pytest.raises(DomainError, match="objections are not answered"):
        services.ranking_publish(term=world.term, actor=world.users["admin"])
    services.objection_answer(
        objection=objection, accept=True, new_points=Decimal(38),
        reason="Minh chứng hợp lệ", actor=world.users["chair_officer"],
    )  # fmt: skip
    with pytest.raises(DomainError, match="already been answered"):
        services.objection_answer(
            objection=objection, accept=False, reason="x",
            actor=world.users["chair_officer"],
        )  # fmt: skip
    first = publish_ranking(world.term, world.users["admin"])
    assert first.number == 1
    assert world.term.state == TermState.RANKED
    assert first.rows[0]["unit"] == "Huyện A"
    assert first.rows[0]["lines"][2]["points"] == "38.00"
    with pytest.raises(DomainError, match="republish"):
        services.ranking_publish(term=world.term, actor=world.users["admin"])
    with pytest.raises(DomainError, match="Nothing changed"):
        services.ranking_publish(
            term=world.term, actor=world.users["admin"], reason="Sửa sai sót"
        )
    Score.objects.filter(report__unit=world.unit_a, kind="reviewer").update(
        points=Decimal(36)
    )
    second = services.ranking_publish(
        term=world.term, actor=world.users["admin"], reason="Sửa sai sót"
    )
    assert (second.number, RankingSnapshot.objects.count()) == (2, 2)


def test_cluster_totals(world, scored):
    rows = {r["indicator"].code: r for r in selectors.cluster_totals(world.term).rows}
    # plans 100 each; actuals 105 + 100 + 80 = 285 of 300.
    assert rows["CT1"]["percent_of_plan"] == Decimal(95)
    assert (rows["CT1"]["above"], rows["CT1"]["below"]) == (2, 1)


def test_objection_after_the_deadline_is_refused(world, scored):
    term_to(world, TermState.REPLY)
    criterion = scored.criteria.get(code="II.1")
    today = timezone.localdate()
    Term.objects.filter(pk=world.term.pk).update(
        reply_deadline=today - datetime.timedelta(days=1)
    )
    report = report_of(world, world.unit_a)
    with pytest.raises(DomainError, match="deadline"):
        services.objection_raise(
            report=report, criterion=criterion, text="x", actor=world.users["officer"]
        )
    assert Objection.objects.count() == 0
    Term.objects.filter(pk=world.term.pk).update(reply_deadline=today)
    report = report_of(world, world.unit_a)
    services.objection_raise(
        report=report, criterion=criterion, text="x", actor=world.users["officer"]
    )
    assert Objection.objects.count() == 1


def test_peer_score_without_a_scoring_unit_is_refused(world, scored):
    """Peer scores come from a member unit: a user without one (province
    staff) is refused by the service, whatever the page sends, not failed."""
    criterion = scored.criteria.get(code="II.1")
    report = report_of(world, world.unit_a)
    before = Score.objects.count()
    with pytest.raises(DomainError, match="Only members"):
        services.scores_save(
            actor=world.users["staff"],
            scorer_unit=None,
            peer=[(report, criterion, Decimal(30), "")],
        )
    assert Score.objects.count() == before
