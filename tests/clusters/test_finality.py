"""Published and closed years are final. What was reproduced on the
demo, each refused at the service layer and leaving every row as it was; the
admin's re-opening with a reason; deletions that would cascade scored data; two
roll-overs of one year at once."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services as awards
from clusters import selectors, services
from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import services as pledges
from pledges.models import Criterion, PledgeState, Report, Score
from tests.clusters.factories import MembershipFactory
from tests.finality import build_year, set_state, term_rows

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def year(world):
    return build_year(world)


def _report_a(year):
    return Report.objects.select_related("term").get(pk=year.report_a.pk)


def test_former_chair_cannot_act_on_the_closed_year(world, year):
    """The demo: after the handover the former chair changed scores, re-opened
    the pledge, deleted a criterion and republished."""
    set_state(year.term, TermState.CLOSED)
    chair = world.users["chair_officer"]
    before = term_rows(year.term)
    attempts = [
        lambda: pledges.peer_score_set(
            report=_report_a(year),
            criterion=year.criteria["II.1"],
            scorer_unit=world.unit_chair,
            points=Decimal(10),
            comment="",
            actor=chair,
        ),
        lambda: pledges.pledge_amend(pledge=year.pledge, actor=chair, reason="Sửa"),
        lambda: pledges.row_delete(
            pledge=year.pledge, row=year.criteria["III.1"], actor=chair
        ),
        lambda: pledges.ranking_publish(term=year.term, actor=chair, reason="Lại"),
        lambda: services.membership_remove(membership=world.membership_a, actor=chair),
        lambda: awards.vote_close(vote=year.vote, actor=chair),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="2024 is closed"):
            attempt()
    assert term_rows(year.term) == before


@pytest.mark.parametrize("role", ["staff", "admin", "chair_officer"])
def test_nobody_changes_scores_of_a_ranked_year(world, year, role):
    """The demo: province staff and a block chair changed scores of a ranked
    year."""
    set_state(year.term, TermState.RANKED)
    before = term_rows(year.term)
    with pytest.raises(DomainError, match="results of 2024 are published"):
        pledges.reviewer_score_set(
            report=_report_a(year),
            criterion=year.criteria["II.1"],
            points=Decimal(40),
            reason="Điều chỉnh",
            actor=world.users[role],
        )
    with pytest.raises(DomainError, match="results of 2024 are published"):
        pledges.peer_score_set(
            report=_report_a(year),
            criterion=year.criteria["II.1"],
            scorer_unit=world.unit_chair,
            points=Decimal(40),
            comment="",
            actor=world.users[role],
        )
    assert term_rows(year.term) == before


def test_results_and_pledge_of_a_ranked_year_are_read_only(world, year):
    set_state(year.term, TermState.VOTING)
    admin = world.users["admin"]
    before = term_rows(year.term)
    for attempt in (
        lambda: pledges.report_save_section(
            report=_report_a(year),
            actor=admin,
            version=_report_a(year).version,
            section="summary",
            data="Sửa sau khi công bố",
        ),
        lambda: pledges.objection_answer(
            objection=year.objection, accept=True, reason="Đồng ý", actor=admin
        ),
        lambda: pledges.targets_apply(
            pledge=year.pledge,
            rows=[(year.indicators["CT1"], world.unit_a, Decimal(1), None)],
            actor=admin,
        ),
    ):
        with pytest.raises(DomainError, match="can only be viewed"):
            attempt()
    assert term_rows(year.term) == before
    # The rest of the year goes on: the vote is not results.
    awards.vote_close(vote=year.vote, actor=admin)


def test_deleting_a_scored_criterion_is_refused_and_keeps_its_scores(world, year):
    """The demo: deleting a criterion silently deleted its peer scores."""
    set_state(year.term, TermState.SCORING)
    pledge = pledges.pledge_amend(
        pledge=year.pledge, actor=world.users["admin"], reason="Sửa tiêu chí"
    )
    assert pledge.state == PledgeState.DRAFT
    scores = Score.objects.filter(criterion=year.criteria["II.1"]).count()
    assert scores == 2
    before = term_rows(year.term)
    with pytest.raises(DomainError, match="II.1 cannot be deleted"):
        pledges.row_delete(
            pledge=pledge, row=year.criteria["II.1"], actor=world.users["admin"]
        )
    with pytest.raises(DomainError, match="II cannot be deleted"):
        pledges.row_delete(
            pledge=pledge,
            row=year.criteria["II.1"].section,
            actor=world.users["admin"],
        )
    assert term_rows(year.term) == before
    assert Score.objects.filter(criterion=year.criteria["II.1"]).count() == scores
    # An unscored criterion still goes.
    pledges.row_delete(
        pledge=pledge, row=year.criteria["III.1"], actor=world.users["admin"]
    )
    assert not Criterion.objects.filter(pk=year.criteria["III.1"].pk).exists()


def test_the_database_protects_scored_rows_and_terms_with_data(world, year):
    with pytest.raises(ProtectedError):
        Criterion.objects.get(pk=year.criteria["II.1"].pk).delete()
    with pytest.raises(ProtectedError):
        year.indicators["CT1"].delete()
    with pytest.raises(ProtectedError):
        Term.objects.get(pk=year.term.pk).delete()
    with pytest.raises(ProtectedError):
        world.unit_a.delete()
    assert Score.objects.count() == 2


def test_pledge_delete_view_answers_a_message_not_a_500(world, year, login):
    set_state(year.term, TermState.SCORING)
    pledges.pledge_amend(
        pledge=year.pledge, actor=world.users["admin"], reason="Sửa tiêu chí"
    )
    client = login(world.users["admin"])
    response = client.post(
        reverse("pledge_editor", args=[year.term.pk]),
        {"action": "delete", "kind": "criterion", "id": year.criteria["II.1"].pk},
        follow=True,
    )
    assert response.status_code == 200
    assert Criterion.objects.filter(pk=year.criteria["II.1"].pk).exists()
    assert "II.1" in response.content.decode()


# Re-opening ----------------------------------------------------------------


def test_reopen_needs_an_admin_of_the_authority_and_a_reason(world):
    set_state(world.term, TermState.CLOSED)
    before = term_rows(world.term)
    for actor, reason, message in (
        (world.users["admin"], "  ", "reason"),
        (world.users["staff"], "Sửa sai sót", "Only an admin"),
        (world.users["chair_officer"], "Sửa sai sót", "Only an admin"),
        (world.users["other_admin"], "Sửa sai sót", "Only an admin"),
    ):
        with pytest.raises(DomainError, match=message):
            services.term_reopen(term=world.term, actor=actor, reason=reason)
    assert term_rows(world.term) == before


def _close(world):
    """Close the term as the cycle does (the history records the closing)."""
    set_state(world.term, TermState.DECIDED)
    services.term_transition(
        term=world.term, to_state=TermState.CLOSED, actor=world.users["admin"]
    )


def test_reopen_is_recorded_and_closing_again_is_the_normal_move(world):
    admin = world.users["admin"]
    _close(world)
    # A reason as an admin writes it, longer than the history library's default
    # column (100 characters), which PostgreSQL enforced.
    reason = (
        "Sửa sai sót: kết quả chỉ tiêu 3 của đơn vị A nhập nhầm đơn vị tính, "
        "theo Công văn số 123/SNV-TĐKT ngày 15/12 của Sở Nội vụ đề nghị rà soát lại."
    )
    assert len(reason) > 100
    term = services.term_reopen(term=world.term, actor=admin, reason=reason)
    assert term.state == TermState.DECIDED
    [record] = selectors.term_reopenings(term)
    assert (record.history_user, record.history_change_reason) == (admin, reason)
    services.membership_remove(membership=world.membership_a, actor=admin)
    with pytest.raises(DomainError, match="not closed"):
        services.term_reopen(term=term, actor=admin, reason="Lần nữa")
    term = services.term_transition(term=term, to_state=TermState.CLOSED, actor=admin)
    assert term.state == TermState.CLOSED
    with pytest.raises(DomainError, match="is closed"):
        services.membership_add(term=term, unit=world.unit_a, actor=admin)


def test_term_page_of_a_closed_year_offers_no_edit_but_the_reopening(world, login):
    admin = world.users["admin"]
    set_state(world.term, TermState.CLOSED)
    url = reverse("term_detail", args=[world.term.pk])
    page = login(admin).get(url).content.decode()
    assert reverse("term_reopen", args=[world.term.pk]) in page
    assert reverse("term_edit", args=[world.term.pk]) not in page
    assert reverse("membership_add", args=[world.term.pk]) not in page
    assert "locked" in page or "đã khóa" in page
    staff_page = login(world.users["staff"]).get(url).content.decode()
    assert reverse("term_reopen", args=[world.term.pk]) not in staff_page


def test_reopen_page_reopens_and_the_term_page_says_when_by_whom_and_why(world, login):
    admin = world.users["admin"]
    _close(world)
    client = login(admin)
    url = reverse("term_reopen", args=[world.term.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert Term.objects.get(pk=world.term.pk).state == TermState.CLOSED
    response = client.post(url, {"reason": "Đính chính quyết định"}, follow=True)
    assert Term.objects.get(pk=world.term.pk).state == TermState.DECIDED
    page = response.content.decode()
    assert "Đính chính quyết định" in page
    assert admin.display_name in page


def test_term_page_queries_do_not_grow_with_reopenings(world, login):
    admin = world.users["admin"]
    client = login(admin)
    url = reverse("term_detail", args=[world.term.pk])

    def cycle(times):
        for _ in range(times):
            set_state(world.term, TermState.DECIDED)
            services.term_transition(
                term=world.term, to_state=TermState.CLOSED, actor=admin
            )
            services.term_reopen(term=world.term, actor=admin, reason="Sửa")

    cycle(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    cycle(5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("Sửa") >= 6


def test_reopen_page_queries_are_constant(world, login):
    set_state(world.term, TermState.CLOSED)
    client = login(world.users["admin"])
    url = reverse("term_reopen", args=[world.term.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(20):
        MembershipFactory(term=world.term)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# Roll-over -----------------------------------------------------------------


def _rollover(world, actor):
    return services.term_open_next_year(
        term=Term.objects.get(pk=world.term.pk),
        actor=actor,
        units=[world.unit_a, world.unit_chair, world.unit_deputy],
        chair=world.unit_deputy,
        deputy=world.unit_a,
        reason="Theo thống nhất",
    )


def test_second_rollover_of_a_year_gets_a_message(world):
    admin = world.users["admin"]
    _rollover(world, admin)
    with pytest.raises(DomainError, match="2025 of this cluster is already open"):
        _rollover(world, admin)
    assert Term.objects.filter(cluster=world.cluster, year=2025).count() == 1


def test_rollover_losing_a_race_gets_a_message_not_a_500(world, monkeypatch):
    """The other roll-over inserts the year between our check and our insert
    (what two requests at once did): the unique constraint answers with a
    message, and nothing of ours is written."""
    from clusters import selectors as cluster_selectors

    real = cluster_selectors.rollover_proposal

    def racing(term):
        Term.objects.create(cluster=term.cluster, year=term.year + 1)
        return real(term)

    monkeypatch.setattr(cluster_selectors, "rollover_proposal", racing)
    with pytest.raises(DomainError, match="already has a term for 2025"):
        _rollover(world, world.users["admin"])


def test_term_transition_of_a_closed_term_names_the_closure(world):
    set_state(world.term, TermState.CLOSED)
    with pytest.raises(DomainError, match="2024 is closed"):
        services.term_transition(
            term=world.term, to_state=TermState.PLANNING, actor=world.users["admin"]
        )


def test_deadline_extension_after_publication_is_refused(world, year):
    set_state(year.term, TermState.RANKED)
    with pytest.raises(DomainError, match="published"):
        pledges.deadline_extend(
            term=year.term,
            unit=world.unit_a,
            until=datetime.date(2025, 3, 1),
            reason="Muộn",
            actor=world.users["admin"],
        )
