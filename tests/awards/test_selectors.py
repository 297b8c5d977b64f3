"""The tally, checked on random ballots (property-based), and the page selectors."""

from fractions import Fraction

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from awards import selectors, services
from awards.models import OptionTally, VoteKind
from tests.awards.factories import add_member, cast, open_vote
from tests.helpers import examples

CHAIR_CANDIDATES = 4
BOARD_CANDIDATES = 5
BOARD_CHOICES = 3
VOTERS = 7

ballot = st.fixed_dictionaries(
    {
        "chair": st.lists(
            st.integers(0, CHAIR_CANDIDATES - 1), max_size=1, unique=True
        ),
        "board": st.lists(
            st.integers(0, BOARD_CANDIDATES - 1), max_size=BOARD_CHOICES, unique=True
        ),
    }
)


@settings(
    max_examples=examples(60),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    quorum=st.sampled_from(["1/3", "1/2", "2/3", "3/4", "1"]),
    threshold=st.sampled_from(["0", "1/4", "1/3", "1/2", "2/3"]),
    ballots=st.lists(st.none() | ballot, min_size=VOTERS, max_size=VOTERS),
)
# The chair's winner is out of the board (a unit wins one tier of a
# nomination), though it has as many board votes as the board's lowest winner.
@example(
    quorum="1/3",
    threshold="0",
    ballots=[
        *[None] * 4,
        {"chair": [], "board": [4]},
        {"chair": [], "board": [0, 1, 3]},
        {"chair": [0], "board": [0, 1, 2]},
    ],
)
def test_tally_properties_hold_for_random_ballots(world, quorum, threshold, ballots):
    units = _units(world)
    with transaction.atomic():
        vote = open_vote(
            world,
            quorum=quorum,
            threshold=threshold,
            questions=[
                {
                    "code": "chair",
                    "title": "Chair",
                    "max_choices": 1,
                    "units": units[:CHAIR_CANDIDATES],
                },
                {
                    "code": "board",
                    "title": "Board",
                    "max_choices": BOARD_CHOICES,
                    "units": units[:BOARD_CANDIDATES],
                },
            ],
        )
        for unit, choices in zip(units, ballots, strict=True):
            if choices is not None:
                cast(
                    vote,
                    unit,
                    chair=[units[i] for i in choices["chair"]],
                    board=[units[i] for i in choices["board"]],
                )
        result = selectors.vote_result(vote)
        transaction.set_rollback(True)

    cast_ballots = [b for b in ballots if b is not None]
    eligible = len(units)
    assert (result.eligible, result.participation, result.ballots) == (
        eligible,
        len(cast_ballots),
        len(cast_ballots),
    )
    q, t = Fraction(quorum), Fraction(threshold)
    assert result.quorum_met == (len(cast_ballots) >= q * eligible)
    for question in result.questions:
        code = question.question.code
        marks = sum(len(b[code]) for b in cast_ballots)
        votes = [row.votes for row in question.rows]
        assert sum(votes) == question.marks == marks
        assert votes == sorted(votes, reverse=True)
        assert question.abstentions == sum(1 for b in cast_ballots if not b[code])
        assert len(question.winners) <= question.question.max_choices
        elected = [row for row in question.rows if row.elected]
        assert [row.unit for row in elected] == question.winners
        for row in elected:
            assert row.votes > t * eligible
        if not result.quorum_met:
            assert question.winners == []
            assert question.tie is False
        if question.tie:
            lowest = min((row.votes for row in elected), default=None)
            # Those out of this tier, elected in a higher one, are no losers.
            losers = [
                r.votes
                for r in question.rows
                if not r.elected and not r.won_higher and r.votes > 0
            ]
            assert lowest is None or all(v < lowest for v in losers)
    assert OptionTally.objects.count() == 0  # rolled back


def _units(world):
    cached = getattr(world, "_tally_units", None)
    if cached is None:
        extra = [add_member(world.term) for _ in range(VOTERS - 3)]
        cached = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
        world._tally_units = cached
    return cached


@given(
    votes=st.lists(st.integers(0, 20), min_size=1, max_size=8),
    max_choices=st.integers(1, 4),
    needed=st.integers(1, 10),
)
def test_elect_never_splits_a_tie_and_respects_the_cut(votes, max_choices, needed):
    rows = sorted(
        (selectors.ResultRow(unit=i, votes=v) for i, v in enumerate(votes)),
        key=lambda row: -row.votes,
    )
    winners, tie = selectors.elect(
        rows, max_choices=max_choices, votes_needed=needed, quorum_met=True
    )
    assert len(winners) <= max_choices
    assert all(row.votes >= needed for row in winners)
    elected = {id(row) for row in winners}
    for row in rows:
        if id(row) in elected:
            continue
        # Nobody left out has as many votes as someone elected.
        assert all(row.votes < w.votes for w in winners)
    qualified = [row for row in rows if row.votes >= needed]
    if not tie:
        assert len(winners) == min(len(qualified), max_choices)
    assert selectors.elect(
        rows, max_choices=max_choices, votes_needed=needed, quorum_met=False
    ) == ([], False)


def test_quorum_and_threshold_arithmetic_is_exact():
    two_thirds, half = Fraction(2, 3), Fraction(1, 2)
    assert [selectors.quorum_required(two_thirds, n) for n in (3, 4, 6, 8, 9)] == [
        2,
        3,
        4,
        6,
        6,
    ]
    assert [selectors.votes_to_win(half, n) for n in (3, 4, 8, 9)] == [2, 3, 5, 5]


def test_votes_of_term_counts_voters_and_participation(world):
    vote = open_vote(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    services.vote_open(
        term=world.term,
        kind=VoteKind.CHAIR_ELECTION,
        title="Bầu",
        questions=[
            {"code": "chair", "title": "C", "max_choices": 1, "units": [world.unit_a]}
        ],
        actor=world.users["admin"],
    )
    rows = [
        (v.kind, v.voter_count, v.participation_count)
        for v in selectors.votes_of_term(world.term)
    ]
    assert rows == [("chair_election", 3, 0), ("nomination", 3, 1)]


def test_voter_rows_show_who_voted_by_name(world):
    vote = open_vote(world)
    cast(vote, world.unit_chair)
    rows = selectors.voter_rows(vote)
    assert [(r.unit, r.has_voted) for r in rows] == [
        (world.unit_a, False),
        (world.unit_chair, True),
        (world.unit_deputy, False),
    ]
    assert rows[1].participation.cast_by == world.users["chair_officer"]
