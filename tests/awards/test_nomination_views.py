"""Pages of the nomination vote: opening from the ranking, the result with
winners, ties and quorum, closing by the chair, and the links on the term page."""

import io

import docx
import pytest
from django.urls import reverse

from awards import services
from awards.models import (
    Vote,
    VoteKind,
    VoteParticipation,
    VoteState,
)
from clusters.models import Term, TermState
from tests.awards.factories import (
    add_candidate,
    add_member,
    cast,
    count_ballot,
    make_elected,
    tally_state,
    voting_term,
)
from tests.clusters.factories import MembershipFactory, UnitFactory, officer
from tests.helpers import assert_queries_stable, fuzz_form

pytestmark = pytest.mark.usefixtures("english_pages")


def _state():
    return (
        list(Vote.objects.values_list("pk", "state")),
        VoteParticipation.objects.count(),
        tally_state(),
    )


def docx_text(content):
    """Every paragraph and table cell of a .docx file, one per line."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def _open_url(world):
    return reverse("nomination_open", args=[world.term.pk])


def test_journey_chair_opens_members_vote_chair_closes(world, login):
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
    voting_term(world, [world.unit_chair, world.unit_a, world.unit_deputy, *extra])
    chair = login(world.users["chair_officer"])
    page = chair.get(_open_url(world))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="checkbox"' in html
    form = page.context["form"]
    assert form.initial["candidates"] == [
        str(world.unit_chair.pk),
        str(world.unit_a.pk),
    ]
    assert form.initial["seats"] == 2
    assert "1. Huyện Chủ trì — 99 points, excellent" in html
    response = chair.post(
        _open_url(world),
        {
            "candidates": [world.unit_chair.pk, world.unit_a.pk, world.unit_deputy.pk],
            "seats": "2",
        },
    )
    vote = Vote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vote_detail", args=[vote.pk])
    assert vote.questions.get().options.count() == 3

    units = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
    for unit in units:
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    response = chair.post(reverse("vote_close", args=[vote.pk]))
    assert response.status_code == 302
    assert Vote.objects.get().state == VoteState.CLOSED

    page = login(world.users["officer"]).get(reverse("vote_detail", args=[vote.pk]))
    nomination = page.context["nomination"]
    assert nomination.winners == [world.unit_a, world.unit_chair]  # 8 votes each
    html = page.content.decode()
    assert "Nominated (2 units to nominate)" in html
    assert '<td class="text-end">100</td>' in html  # 8 of 8 members, in %
    assert reverse("vote_minutes", args=[vote.pk]) in html


def test_open_page_explains_why_the_vote_cannot_open_yet(world, login):
    client = login(world.users["admin"])
    page = client.get(_open_url(world))
    assert page.status_code == 200
    assert "voting stage" in page.content.decode()
    assert 'name="candidates"' not in page.content.decode()
    Term.objects.filter(pk=world.term.pk).update(state=TermState.VOTING)
    page = client.get(_open_url(world))
    assert "is not published yet" in page.content.decode()
    before = _state()
    response = client.post(
        _open_url(world), {"candidates": [world.unit_a.pk], "seats": "1"}
    )
    assert response.status_code == 200
    assert _state() == before


def test_open_page_refuses_more_seats_than_candidates_beside_the_field(world, login):
    voting_term(world)
    client = login(world.users["admin"])
    before = _state()
    response = client.post(
        _open_url(world), {"candidates": [world.unit_a.pk], "seats": "2"}
    )
    assert response.status_code == 200
    assert "Nominate at most 1 unit" in str(response.context["form"].errors["seats"])
    response = client.post(_open_url(world), {"seats": "1"})
    assert "Choose at least one candidate." in str(
        response.context["form"].errors["candidates"]
    )
    assert _state() == before


def test_open_page_points_to_the_vote_already_open(world, login):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    page = login(world.users["chair_officer"]).get(_open_url(world))
    assert reverse("vote_detail", args=[vote.pk]) in page.content.decode()
    assert 'name="candidates"' not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 403), ("staff", 403), ("other_officer", 404), ("other_admin", 404)],
)
def test_only_the_chair_and_admins_reach_the_open_page(world, login, role, status):
    voting_term(world)
    client = login(world.users[role])
    assert client.get(_open_url(world)).status_code == status
    before = _state()
    response = client.post(
        _open_url(world), {"candidates": [world.unit_a.pk], "seats": "1"}
    )
    assert response.status_code == status
    assert _state() == before


def test_result_page_says_when_a_tie_leaves_a_seat_undecided(world, login):
    voting_term(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        candidates=[world.unit_a, world.unit_deputy],
        seats=1,
    )
    Vote.objects.filter(pk=vote.pk).update(threshold_numerator=0)
    cast(vote, world.unit_a, leading=[world.unit_a])
    cast(vote, world.unit_chair, leading=[world.unit_deputy])
    services.vote_close(vote=vote, actor=world.users["admin"])
    html = (
        login(world.users["staff"])
        .get(reverse("vote_detail", args=[vote.pk]))
        .content.decode()
    )
    assert "Tie: 1 seat is undecided." in html
    assert "Tied with the same number of votes:" in html
    assert "Huyện A, Huyện Phó" in html


def test_result_page_says_when_the_quorum_was_not_reached(world, login):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    cast(vote, world.unit_a, leading=[world.unit_chair])
    services.vote_close(vote=vote, actor=world.users["admin"])
    page = login(world.users["officer"]).get(reverse("vote_detail", args=[vote.pk]))
    assert page.context["nomination"].winners == []
    assert "No quorum: nobody is nominated." in page.content.decode()


def test_chair_officer_closes_a_nomination_but_not_a_chair_election(world, login):
    voting_term(world)
    nomination = services.nomination_open(term=world.term, actor=world.users["admin"])
    make_elected(world)
    election = services.chair_election_open(term=world.term, actor=world.users["admin"])
    client = login(world.users["chair_officer"])
    assert client.post(reverse("vote_close", args=[election.pk])).status_code == 403
    assert Vote.objects.get(pk=election.pk).state == VoteState.OPEN
    assert client.post(reverse("vote_close", args=[nomination.pk])).status_code == 302
    assert Vote.objects.get(pk=nomination.pk).state == VoteState.CLOSED
    officer_client = login(world.users["officer"])
    assert (
        officer_client.post(reverse("vote_close", args=[election.pk])).status_code
        == 403
    )


def test_term_page_offers_the_nomination_and_the_summary_by_role(world, login):
    url = reverse("term_detail", args=[world.term.pk])
    open_url, summary_url = (
        _open_url(world),
        reverse("term_summary_docx", args=[world.term.pk]),
    )
    chair_html = login(world.users["chair_officer"]).get(url).content.decode()
    assert open_url not in chair_html  # not in the voting stage yet
    assert summary_url in chair_html
    voting_term(world)
    chair_html = login(world.users["chair_officer"]).get(url).content.decode()
    assert open_url in chair_html
    officer_html = login(world.users["officer"]).get(url).content.decode()
    assert open_url not in officer_html
    assert summary_url not in officer_html
    staff_html = login(world.users["staff"]).get(url).content.decode()
    assert open_url not in staff_html
    assert summary_url in staff_html


def test_officer_cannot_download_the_summary(world, login):
    response = login(world.users["officer"]).get(
        reverse("term_summary_docx", args=[world.term.pk])
    )
    assert response.status_code == 403


def test_minutes_of_an_open_vote_redirect_with_a_message(world, login):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    response = login(world.users["officer"]).get(
        reverse("vote_minutes", args=[vote.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("vote_detail", args=[vote.pk])
    assert "once the vote is closed" in str(list(response.context["messages"])[0])


# Secrecy -----------------------------------------------------------------------


def test_no_page_or_file_links_a_ballot_to_a_unit(world, login):
    """Admins see who cast each unit's ballot and when, never a ballot id or a
    ballot's marks next to a unit; the minutes name no officer and no time of
    a ballot."""
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[])
    services.vote_close(vote=vote, actor=world.users["admin"])
    admin = login(world.users["admin"])
    html = admin.get(reverse("vote_detail", args=[vote.pk])).content.decode()
    assert world.users["officer"].display_name in html  # who voted: yes
    minutes = admin.get(reverse("vote_minutes", args=[vote.pk])).content
    text = docx_text(minutes)
    assert world.users["officer"].display_name not in text
    assert world.users["chair_officer"].display_name not in text
    for words in ("quản trị", "hệ thống", "lưu riêng", "cơ sở dữ liệu"):
        assert words not in text  # no word on how the software keeps ballots


# Query counts and fuzzing ------------------------------------------------------


def _grow_members(world, vote=None, count=45):
    """More members (and, for a vote, more voters, candidates and ballots)."""

    def grow():
        question = vote.questions.get() if vote is not None else None
        for _i in range(count):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            if vote is None:
                continue
            vote.voters.add(unit)
            add_candidate(question, unit, votes=1)
            VoteParticipation.objects.create(
                vote=vote, unit=unit, cast_by=officer(unit)
            )
            count_ballot(vote)

    return grow


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_nomination_result_page_query_count_is_stable(world, login, role):
    voting_term(world)
    add_member(world.term)
    add_member(world.term)  # five members
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    cast(vote, world.unit_a, leading=[world.unit_chair])
    services.vote_close(vote=vote, actor=world.users["admin"])
    assert_queries_stable(
        login(world.users[role]),
        reverse("vote_detail", args=[vote.pk]),
        _grow_members(world, vote),
    )


def test_nomination_open_page_query_count_is_stable(world, login):
    voting_term(world)
    add_member(world.term)
    add_member(world.term)
    assert_queries_stable(
        login(world.users["chair_officer"]), _open_url(world), _grow_members(world)
    )


def test_nomination_open_form_survives_hostile_input(world, login):
    voting_term(world)
    fuzz_form(
        login(world.users["chair_officer"]),
        _open_url(world),
        fields=["candidates", "seats"],
    )
    # Whatever was posted, at most one nomination vote is open.
    assert (
        Vote.objects.filter(kind=VoteKind.NOMINATION, state=VoteState.OPEN).count() <= 1
    )
