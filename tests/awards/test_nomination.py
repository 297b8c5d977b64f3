"""The nomination vote (bình xét, suy tôn): the term's settings, opening from the
published ranking, the tally with seats and ties, and the transition guard."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards import permissions, selectors, services
from awards.models import Vote, VoteKind, VoteParticipation, VoteState
from clusters.forms import TermForm
from clusters.models import Term, TermState
from clusters.services import term_transition
from core.errors import DomainError
from tests.awards.factories import (
    add_member,
    cast,
    officer_of,
    publish_ranking,
    tally_state,
    voting_term,
)
from tests.helpers import examples

pytestmark = pytest.mark.usefixtures("english")


def _state():
    return (
        list(Vote.objects.values_list("pk", "state")),
        VoteParticipation.objects.count(),
        tally_state(),
    )


def _eight(world):
    """Five more members (eight in all), ranked chair, A, deputy, then the new."""
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
    voting_term(world, [world.unit_chair, world.unit_a, world.unit_deputy, *extra])
    return extra


# Settings -------------------------------------------------------------------


def test_flag_quota_is_a_fifth_rounded_up_and_at_least_one():
    assert [services.flag_quota(n) for n in (0, 1, 3, 5, 6, 8, 10, 11, 12)] == [
        1,
        1,
        1,
        1,
        2,
        2,
        2,
        3,
        3,
    ]


def test_term_defaults_follow_the_design(world):
    term = world.term
    assert (term.nomination_quorum, term.nomination_threshold) == (
        Fraction(2, 3),
        Fraction(1, 2),
    )
    assert term.nomination_seats is None
    assert services.nomination_seats(term, 8) == 2
    term.nomination_seats = 3
    assert services.nomination_seats(term, 8) == 3


def _term_form_data(term, **changes):
    data = {
        "report_deadline": "",
        "reply_deadline": "",
        "total_points": "100",
        "assessed_method": "peer_mean",
        "bonus_cap": "5",
        "deduction_cap": "5",
        "late_deduction": "1",
        "nomination_seats": "",
        "nomination_quorum": "2/3",
        "nomination_threshold": "1/2",
        "chair": "",
        "deputy": "",
    }
    data.update(changes)
    return data


def test_term_form_turns_shares_into_exact_fractions(world):
    form = TermForm(
        _term_form_data(
            world.term,
            nomination_quorum="3/4",
            nomination_threshold="0,6",
            nomination_seats="2",
        ),
        instance=world.term,
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (
        data["nomination_quorum_numerator"],
        data["nomination_quorum_denominator"],
    ) == (
        3,
        4,
    )
    assert (
        data["nomination_threshold_numerator"],
        data["nomination_threshold_denominator"],
    ) == (3, 5)
    assert data["nomination_seats"] == 2
    assert "nomination_quorum" not in data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nomination_quorum", "0", "more than 0"),
        ("nomination_quorum", "4/3", "at most 1"),
        ("nomination_quorum", "x", "fraction such as 2/3"),
        ("nomination_quorum", "1/0", "fraction such as 2/3"),
        ("nomination_threshold", "1", "less than 1"),
        ("nomination_threshold", "-1/2", "fraction such as 2/3"),
        ("nomination_seats", "0", "greater than or equal to 1"),
    ],
)
def test_term_form_refuses_impossible_nomination_settings(world, field, value, message):
    form = TermForm(_term_form_data(world.term, **{field: value}), instance=world.term)
    assert not form.is_valid()
    assert message in str(form.errors[field])


def test_term_form_shows_the_current_shares(world):
    Term.objects.filter(pk=world.term.pk).update(
        nomination_quorum_numerator=3, nomination_quorum_denominator=4
    )
    world.term.refresh_from_db()
    html = str(TermForm(instance=world.term)["nomination_quorum"])
    assert 'value="3/4"' in html


# Opening ----------------------------------------------------------------------


def test_nomination_opens_with_the_top_of_the_published_ranking(world):
    extra = _eight(world)
    vote = services.nomination_open(term=world.term, actor=world.users["chair_officer"])
    assert vote.kind == VoteKind.NOMINATION
    assert vote.title == "Nomination of the leading units of year 2024"
    assert vote.opened_by == world.users["chair_officer"]
    assert (vote.quorum, vote.threshold) == (Fraction(2, 3), Fraction(1, 2))
    question = vote.questions.get()
    assert (question.code, question.max_choices) == ("leading", 2)
    assert {o.unit for o in question.options.all()} == {
        world.unit_chair,
        world.unit_a,
    }
    assert vote.voters.count() == 8
    assert extra[0] in vote.voters.all()


def test_units_sharing_the_last_place_are_all_candidates(world):
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
    ranked = [
        (world.unit_chair, 1),
        (world.unit_a, 2),
        (world.unit_deputy, 2),
        *((unit, 4 + i) for i, unit in enumerate(extra)),
    ]
    voting_term(world, ranked)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    assert {o.unit for o in vote.questions.get().options.all()} == {
        world.unit_chair,
        world.unit_a,
        world.unit_deputy,
    }
    assert vote.questions.get().max_choices == 2


def test_nomination_uses_the_terms_settings(world):
    voting_term(world)
    Term.objects.filter(pk=world.term.pk).update(
        nomination_quorum_numerator=3,
        nomination_quorum_denominator=4,
        nomination_threshold_numerator=2,
        nomination_threshold_denominator=3,
        nomination_seats=2,
    )
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    assert (vote.quorum, vote.threshold) == (Fraction(3, 4), Fraction(2, 3))
    assert vote.questions.get().max_choices == 2


def test_chosen_candidates_and_seats_replace_the_defaults(world):
    voting_term(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        candidates=[world.unit_deputy, world.unit_a],
        seats=2,
    )
    question = vote.questions.get()
    assert {o.unit for o in question.options.all()} == {
        world.unit_deputy,
        world.unit_a,
    }
    assert question.max_choices == 2


def test_nomination_refuses_a_term_outside_the_voting_stage(world):
    publish_ranking(world.term, [world.unit_a], world.users["admin"])
    before = _state()
    with pytest.raises(DomainError, match="voting stage; this term is in the stage"):
        services.nomination_open(term=world.term, actor=world.users["admin"])
    assert _state() == before


def test_nomination_refuses_an_unpublished_ranking(world):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.VOTING)
    before = _state()
    with pytest.raises(DomainError, match="ranking of 2024 is not published"):
        services.nomination_open(term=world.term, actor=world.users["admin"])
    assert _state() == before


@pytest.mark.parametrize("role", ["officer", "staff", "other_admin"])
def test_nomination_refuses_who_does_not_run_the_vote(world, role):
    voting_term(world)
    with pytest.raises(DomainError, match="Only an officer of the chair unit"):
        services.nomination_open(term=world.term, actor=world.users[role])
    assert not Vote.objects.exists()


def test_nomination_refuses_more_seats_than_candidates_and_no_candidate(world):
    voting_term(world)
    admin = world.users["admin"]
    with pytest.raises(DomainError, match="between 1 and 1 units") as error:
        services.nomination_open(
            term=world.term, actor=admin, candidates=[world.unit_a], seats=2
        )
    assert error.value.field == "seats"
    with pytest.raises(DomainError, match="at least one candidate"):
        services.nomination_open(term=world.term, actor=admin, candidates=[])
    with pytest.raises(DomainError, match="not a member"):
        services.nomination_open(
            term=world.term, actor=admin, candidates=[world.unit_other], seats=1
        )
    assert not Vote.objects.exists()


def test_a_second_open_nomination_is_refused(world):
    voting_term(world)
    services.nomination_open(term=world.term, actor=world.users["admin"])
    before = _state()
    with pytest.raises(DomainError, match="already open"):
        services.nomination_open(term=world.term, actor=world.users["chair_officer"])
    assert _state() == before


# Casting and tally -------------------------------------------------------------


def _nominate(world):
    """Eight members, two seats, candidates chair unit and unit A."""
    extra = _eight(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    units = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
    return vote, units


def test_nomination_result_elects_over_the_threshold_within_the_seats(world):
    vote, units = _nominate(world)
    for unit in units[:6]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    cast(vote, units[6], leading=[world.unit_chair])
    services.vote_close(vote=vote, actor=world.users["chair_officer"])
    nomination = selectors.nomination_result(vote)
    assert nomination.seats == 2
    assert [(r.unit, r.votes, r.percent, r.rank) for r in nomination.rows] == [
        (world.unit_chair, 7, Decimal("87.50"), 1),
        (world.unit_a, 6, Decimal("75.00"), 2),
    ]
    assert nomination.winners == [world.unit_chair, world.unit_a]
    assert (nomination.tie, nomination.undecided, nomination.unfilled) == (
        False,
        0,
        0,
    )
    assert selectors.nominated_units(world.term) == [world.unit_chair, world.unit_a]


def test_too_few_votes_leave_a_seat_unfilled_without_a_tie(world):
    vote, units = _nominate(world)
    for unit in units[:4]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    for unit in units[4:]:
        cast(vote, unit, leading=[world.unit_chair])
    services.vote_close(vote=vote, actor=world.users["admin"])
    nomination = selectors.nomination_result(vote)
    # Unit A has 4 of 8 votes: exactly half is not more than half.
    assert [(r.unit, r.votes, r.over_threshold) for r in nomination.rows] == [
        (world.unit_chair, 8, True),
        (world.unit_a, 4, False),
    ]
    assert nomination.winners == [world.unit_chair]
    assert (nomination.tie, nomination.undecided, nomination.unfilled) == (
        False,
        0,
        1,
    )


def test_tied_candidates_over_the_threshold_are_flagged(world):
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
    voting_term(world, [world.unit_chair, world.unit_a, world.unit_deputy, *extra])
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        candidates=[world.unit_chair, world.unit_a, world.unit_deputy],
        seats=2,
    )
    units = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
    # Every member ticks two of three: chair 8, A 5, deputy 5 (threshold 5).
    for unit in units[:3]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    for unit in units[3:6]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_deputy])
    for unit in units[6:]:
        cast(vote, unit, leading=[world.unit_a, world.unit_deputy])
    services.vote_close(vote=vote, actor=world.users["admin"])
    nomination = selectors.nomination_result(vote)
    assert [(r.unit, r.votes, r.tied) for r in nomination.rows] == [
        (world.unit_chair, 6, False),
        (world.unit_a, 5, True),
        (world.unit_deputy, 5, True),
    ]
    assert nomination.winners == [world.unit_chair]
    assert (nomination.tie, nomination.undecided) == (True, 1)
    assert nomination.tied == [world.unit_a, world.unit_deputy]
    # The next vote offers the tied units for the undecided seat.
    setup = selectors.nomination_setup(world.term)
    assert (setup.runoff_of, setup.seats) == (vote, 1)
    assert set(setup.candidates) == {world.unit_a.pk, world.unit_deputy.pk}
    runoff = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        candidates=[world.unit_a, world.unit_deputy],
        seats=1,
    )
    for unit in units:
        cast(runoff, unit, leading=[world.unit_deputy])
    services.vote_close(vote=runoff, actor=world.users["admin"])
    assert selectors.nominated_units(world.term) == [
        world.unit_chair,
        world.unit_deputy,
    ]


def test_without_quorum_nobody_is_nominated(world):
    vote, units = _nominate(world)
    for unit in units[:5]:  # 5 of 8: the quorum of 2/3 needs 6
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    services.vote_close(vote=vote, actor=world.users["admin"])
    nomination = selectors.nomination_result(vote)
    assert (nomination.result.quorum_required, nomination.result.quorum_met) == (
        6,
        False,
    )
    assert nomination.winners == []
    assert (nomination.tie, nomination.undecided, nomination.unfilled) == (
        False,
        0,
        0,
    )
    assert [r.votes for r in nomination.rows] == [5, 5]
    assert selectors.nominated_units(world.term) == []


def test_a_second_ballot_and_a_ballot_after_closing_are_refused(world):
    vote, units = _nominate(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    before = _state()
    with pytest.raises(DomainError, match="already voted"):
        cast(vote, world.unit_a, leading=[world.unit_a])
    assert _state() == before
    services.vote_close(vote=vote, actor=world.users["chair_officer"])
    before = _state()
    with pytest.raises(DomainError, match="closed"):
        cast(vote, units[3], leading=[world.unit_chair])
    assert _state() == before


def test_share_of_members_is_exact_to_two_places():
    assert selectors.share_of_members(7, 8) == Decimal("87.50")
    assert selectors.share_of_members(2, 3) == Decimal("66.67")
    assert selectors.share_of_members(0, 0) == Decimal("0.00")


BALLOT = st.lists(st.integers(0, 3), max_size=2, unique=True)


@settings(
    max_examples=examples(50),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ballots=st.lists(st.none() | BALLOT, min_size=8, max_size=8),
    threshold=st.sampled_from(["0", "1/4", "1/2", "2/3"]),
)
def test_nomination_invariants_for_random_ballots(world, ballots, threshold):
    """Winners have more than threshold × members, never more winners than seats,
    a tie is flagged exactly when tied candidates over the threshold hold the
    cut-off, and undecided plus winners never exceed the seats."""
    units = _units(world)
    Term.objects.filter(pk=world.term.pk).update(
        nomination_threshold_numerator=Fraction(threshold).numerator,
        nomination_threshold_denominator=Fraction(threshold).denominator,
    )
    with transaction.atomic():
        vote = services.nomination_open(
            term=world.term,
            actor=world.users["admin"],
            candidates=units[:4],
            seats=2,
        )
        for unit, choices in zip(units, ballots, strict=True):
            if choices is not None:
                cast(vote, unit, leading=[units[i] for i in choices])
        nomination = selectors.nomination_result(vote)
        transaction.set_rollback(True)
    cast_ballots = [b for b in ballots if b is not None]
    t = Fraction(threshold)
    assert len(nomination.winners) <= nomination.seats == 2
    for row in nomination.rows:
        if row.elected:
            assert row.votes > t * 8
            assert nomination.result.quorum_met
        assert row.percent == selectors.share_of_members(row.votes, 8)
        assert row.votes == sum(units.index(row.unit) in b for b in cast_ballots)
    assert len(nomination.winners) + nomination.undecided <= nomination.seats
    if nomination.tie:
        assert len(nomination.tied) >= 2
        assert nomination.undecided == nomination.seats - len(nomination.winners) > 0
        assert len({r.votes for r in nomination.rows if r.tied}) == 1
        assert all(
            r.votes > next(x.votes for x in nomination.rows if x.tied)
            for r in nomination.rows
            if r.elected
        )
    else:
        assert nomination.tied == []
    if len(cast_ballots) < 6:  # quorum 2/3 of 8
        assert nomination.winners == []
        assert nomination.tie is False
    assert not Vote.objects.exists()  # rolled back


def _units(world):
    cached = getattr(world, "_nomination_units", None)
    if cached is None:
        extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
        cached = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
        voting_term(world, cached)
        world._nomination_units = cached
    return cached


# Guard and permissions ------------------------------------------------------------


def test_the_term_cannot_move_to_proposing_while_the_nomination_is_open(world):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    with pytest.raises(DomainError, match="nomination vote is still open"):
        term_transition(
            term=world.term, to_state=TermState.PROPOSING, actor=world.users["admin"]
        )
    assert Term.objects.get(pk=world.term.pk).state == TermState.VOTING
    services.vote_close(vote=vote, actor=world.users["admin"])
    term = term_transition(
        term=world.term, to_state=TermState.PROPOSING, actor=world.users["admin"]
    )
    assert term.state == TermState.PROPOSING


def test_an_open_chair_election_does_not_hold_the_term(world):
    voting_term(world)
    services.vote_open(
        term=world.term,
        kind=VoteKind.CHAIR_ELECTION,
        title="Bầu",
        questions=[
            {"code": "chair", "title": "C", "max_choices": 1, "units": [world.unit_a]}
        ],
        actor=world.users["admin"],
    )
    term = term_transition(
        term=world.term, to_state=TermState.PROPOSING, actor=world.users["admin"]
    )
    assert term.state == TermState.PROPOSING


def test_chair_officers_and_admins_run_the_nomination(world):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    runs = [
        role
        for role, user in world.users.items()
        if user is not None and permissions.can_run_nomination(user, world.term)
    ]
    assert runs == ["chair_officer", "admin"]
    closes = [
        role
        for role, user in world.users.items()
        if user is not None and permissions.can_close_vote(user, vote)
    ]
    assert closes == ["chair_officer", "admin"]
    services.vote_close(vote=vote, actor=officer_of(world.unit_chair))
    vote.refresh_from_db()
    assert not permissions.can_close_vote(world.users["admin"], vote)
    assert vote.state == VoteState.CLOSED
