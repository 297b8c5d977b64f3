"""Who judges a report (no unit its own; the deputy chair the chair's),
publishing as province staff's act with its preconditions, corrections, chair
powers ending at the handover. The rank page with members whose
lines differ and the classification of published rankings."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from clusters import services as cluster_services
from clusters.models import ClusterKind, Handover, Term, TermState
from clusters.permissions import is_chair_officer, is_deputy_officer
from core.errors import DomainError
from pledges import services
from pledges.models import (
    Objection,
    RankingSnapshot,
    ReplyWaiver,
    Report,
    ReportAbsence,
    ReportState,
    ReviewItem,
    Score,
)
from tests.clusters.factories import (
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
)
from tests.helpers import assert_queries_stable
from tests.pledges.conftest import publish_ranking, report_of, term_to

pytestmark = pytest.mark.usefixtures("english")


def _vi(msgid, **params):
    with translation.override("vi"):
        text = gettext(msgid)
    return text % params if params else text


def _actor(world, role):
    if role == "deputy_officer":
        if "deputy_officer" not in world.users:
            world.users["deputy_officer"] = officer(
                world.unit_deputy, username="officer_deputy"
            )
        return world.users["deputy_officer"]
    return world.users[role]


# The reports' units by target; which targets each role may judge.
TARGETS = {"member": "unit_a", "chair": "unit_chair", "deputy": "unit_deputy"}
MAY_JUDGE = {
    "officer": set(),  # unit A's officer: no report (its own included)
    "chair_officer": {"member", "deputy"},  # never the chair's own
    "deputy_officer": {"chair"},  # the chair's report, never its own
    "staff": {"member", "chair", "deputy"},
    "admin": {"member", "chair", "deputy"},
}
CASES = [
    (role, target) for role in MAY_JUDGE for target in ("member", "chair", "deputy")
]


def _report(world, target):
    return report_of(world, getattr(world, TARGETS[target]))


@pytest.mark.parametrize(("role", "target"), CASES)
def test_reviewer_score_only_by_the_reports_reviewers(
    world, login, scored, role, target
):
    actor = _actor(world, role)
    report = _report(world, target)
    criterion = scored.criteria.get(code="II.1")
    allowed = target in MAY_JUDGE[role]
    field = f'name="r-{report.pk}-{criterion.pk}"'
    page = login(actor).get(reverse("peer_scoring", args=[world.term.pk]))
    assert (field in page.content.decode()) is allowed
    call = {
        "report": report,
        "criterion": criterion,
        "points": Decimal(40),
        "reason": "Điều chỉnh",
        "actor": actor,
    }
    if allowed:
        services.reviewer_score_set(**call)
        assert Score.objects.get(report=report, kind="reviewer").points == 40
    else:
        with pytest.raises(DomainError):
            services.reviewer_score_set(**call)
        assert not Score.objects.filter(report=report).exists()


@pytest.mark.parametrize(("role", "target"), CASES)
def test_objections_answered_only_by_the_reports_reviewers(
    world, login, scored, role, target
):
    actor = _actor(world, role)
    report = _report(world, target)
    criterion = scored.criteria.get(code="II.1")
    term_to(world, TermState.REPLY)
    objection = Objection.objects.create(
        report=report, criterion=criterion, text="Xem lại",
        raised_by=world.users["admin"],
    )  # fmt: skip
    allowed = target in MAY_JUDGE[role]
    page = login(actor).get(reverse("reply", args=[world.term.pk])).content.decode()
    assert (f'id="pts-{objection.pk}"' in page) is allowed
    call = {
        "objection": objection,
        "accept": True,
        "new_points": Decimal(39),
        "reason": "Hợp lệ",
        "actor": actor,
    }
    if allowed:
        services.objection_answer(**call)
        objection.refresh_from_db()
        assert objection.answer == Objection.Answer.ACCEPTED
        assert Score.objects.get(report=report, kind="reviewer").points == 39
    else:
        with pytest.raises(DomainError):
            services.objection_answer(**call)
        objection.refresh_from_db()
        assert (objection.answer, objection.answered_by) == ("", None)
        assert not Score.objects.filter(report=report).exists()


@pytest.mark.parametrize("act", ["accept", "return"])
@pytest.mark.parametrize(("role", "target"), CASES)
def test_reports_accepted_or_returned_only_by_their_reviewers(
    world, login, scored, role, target, act
):
    actor = _actor(world, role)
    term_to(world, TermState.REPORTING)
    report = _report(world, target)
    allowed = target in MAY_JUDGE[role]
    url = reverse("report_edit", args=[world.term.pk, report.unit_id])
    page = login(actor).get(url)
    offered = page.status_code == 200 and 'id="accept-report"' in page.content.decode()
    assert offered is allowed
    version = report.version
    if act == "accept":

        def call():
            return services.report_accept(report=report, actor=actor)
    else:

        def call():
            return services.report_return(
                report=report, actor=actor, items=[("summary", None, None, "Thiếu")]
            )

    if allowed:
        call()
        report.refresh_from_db()
        assert report.state == (
            ReportState.ACCEPTED if act == "accept" else ReportState.RETURNED
        )
    else:
        with pytest.raises(DomainError):
            call()
        report.refresh_from_db()
        assert (report.state, report.version) == (ReportState.SUBMITTED, version)
        assert not ReviewItem.objects.filter(report=report).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("officer", False),
        ("chair_officer", False),
        ("deputy_officer", False),
        ("staff", True),
        ("admin", True),
    ],
)
def test_only_province_staff_and_admins_publish(world, login, scored, role, allowed):
    actor = _actor(world, role)
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPLY, reply_deadline=datetime.date(2025, 1, 10)
    )
    Report.objects.filter(term=world.term).update(state=ReportState.ACCEPTED)
    world.term.refresh_from_db()
    client = login(actor)
    url = reverse("ranking_publish", args=[world.term.pk])
    assert client.get(url).status_code == (200 if allowed else 403)
    ranking = client.get(reverse("term_ranking", args=[world.term.pk]))
    assert (f'href="{url}"' in ranking.content.decode()) is allowed
    if allowed:
        services.ranking_publish(term=world.term, actor=actor, expected=0)
        assert Term.objects.get(pk=world.term.pk).state == TermState.RANKED
    else:
        with (
            translation.override("en"),
            pytest.raises(DomainError, match="province staff"),
        ):
            services.ranking_publish(term=world.term, actor=actor, expected=0)
        assert not RankingSnapshot.objects.exists()
        assert Term.objects.get(pk=world.term.pk).state == TermState.REPLY


def test_the_chair_still_sees_the_draft_ranking(world, login, scored):
    html = (
        login(world.users["chair_officer"])
        .get(reverse("term_ranking", args=[world.term.pk]))
        .content.decode()
    )
    assert 'id="draft-heading"' in html
    assert reverse("ranking_publish", args=[world.term.pk]) not in html


def test_chair_cannot_lift_its_own_report_to_first_place(world, scored):
    """The reported defect: one reviewer's POST moved the chair to first."""
    criterion = scored.criteria.get(code="II.1")
    before = [s.unit.pk for s in services_standings(world)]
    with pytest.raises(
        DomainError, match="own report. The deputy chair of the cluster reviews"
    ):
        services.reviewer_score_set(
            report=report_of(world, world.unit_chair), criterion=criterion,
            points=Decimal(40), reason="Tự chấm", actor=world.users["chair_officer"],
        )  # fmt: skip
    assert [s.unit.pk for s in services_standings(world)] == before


def services_standings(world):
    from pledges.selectors import term_standings

    return term_standings(world.term)


def test_reviewer_scores_only_in_scoring_and_on_submitted_reports(world, scored):
    criterion = scored.criteria.get(code="II.1")
    staff = world.users["staff"]
    Report.objects.filter(term=world.term, unit=world.unit_chair).update(
        state=ReportState.DRAFT
    )
    with pytest.raises(DomainError, match="submitted"):
        services.reviewer_score_set(
            report=report_of(world, world.unit_chair), criterion=criterion,
            points=Decimal(40), reason="x", actor=staff,
        )  # fmt: skip
    term_to(world, TermState.REPLY)
    with pytest.raises(DomainError, match="scoring stage"):
        services.reviewer_score_set(
            report=report_of(world, world.unit_a), criterion=criterion,
            points=Decimal(40), reason="x", actor=staff,
        )  # fmt: skip
    assert not Score.objects.exists()


def test_pages_name_the_deputy_as_the_chairs_reviewer(world, login, scored):
    url = reverse("peer_scoring", args=[world.term.pk])
    html = login(world.users["staff"]).get(url).content.decode()
    assert _vi(
        "The deputy chair of the cluster reviews the cluster chair's report."
    ) in (html)
    world.cluster.kind = ClusterKind.BLOCK
    world.cluster.save()
    html = login(world.users["staff"]).get(url).content.decode()
    assert _vi("The deputy head of the block reviews the block head's report.") in html


# Chair powers end at the handover ---------------------------------------------


def test_chair_powers_end_when_the_term_closes_or_is_handed_over(world):
    chair, deputy = world.users["chair_officer"], _actor(world, "deputy_officer")
    term_to(world, TermState.DECIDED)
    assert is_chair_officer(chair, world.term)
    assert is_deputy_officer(deputy, world.term)
    following = TermFactory(cluster=world.cluster, year=2025)
    MembershipFactory(term=following, unit=world.unit_deputy, role="chair")
    Handover.objects.create(
        from_term=world.term, to_term=following, from_unit=world.unit_chair,
        to_unit=world.unit_deputy, date=datetime.date(2025, 1, 15), place="P",
        occasion="Hội nghị",
    )  # fmt: skip
    term = Term.objects.get(pk=world.term.pk)  # decided, e.g. re-opened
    assert not is_chair_officer(chair, term)
    assert not is_deputy_officer(deputy, term)
    term_to(world, TermState.CLOSED)
    assert not is_chair_officer(chair, world.term)


def test_former_chair_cannot_act_on_the_closed_year(world, login, scored):
    term_to(world, TermState.CLOSED)
    client = login(world.users["chair_officer"])
    assert client.get(reverse("peer_scoring", args=[world.term.pk])).status_code == 403
    report = report_of(world, world.unit_a)
    with pytest.raises(DomainError):
        services.report_accept(report=report, actor=world.users["chair_officer"])
    assert report_of(world, world.unit_a).state == ReportState.SUBMITTED


# Publishing -------------------------------------------------------------------


def _reply_stage(world, deadline=None):
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPLY, reply_deadline=deadline
    )
    world.term.refresh_from_db()


def test_publishing_waits_for_deadline_or_waivers_objections_and_reports(world, scored):
    staff = world.users["staff"]
    _reply_stage(world)
    objection = services.objection_raise(
        report=report_of(world, world.unit_a),
        criterion=scored.criteria.get(code="II.1"),
        text="Xem lại",
        actor=world.users["officer"],
    )
    with pytest.raises(DomainError) as refused:
        services.ranking_publish(term=world.term, actor=staff, expected=0)
    message = refused.value.message
    assert "No objection deadline is set and 3 members have not waived" in message
    assert "1 objections are not answered" in message
    assert "Huyện A, Huyện Chủ trì, Huyện Phó are not accepted" in message
    assert not RankingSnapshot.objects.exists()
    assert Term.objects.get(pk=world.term.pk).state == TermState.REPLY
    # Every member waives; the objection is answered; reports accepted or absent.
    for unit, user in (
        (world.unit_a, world.users["officer"]),
        (world.unit_chair, world.users["chair_officer"]),
        (world.unit_deputy, _actor(world, "deputy_officer")),
    ):
        services.reply_waive(term=world.term, unit=unit, actor=user)
    services.objection_answer(
        objection=objection, accept=False, reason="Không đủ minh chứng",
        actor=world.users["chair_officer"],
    )  # fmt: skip
    for unit in (world.unit_a, world.unit_chair):
        Report.objects.filter(term=world.term, unit=unit).update(
            state=ReportState.ACCEPTED
        )
    with pytest.raises(DomainError, match="Huyện Phó are not accepted"):
        services.ranking_publish(term=world.term, actor=staff, expected=0)
    services.report_absence_record(
        term=world.term, unit=world.unit_deputy, reason="Báo cáo bị trả lại, quá hạn",
        actor=staff,
    )  # fmt: skip
    snapshot = services.ranking_publish(term=world.term, actor=staff, expected=0)
    assert snapshot.number == 1
    term = Term.objects.get(pk=world.term.pk)
    assert term.state == TermState.RANKED
    assert term.history.latest().history_user == staff


def test_publishing_after_the_objection_deadline_needs_no_waiver(world, scored):
    _reply_stage(world, timezone.localdate() - datetime.timedelta(days=1))
    Report.objects.filter(term=world.term).update(state=ReportState.ACCEPTED)
    services.ranking_publish(term=world.term, actor=world.users["admin"])
    assert RankingSnapshot.objects.count() == 1


def test_the_term_is_ranked_only_by_publishing(world, scored):
    _reply_stage(world, datetime.date(2025, 1, 10))
    with pytest.raises(DomainError, match="Publish the ranking"):
        cluster_services.term_transition(
            term=world.term, to_state=TermState.RANKED, actor=world.users["admin"]
        )
    assert Term.objects.get(pk=world.term.pk).state == TermState.REPLY


def test_publishing_is_refused_outside_the_reply_stage(world, scored):
    Report.objects.filter(term=world.term).update(state=ReportState.ACCEPTED)
    with pytest.raises(DomainError, match="right-of-reply stage"):
        services.ranking_publish(term=world.term, actor=world.users["staff"])
    assert not RankingSnapshot.objects.exists()


def test_a_member_waives_its_right_of_reply_once(world, login, scored):
    _reply_stage(world, timezone.localdate() + datetime.timedelta(days=5))
    client = login(world.users["officer"])
    url = reverse("reply", args=[world.term.pk])
    assert 'id="waive-form"' in client.get(url).content.decode()
    assert client.post(url, {"action": "waive"}).status_code == 302
    waiver = ReplyWaiver.objects.get()
    assert (waiver.unit, waiver.waived_by) == (world.unit_a, world.users["officer"])
    page = client.get(url).content.decode()
    assert 'id="reply-waived"' in page
    assert 'id="waive-form"' not in page
    with translation.override("en"), pytest.raises(DomainError, match="already waived"):
        services.reply_waive(
            term=world.term, unit=world.unit_a, actor=world.users["officer"]
        )
    with translation.override("en"), pytest.raises(DomainError, match="own officers"):
        services.reply_waive(
            term=world.term, unit=world.unit_deputy, actor=world.users["officer"]
        )
    assert ReplyWaiver.objects.count() == 1


def test_waiving_is_refused_outside_the_reply_stage(world, scored):
    with pytest.raises(DomainError, match="right-of-reply stage"):
        services.reply_waive(
            term=world.term, unit=world.unit_a, actor=world.users["officer"]
        )
    assert not ReplyWaiver.objects.exists()


def test_staff_record_a_missing_report_on_the_publish_page(world, login, scored):
    _reply_stage(world, datetime.date(2025, 1, 10))
    url = reverse("ranking_publish", args=[world.term.pk])
    client = login(world.users["staff"])
    page = client.get(url).content.decode()
    assert 'id="publish-blockers"' in page
    assert 'id="absence-form"' in page
    response = client.post(
        url, {"action": "absence", "unit": world.unit_deputy.pk, "reason": "Quá hạn"}
    )
    assert response.status_code == 302
    absence = ReportAbsence.objects.get()
    assert (absence.unit, absence.reason) == (world.unit_deputy, "Quá hạn")
    Report.objects.filter(term=world.term, unit=world.unit_a).update(
        state=ReportState.ACCEPTED
    )
    with translation.override("en"), pytest.raises(DomainError, match="accepted"):
        services.report_absence_record(
            term=world.term, unit=world.unit_a, reason="x", actor=world.users["staff"]
        )
    with translation.override("en"), pytest.raises(DomainError, match="Province staff"):
        services.report_absence_record(
            term=world.term, unit=world.unit_chair, reason="x",
            actor=world.users["chair_officer"],
        )  # fmt: skip
    assert ReportAbsence.objects.count() == 1


def test_publish_page_query_count_is_stable(world, login, scored):
    _reply_stage(world, datetime.date(2025, 1, 10))

    def grow():
        for n in range(20):
            unit = UnitFactory(authority=world.authority, name=f"Xã {n:02d}")
            MembershipFactory(term=world.term, unit=unit)
            Report.objects.create(term=world.term, unit=unit)

    assert_queries_stable(
        login(world.users["staff"]),
        reverse("ranking_publish", args=[world.term.pk]),
        grow,
    )


# Corrections and concurrency ------------------------------------------------


def _published(world):
    Report.objects.filter(term=world.term).update(state=ReportState.ACCEPTED)
    return publish_ranking(world.term, world.users["staff"])


def test_a_second_publication_is_refused_with_the_time_of_the_first(world, scored):
    first = _published(world)
    when = timezone.localtime(first.published_at).strftime("%H:%M %d/%m/%Y")
    with pytest.raises(DomainError, match=f"published at {when}"):
        services.ranking_publish(
            term=world.term, actor=world.users["admin"], expected=0
        )
    # A double click on a correction: the second sees version 2 already there.
    Score.objects.create(
        report=report_of(world, world.unit_a), criterion=scored.criteria.get(
            code="II.1"), kind="reviewer", points=Decimal(10),
        scored_by=world.users["staff"],
    )  # fmt: skip
    second = services.ranking_publish(
        term=world.term, actor=world.users["staff"], reason="Đính chính", expected=1
    )
    assert second.number == 2
    with pytest.raises(DomainError, match="published at"):
        services.ranking_publish(
            term=world.term, actor=world.users["staff"], reason="Đính chính",
            expected=1,
        )  # fmt: skip
    with pytest.raises(DomainError, match="Nothing changed"):
        services.ranking_publish(
            term=world.term, actor=world.users["staff"], reason="Đính chính",
            expected=2,
        )  # fmt: skip
    assert RankingSnapshot.objects.count() == 2


def test_corrections_keep_every_version_on_the_public_page(world, client, scored):
    _published(world)
    Score.objects.create(
        report=report_of(world, world.unit_a), criterion=scored.criteria.get(
            code="II.1"), kind="reviewer", points=Decimal(10),
        scored_by=world.users["staff"],
    )  # fmt: skip
    second = services.ranking_publish(
        term=world.term, actor=world.users["staff"], reason="Sửa điểm tiêu chí II.1"
    )
    url = reverse("public_ranking", args=[world.term.pk])
    response = client.get(url)
    assert response.status_code == 200  # was 500: MultipleObjectsReturned
    html = response.content.decode()
    day = timezone.localtime(second.published_at).strftime("%d/%m/%Y")
    assert (
        _vi("Corrected on %(date)s: %(reason)s", date=day, reason="")
        + "Sửa điểm tiêu chí II.1"
    ) in html
    assert f'href="{url}?v=1"' in html
    earlier = client.get(url, {"v": "1"})
    assert earlier.status_code == 200
    assert _vi("This is an earlier version, replaced by a correction.") in (
        earlier.content.decode()
    )
    assert client.get(url, {"v": "9"}).status_code == 404
    listing = client.get(reverse("public_rankings")).content.decode()
    assert listing.count(f'href="{url}"') == 1


# --------------------


@pytest.mark.parametrize("role", ["staff", "chair_officer"])
def test_rank_page_matches_lines_by_code_when_members_differ(
    world, login, scored, role
):
    # The chair's report was late: its standing has one more line (the
    # deduction) than the others'.
    Report.objects.filter(term=world.term, unit=world.unit_chair).update(late=True)
    client = login(world.users[role])
    for unit in (world.unit_chair, world.unit_a):
        response = client.get(reverse("rank_detail", args=[world.term.pk, unit.pk]))
        assert response.status_code == 200
    html = client.get(
        reverse("rank_detail", args=[world.term.pk, world.unit_chair.pk])
    ).content.decode()
    assert "late report" in html or _vi("late report") in html


def test_published_rankings_show_the_classification(world, login, client, scored):
    snapshot = _published(world)
    bands = {row["band"] for row in snapshot.rows}
    from clusters.models import BAND_LABELS

    with translation.override("vi"):
        labels = {str(BAND_LABELS[band]) for band in bands}
    public = client.get(reverse("public_ranking", args=[world.term.pk]))
    internal = login(world.users["officer"]).get(
        reverse("term_ranking", args=[world.term.pk])
    )
    for response in (public, internal):
        html = response.content.decode()
        for label in labels:
            assert f">{label}</span>" in html
