import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from awards import selectors, services
from awards.forms import ABSTAIN
from awards.models import (
    Vote,
    VoteKind,
    VoteParticipation,
    VoteState,
)
from tests.awards.factories import (
    add_candidate,
    add_member,
    cast,
    count_ballot,
    make_elected,
    option_ids,
    tally_state,
)
from tests.clusters.factories import (
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
)
from tests.helpers import assert_queries_stable, fuzz_form


@pytest.fixture
def election(world):
    make_elected(world)
    return services.chair_election_open(term=world.term, actor=world.users["admin"])


def _ballot(vote, chair, deputy):
    return {
        "chair": option_ids(vote, "chair", chair)[0] if chair else ABSTAIN,
        "deputy": option_ids(vote, "deputy", deputy)[0] if deputy else ABSTAIN,
    }


def _state():
    return (
        list(Vote.objects.values_list("pk", "state")),
        VoteParticipation.objects.count(),
        tally_state(),
    )


def test_journey_open_vote_close_and_read_the_winners(world, login):
    make_elected(world)
    admin = login(world.users["admin"])
    response = admin.post(reverse("chair_election_open", args=[world.term.pk]))
    vote = Vote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vote_detail", args=[vote.pk])

    for role in ("officer", "chair_officer"):
        client = login(world.users[role])
        url = reverse("ballot_cast", args=[vote.pk])
        page = client.get(url).content.decode()
        assert 'type="radio"' in page
        assert f'value="{ABSTAIN}"' in page
        response = client.post(url, _ballot(vote, world.unit_deputy, world.unit_a))
        assert response.status_code == 302
        assert response["Location"] == reverse("vote_detail", args=[vote.pk])
        # A second visit is turned away with a message, not a second ballot.
        assert client.get(url).status_code == 302

    admin = login(world.users["admin"])
    detail = admin.get(reverse("vote_detail", args=[vote.pk]))
    assert detail.context["result"] is None  # nothing before closing
    assert (detail.context["voted_count"], detail.context["voter_count"]) == (2, 3)
    assert "2/3" in detail.content.decode()
    response = admin.post(reverse("vote_close", args=[vote.pk]))
    assert response.status_code == 302

    page = login(world.users["officer"]).get(reverse("vote_detail", args=[vote.pk]))
    result = page.context["result"]
    assert result.quorum_met is True
    assert result.question("chair").winners == [world.unit_deputy]
    assert result.question("deputy").winners == [world.unit_a]
    assert page.context["outcome"] == (world.unit_deputy, world.unit_a)
    html = page.content.decode()
    assert "<table" in html
    assert world.unit_deputy.name in html
    assert 'class="breadcrumb"' in html
    assert "Cụm, khối thi đua" in html
    assert f'href="{reverse("term_detail", args=[world.term.pk])}"' in html


def test_chair_election_open_refused_shows_a_message_on_the_term(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("chair_election_open", args=[world.term.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "term_detail", args=[world.term.pk]
    )
    assert list(response.context["messages"])
    assert not Vote.objects.exists()


def test_ballot_without_a_choice_is_refused_beside_the_question(world, login, election):
    client = login(world.users["officer"])
    before = _state()
    response = client.post(reverse("ballot_cast", args=[election.pk]), {})
    assert response.status_code == 200
    assert 'id="error_1_id_chair"' in response.content.decode()
    assert _state() == before


def test_abstaining_on_both_questions_casts_an_empty_ballot(world, login, election):
    client = login(world.users["officer"])
    response = client.post(
        reverse("ballot_cast", args=[election.pk]), _ballot(election, None, None)
    )
    assert response.status_code == 302
    assert VoteParticipation.objects.count() == 1
    assert {votes for _pk, votes in tally_state()[0]} == {0}


def test_ballot_of_a_closed_vote_redirects_with_a_message(world, login, election):
    services.vote_close(vote=election, actor=world.users["admin"])
    client = login(world.users["officer"])
    before = _state()
    response = client.post(
        reverse("ballot_cast", args=[election.pk]),
        _ballot(election, world.unit_a, None),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("vote_detail", args=[election.pk])
    assert list(response.context["messages"])
    assert _state() == before


def test_officer_of_a_former_member_sees_the_vote_but_cannot_vote(
    world, login, election
):
    former = UnitFactory(authority=world.authority)
    MembershipFactory(term=TermFactory(cluster=world.cluster, year=2023), unit=former)
    client = login(officer(former))
    assert client.get(reverse("vote_detail", args=[election.pk])).status_code == 200
    assert client.get(reverse("ballot_cast", args=[election.pk])).status_code == 403


def test_only_admins_see_who_cast_each_units_ballot(world, login, election):
    cast(election, world.unit_a, chair=[world.unit_deputy])
    url = reverse("vote_detail", args=[election.pk])
    name = world.users["officer"].display_name
    assert name in login(world.users["admin"]).get(url).content.decode()
    assert name not in login(world.users["staff"]).get(url).content.decode()
    assert name not in login(world.users["chair_officer"]).get(url).content.decode()


def test_closing_twice_is_a_message_not_an_error(world, login, election):
    client = login(world.users["admin"])
    client.post(reverse("vote_close", args=[election.pk]))
    closed_at = Vote.objects.get().closed_at
    response = client.post(reverse("vote_close", args=[election.pk]), follow=True)
    assert response.status_code == 200
    assert Vote.objects.get().closed_at == closed_at


def _grow(world, vote, units=20):
    """More voters and candidates, and more ballots with marks."""

    def grow():
        chair, deputy = vote.questions.order_by("position")
        for _i in range(units):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            vote.voters.add(unit)
            add_candidate(chair, unit, votes=1)
            add_candidate(deputy, unit, votes=1)
            user = officer(unit)
            VoteParticipation.objects.create(vote=vote, unit=unit, cast_by=user)
            count_ballot(vote)

    return grow


@pytest.mark.parametrize(
    ("name", "role", "closed"),
    [
        ("vote_detail", "admin", False),
        ("vote_detail", "admin", True),
        ("vote_detail", "officer", False),
        ("vote_detail", "staff", True),
        ("ballot_cast", "officer", False),
    ],
)
def test_query_count_does_not_grow_with_data(
    world, login, election, name, role, closed
):
    if closed:
        services.vote_close(vote=election, actor=world.users["admin"])
    client = login(world.users[role])
    url = reverse(name, args=[election.pk])
    assert_queries_stable(client, url, _grow(world, election))


def test_ballot_form_survives_hostile_input(world, login, election):
    client = login(world.users["officer"])
    fuzz_form(
        client, reverse("ballot_cast", args=[election.pk]), fields=["chair", "deputy"]
    )


def test_nomination_vote_with_several_choices_uses_checkboxes(world, login):
    extra = add_member(world.term)
    units = [world.unit_a, world.unit_chair, world.unit_deputy, extra]
    vote = services.vote_open(
        term=world.term,
        kind=VoteKind.NOMINATION,
        title="Suy tôn 2024",
        questions=[{"code": "leading", "title": "L", "max_choices": 2, "units": units}],
        actor=world.users["admin"],
    )
    client = login(world.users["officer"])
    url = reverse("ballot_cast", args=[vote.pk])
    assert 'type="checkbox"' in client.get(url).content.decode()
    too_many = option_ids(vote, "leading", *units[:3])
    response = client.post(url, {"leading": too_many})
    assert response.status_code == 200
    assert not VoteParticipation.objects.exists()
    response = client.post(url, {"leading": too_many[:2]})
    assert response.status_code == 302
    assert sum(votes for _pk, votes in tally_state()[0]) == 2
    assert Vote.objects.get().state == VoteState.OPEN


def test_term_votes_include_lists_votes_and_offers_the_election(world, election):
    html = render_to_string(
        "awards/includes/term_votes.html",
        {
            "term": world.term,
            "votes": selectors.votes_of_term(world.term),
            "can_open_chair_election": True,
        },
    )
    assert reverse("vote_detail", args=[election.pk]) in html
    assert reverse("chair_election_open", args=[world.term.pk]) in html
    assert "0/3" in html
