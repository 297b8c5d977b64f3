import datetime

import pytest
from django.db import connection, models
from django.db.models import Max, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards import selectors, services
from awards.models import (
    OptionTally,
    QuestionTally,
    Vote,
    VoteKind,
    VoteOption,
    VoteParticipation,
    VoteState,
)
from clusters.models import Term, TermState
from core.errors import DomainError
from tests.awards.factories import (
    add_member,
    cast,
    make_elected,
    open_vote,
    option_ids,
    tally_state,
)
from tests.clusters.factories import TermFactory, officer

pytestmark = pytest.mark.usefixtures("english")


def _ballot_state():
    """(participations, ballots received, votes for candidates)."""
    return (
        VoteParticipation.objects.count(),
        QuestionTally.objects.aggregate(n=Max("ballots"))["n"] or 0,
        OptionTally.objects.aggregate(n=Sum("votes"))["n"] or 0,
    )


# Opening -------------------------------------------------------------------


def test_vote_open_fixes_voters_and_candidates_at_opening(world):
    vote = open_vote(world)
    late = add_member(world.term)
    assert vote.state == VoteState.OPEN
    assert vote.opened_by == world.users["admin"]
    assert set(vote.voters.all()) == {world.unit_a, world.unit_chair, world.unit_deputy}
    assert late not in vote.voters.all()
    question = vote.questions.get()
    assert (question.code, question.max_choices, question.position) == ("leading", 1, 1)
    assert [o.unit for o in question.options.all()] == [
        world.unit_a,
        world.unit_chair,
        world.unit_deputy,
    ]
    assert (vote.quorum, vote.threshold) == (
        services.DEFAULT_QUORUM,
        services.DEFAULT_THRESHOLD,
    )
    assert vote.history.get().history_user == world.users["admin"]


def test_vote_open_stores_quorum_and_threshold_as_exact_fractions(world):
    vote = open_vote(world, quorum="3/4", threshold=0.6)
    vote.refresh_from_db()
    assert (vote.quorum_numerator, vote.quorum_denominator) == (3, 4)
    assert (vote.threshold_numerator, vote.threshold_denominator) == (3, 5)


@pytest.mark.parametrize(
    ("quorum", "threshold"), [(0, None), ("5/4", None), (None, 1), (None, "x")]
)
def test_vote_open_refuses_impossible_rules(world, quorum, threshold):
    with pytest.raises(DomainError):
        open_vote(world, quorum=quorum, threshold=threshold)
    assert not Vote.objects.exists()


def test_vote_open_refuses_a_closed_term(world):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        open_vote(world)
    assert not Vote.objects.exists()


def test_vote_open_refuses_a_second_open_vote_of_the_same_kind(world):
    first = open_vote(world)
    with pytest.raises(DomainError, match="already open"):
        open_vote(world)
    open_vote(world, kind=VoteKind.CHAIR_ELECTION, title="Bầu")
    services.vote_close(vote=first, actor=world.users["admin"])
    open_vote(world)
    assert Vote.objects.filter(kind=VoteKind.NOMINATION).count() == 2


def test_vote_open_refuses_a_question_without_candidates(world):
    with pytest.raises(DomainError, match="no candidates"):
        open_vote(
            world,
            questions=[{"code": "x", "title": "X", "max_choices": 1, "units": []}],
        )
    assert not Vote.objects.exists()


def test_vote_open_refuses_a_candidate_who_is_not_a_member(world):
    with pytest.raises(DomainError, match="not a member"):
        open_vote(world, units=[world.unit_a, world.unit_other])
    assert not Vote.objects.exists()


def test_vote_open_refuses_more_choices_than_candidates(world):
    questions = [{"code": "x", "title": "X", "max_choices": 3, "units": [world.unit_a]}]
    with pytest.raises(DomainError):
        open_vote(world, questions=questions)
    assert not Vote.objects.exists()


# Casting -------------------------------------------------------------------


def test_ballot_cast_records_who_voted_apart_from_what(world):
    vote = open_vote(world)
    participation = cast(vote, world.unit_a, leading=[world.unit_chair])
    assert isinstance(participation, VoteParticipation)
    assert participation.cast_by == world.users["officer"]
    assert participation.history.get().history_user == world.users["officer"]
    tallies = OptionTally.objects.filter(option__question__vote=vote)
    assert {t.option.unit: t.votes for t in tallies} == {
        world.unit_a: 0,
        world.unit_chair: 1,
        world.unit_deputy: 0,
    }
    assert list(QuestionTally.objects.values_list("ballots", "abstentions")) == [(1, 0)]


def test_ballot_cast_with_no_choice_is_an_abstention(world):
    vote = open_vote(world)
    cast(vote, world.unit_a)
    assert _ballot_state() == (1, 1, 0)


def test_ballot_cast_refuses_a_second_ballot_of_the_same_unit(world):
    vote = open_vote(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    before = _ballot_state()
    other = officer(world.unit_a, username="second_officer_a")
    with pytest.raises(DomainError, match="already voted"):
        services.ballot_cast(
            vote=vote,
            unit=world.unit_a,
            actor=other,
            choices={"leading": option_ids(vote, "leading", world.unit_deputy)},
        )
    assert _ballot_state() == before


def test_ballot_cast_refuses_a_unit_that_is_not_a_voter(world):
    vote = open_vote(world)
    with pytest.raises(DomainError, match="not among the voters"):
        services.ballot_cast(
            vote=vote,
            unit=world.unit_other,
            actor=world.users["other_officer"],
            choices={},
        )
    late = add_member(world.term)
    with pytest.raises(DomainError, match="not among the voters"):
        cast(vote, late)
    assert _ballot_state() == (0, 0, 0)


def test_ballot_cast_refuses_an_officer_of_another_unit(world):
    vote = open_vote(world)
    with pytest.raises(DomainError, match="Only an officer"):
        services.ballot_cast(
            vote=vote, unit=world.unit_deputy, actor=world.users["officer"], choices={}
        )
    assert _ballot_state() == (0, 0, 0)


def test_ballot_cast_refuses_a_closed_vote(world):
    vote = open_vote(world)
    services.vote_close(vote=vote, actor=world.users["admin"])
    with pytest.raises(DomainError, match="closed"):
        cast(vote, world.unit_a, leading=[world.unit_chair])
    assert _ballot_state() == (0, 0, 0)


def test_ballot_cast_refuses_too_many_choices(world):
    vote = open_vote(world)
    with pytest.raises(DomainError, match="at most 1") as error:
        cast(vote, world.unit_a, leading=[world.unit_chair, world.unit_deputy])
    assert error.value.field == "leading"
    assert _ballot_state() == (0, 0, 0)


def test_ballot_cast_refuses_an_option_of_another_question(world):
    vote = open_vote(
        world,
        questions=[
            {"code": "p", "title": "P", "max_choices": 1, "units": [world.unit_a]},
            {"code": "q", "title": "Q", "max_choices": 1, "units": [world.unit_chair]},
        ],
    )
    foreign = option_ids(vote, "q", world.unit_chair)
    for choices in ({"p": foreign}, {"p": ["x"]}, {"p": [1, 1]}, {"zz": []}):
        with pytest.raises(DomainError):
            services.ballot_cast(
                vote=vote,
                unit=world.unit_a,
                actor=world.users["officer"],
                choices=choices,
            )
    assert _ballot_state() == (0, 0, 0)


# Closing -------------------------------------------------------------------


def test_vote_close_records_the_time_and_refuses_twice(world):
    vote = open_vote(world)
    services.vote_close(vote=vote, actor=world.users["admin"])
    vote.refresh_from_db()
    assert vote.state == VoteState.CLOSED
    assert vote.closed_at <= timezone.now()
    assert vote.history.first().history_user == world.users["admin"]
    with pytest.raises(DomainError, match="already closed"):
        services.vote_close(vote=vote, actor=world.users["admin"])


# Tally ---------------------------------------------------------------------


def test_tally_counts_marks_and_elects_over_the_threshold(world):
    vote = open_vote(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_chair])
    cast(vote, world.unit_deputy, leading=[world.unit_a])
    result = selectors.vote_result(vote)
    assert (result.eligible, result.participation, result.ballots) == (3, 3, 3)
    assert (result.quorum_required, result.quorum_met, result.votes_to_win) == (
        2,
        True,
        2,
    )
    question = result.question("leading")
    assert [(r.unit, r.votes) for r in question.rows] == [
        (world.unit_chair, 2),
        (world.unit_a, 1),
        (world.unit_deputy, 0),
    ]
    assert question.winners == [world.unit_chair]
    assert (question.tie, question.marks, question.abstentions) == (False, 3, 0)


def test_quorum_not_met_elects_nobody(world):
    add_member(world.term)
    vote = open_vote(world)  # 4 voters: quorum ceil(2/3 × 4) = 3
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_chair])
    result = selectors.vote_result(vote)
    assert (result.quorum_required, result.quorum_met) == (3, False)
    assert result.question("leading").rows[0].votes == 2
    assert result.question("leading").winners == []


def test_threshold_is_more_than_half_of_all_members_not_of_ballots(world):
    extra = [add_member(world.term) for _ in range(3)]
    vote = open_vote(world)  # 6 voters: quorum 4, more than 3 votes to win
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_chair])
    cast(vote, world.unit_deputy, leading=[world.unit_chair])
    cast(vote, extra[0], leading=[world.unit_a])
    result = selectors.vote_result(vote)
    assert (result.quorum_met, result.votes_to_win) == (True, 4)
    # 3 of 4 ballots is a majority of the ballots, but not of the 6 members.
    assert result.question("leading").winners == []
    cast(vote, extra[1], leading=[world.unit_chair])
    assert selectors.vote_result(vote).question("leading").winners == [world.unit_chair]


def test_exactly_half_is_not_enough(world):
    add_member(world.term)
    vote = open_vote(world)  # 4 voters: more than 2 votes to win
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_chair])
    cast(vote, world.unit_deputy, leading=[world.unit_a])
    assert selectors.vote_result(vote).question("leading").winners == []


def test_tie_at_the_cut_off_elects_none_of_the_tied_and_is_flagged(world):
    vote = open_vote(world, threshold=0)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_a])
    result = selectors.vote_result(vote)
    question = result.question("leading")
    assert question.tie is True
    assert question.winners == []


def test_tie_below_a_clear_winner_elects_only_the_clear_winner(world):
    units = [world.unit_a, world.unit_chair, world.unit_deputy]
    vote = open_vote(
        world,
        threshold=0,
        questions=[{"code": "board", "title": "B", "max_choices": 2, "units": units}],
    )
    cast(vote, world.unit_a, board=[world.unit_a, world.unit_chair])
    cast(vote, world.unit_chair, board=[world.unit_a, world.unit_deputy])
    cast(vote, world.unit_deputy, board=[world.unit_a])
    question = selectors.vote_result(vote).question("board")
    assert [(r.unit, r.votes) for r in question.rows] == [
        (world.unit_a, 3),
        (world.unit_chair, 1),
        (world.unit_deputy, 1),
    ]
    assert (question.winners, question.tie) == ([world.unit_a], True)
    assert [r.elected for r in question.rows] == [True, False, False]


# Chair election ------------------------------------------------------------


def test_chair_election_needs_the_elected_policy(world):
    with pytest.raises(DomainError, match="not elected"):
        services.chair_election_open(term=world.term, actor=world.users["admin"])
    assert not Vote.objects.exists()


def _candidates(vote, code):
    return [
        o.unit
        for o in VoteOption.objects.filter(question__vote=vote, question__code=code)
    ]


def test_chair_election_excludes_the_current_chair_and_units_leaving(world):
    make_elected(world)
    leaving = add_member(
        world.term, name="Huyện Sáp Nhập", valid_to=datetime.date(2024, 12, 31)
    )
    staying = add_member(
        world.term, name="Huyện Ở Lại", valid_to=datetime.date(2025, 1, 1)
    )
    vote = services.chair_election_open(term=world.term, actor=world.users["admin"])
    assert vote.kind == VoteKind.CHAIR_ELECTION
    assert "2025" in vote.title
    assert [q.code for q in vote.questions.all()] == ["chair", "deputy"]
    assert [q.max_choices for q in vote.questions.all()] == [1, 1]
    assert _candidates(vote, "chair") == [world.unit_a, world.unit_deputy, staying]
    assert _candidates(vote, "deputy") == [
        world.unit_a,
        world.unit_chair,
        world.unit_deputy,
        staying,
    ]
    assert leaving in vote.voters.all()  # still a member this year


def test_chair_election_keeps_the_chair_when_it_is_the_only_candidate(world):
    make_elected(world)
    term = TermFactory(cluster=world.cluster, year=2023)
    term.memberships.create(unit=world.unit_chair, role="chair")
    vote = services.chair_election_open(term=term, actor=world.users["admin"])
    assert _candidates(vote, "chair") == [world.unit_chair]


def test_chair_election_outcome_reads_the_latest_closed_election(world):
    make_elected(world)
    assert selectors.chair_election_outcome(world.term) == (None, None, None)
    vote = services.chair_election_open(term=world.term, actor=world.users["admin"])
    cast(vote, world.unit_a, chair=[world.unit_deputy], deputy=[world.unit_a])
    cast(vote, world.unit_chair, chair=[world.unit_deputy], deputy=[world.unit_a])
    cast(vote, world.unit_deputy, chair=[world.unit_a], deputy=[world.unit_chair])
    assert selectors.chair_election_outcome(world.term) == (None, None, None)
    services.vote_close(vote=vote, actor=world.users["admin"])
    assert selectors.chair_election_outcome(world.term) == (
        world.unit_deputy,
        world.unit_a,
        vote,
    )


def test_chair_election_outcome_when_one_unit_wins_both_posts(world):
    units = [world.unit_a, world.unit_chair, world.unit_deputy]
    questions = [
        {"code": "chair", "title": "C", "max_choices": 1, "units": units},
        {"code": "deputy", "title": "D", "max_choices": 1, "units": units},
    ]
    vote = open_vote(world, kind=VoteKind.CHAIR_ELECTION, questions=questions)
    for unit in units:
        cast(vote, unit, chair=[world.unit_a], deputy=[world.unit_a])
    services.vote_close(vote=vote, actor=world.users["admin"])
    # With "more than half", nobody else can pass the threshold: no deputy.
    assert selectors.chair_election_outcome(world.term) == (world.unit_a, None, vote)

    low = open_vote(
        world, kind=VoteKind.CHAIR_ELECTION, questions=questions, threshold=0
    )
    cast(low, world.unit_a, chair=[world.unit_a], deputy=[world.unit_a])
    cast(low, world.unit_chair, chair=[world.unit_a], deputy=[world.unit_a])
    cast(low, world.unit_deputy, chair=[world.unit_a], deputy=[world.unit_deputy])
    services.vote_close(vote=low, actor=world.users["admin"])
    assert selectors.chair_election_outcome(world.term) == (
        world.unit_a,
        world.unit_deputy,
        low,
    )


# Secrecy -------------------------------------------------------------------

LINKING_MODELS = {"clusters.unit", "clusters.user"}


@pytest.mark.parametrize("model", [OptionTally, QuestionTally])
def test_tallies_hold_nothing_that_identifies_the_voter(model):
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if related is not None:
            assert related._meta.label_lower not in LINKING_MODELS, field
        assert not isinstance(
            field, models.DateTimeField | models.DateField | models.TimeField
        ), field
        assert not isinstance(field, models.AutoField | models.BigAutoField), field
    # Keyed by the candidate or question, fixed when the vote opens.
    assert model._meta.pk.one_to_one


def test_tallies_have_no_history_table_and_no_ballot_table_exists(db):
    tables = set(connection.introspection.table_names())
    assert "awards_historicalvote" in tables
    assert "awards_historicalvoteparticipation" in tables
    assert "awards_historicaloptiontally" not in tables
    assert "awards_historicalquestiontally" not in tables
    assert not {"awards_ballot", "awards_ballotmark"} & tables
    assert not hasattr(OptionTally, "history")
    assert not hasattr(QuestionTally, "history")


def _ballot_tables(vote):
    """Every row of `vote` in every table that holds what was voted, read in
    every column order (each column, ties broken by key), with keys shown as
    the candidate's unit or the question's code so that two votes compare."""
    reads = []
    for model, key, name in (
        (OptionTally, "option", "option__unit__name"),
        (QuestionTally, "question", "question__code"),
    ):
        rows = model.objects.filter(
            **{f"{key}__question__vote" if key == "option" else f"{key}__vote": vote}
        )
        columns = [f.attname for f in model._meta.concrete_fields]
        for column in columns:
            values = [name, *columns[1:]]
            reads.append(list(rows.order_by(column, "pk").values_list(*values)))
    return reads


def _vote_one_by_one(world, voters, candidates, order):
    """Open a vote among `candidates`; `voters[i]` votes for `candidates[i]`, in
    `order`. Returns the vote and the ballot tables read before and after each
    ballot (as a backup taken during the vote would see them)."""
    vote = open_vote(world, units=candidates)
    keys = [
        list(OptionTally.objects.filter(option__question__vote=vote).order_by("pk")),
        list(QuestionTally.objects.filter(question__vote=vote).order_by("pk")),
    ]
    reads = [_ballot_tables(vote)]
    for index in order:
        cast(vote, voters[index], leading=[candidates[index]])
        reads.append(_ballot_tables(vote))
        # No row is added, removed or re-keyed by a ballot.
        assert [
            list(
                OptionTally.objects.filter(option__question__vote=vote).order_by("pk")
            ),
            list(QuestionTally.objects.filter(question__vote=vote).order_by("pk")),
        ] == keys
    services.vote_close(vote=vote, actor=world.users["admin"])
    return vote, reads


def test_ballot_storage_does_not_reveal_the_order_of_casting(world):
    """Eight voters each vote for a different candidate, one by one. What is
    stored after the vote, in any row order, is the same whichever order the
    units voted in, while the participations follow the casting order: a
    database reader cannot pair ballots with participations."""
    extra = [add_member(world.term, name=f"Xã {i}") for i in range(5)]
    voters = [world.unit_a, world.unit_chair, world.unit_deputy, *extra]
    candidates = sorted(voters, key=lambda unit: unit.name, reverse=True)
    orders = [list(range(8)), list(range(7, -1, -1)), [3, 6, 0, 5, 2, 7, 1, 4]]
    finals = []
    for order in orders:
        vote, reads = _vote_one_by_one(world, voters, candidates, order)
        finals.append(reads[-1])
        participations = list(
            vote.participations.order_by("pk").values_list("unit", flat=True)
        )
        assert participations == [voters[i].pk for i in order]
        cast_at = list(
            vote.participations.order_by("cast_at", "pk").values_list("unit", flat=True)
        )
        assert cast_at == participations
    assert finals[0] == finals[1] == finals[2]
    by_key = finals[0][0]
    assert [name for name, _votes in by_key] == [u.name for u in candidates]
    assert {votes for _name, votes in by_key} == {1}


def test_every_ballot_rewrites_every_tally_row_of_the_vote(world):
    """Each ballot changes the tallies with UPDATEs over all the vote's rows
    (marked or not), never an INSERT, so the rows' last writer (PostgreSQL's
    xmin) is the same for all of them."""
    vote = open_vote(world)
    with CaptureQueriesContext(connection) as queries:
        cast(vote, world.unit_a, leading=[world.unit_chair])
    tally_sql = [
        q["sql"]
        for q in queries.captured_queries
        if "tally" in q["sql"].lower().split(" where ")[0]
    ]
    assert len(tally_sql) == 2
    assert all(sql.lstrip().upper().startswith("UPDATE") for sql in tally_sql)


def test_a_race_past_the_check_is_stopped_by_the_constraint(world, monkeypatch):
    vote = open_vote(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    before = _ballot_state()
    monkeypatch.setattr(services.votes, "_has_voted", lambda vote, unit: False)
    with pytest.raises(DomainError, match="already voted"):
        cast(vote, world.unit_a, leading=[world.unit_deputy])
    assert _ballot_state() == before


def test_closing_keeps_the_tallies(world):
    vote = open_vote(world)
    cast(vote, world.unit_a, leading=[world.unit_chair])
    cast(vote, world.unit_chair, leading=[world.unit_chair])
    cast(vote, world.unit_deputy)
    before = selectors.vote_result(vote)
    state = tally_state()
    services.vote_close(vote=vote, actor=world.users["admin"])
    after = selectors.vote_result(vote)
    assert tally_state() == state
    assert (after.ballots, after.participation) == (3, 3)
    assert [(r.unit, r.votes) for r in after.question("leading").rows] == [
        (r.unit, r.votes) for r in before.question("leading").rows
    ]
    assert after.question("leading").abstentions == 1
