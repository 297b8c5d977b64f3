"""Helpers for the awards tests: members with officers, votes and ballots."""

from django.db.models import F

from awards import services
from awards.models import OptionTally, QuestionTally, VoteKind, VoteOption
from clusters.models import Cluster, RotationPolicy
from tests.clusters.factories import MembershipFactory, UnitFactory, officer


def make_elected(world):
    """Give the world's cluster the "elected by members" rotation policy."""
    Cluster.objects.filter(pk=world.cluster.pk).update(
        rotation_policy=RotationPolicy.ELECTED
    )


def add_member(term, **unit_fields):
    """A new unit, member of `term`, with one officer; returns the unit."""
    unit = UnitFactory(authority=term.cluster.authority, **unit_fields)
    MembershipFactory(term=term, unit=unit)
    officer(unit)
    return unit


def officer_of(unit):
    return unit.officers.first() or officer(unit)


def open_vote(world, *, units=None, questions=None, **kwargs):
    """A nomination vote in the world's term over `units` (default: all three
    members), one question "leading" with one choice unless `questions` given."""
    units = units or [world.unit_a, world.unit_chair, world.unit_deputy]
    questions = questions or [
        {"code": "leading", "title": "Leading unit", "max_choices": 1, "units": units}
    ]
    return services.vote_open(
        term=world.term,
        kind=kwargs.pop("kind", VoteKind.NOMINATION),
        title=kwargs.pop("title", "Bình xét 2024"),
        questions=questions,
        actor=world.users["admin"],
        **kwargs,
    )


def option_ids(vote, code, *units):
    options = VoteOption.objects.filter(question__vote=vote, question__code=code)
    by_unit = {o.unit_id: o.pk for o in options}
    return [by_unit[unit.pk] for unit in units]


def cast(vote, unit, **choices):
    """Cast `unit`'s ballot by one of its officers; `choices` maps question codes
    to lists of candidate units."""
    return services.ballot_cast(
        vote=vote,
        unit=unit,
        actor=officer_of(unit),
        choices={
            code: option_ids(vote, code, *units) for code, units in choices.items()
        },
    )


def tally_state():
    """Everything stored about what was voted: every tally row, by key."""
    return (
        list(OptionTally.objects.order_by("pk").values_list("pk", "votes")),
        list(
            QuestionTally.objects.order_by("pk").values_list(
                "pk", "ballots", "abstentions"
            )
        ),
    )


def add_candidate(question, unit, votes=0):
    """A candidate added to an open vote's question outside the services (to
    grow data in query-count tests), with its tally."""
    option = VoteOption.objects.create(question=question, unit=unit)
    OptionTally.objects.create(option=option, votes=votes)
    return option


def count_ballot(vote, abstaining=()):
    """Count one more ballot received by every question of `vote` (abstaining on
    the questions in `abstaining`), outside the services; the candidates' votes
    are set with `add_candidate`."""
    for tally in QuestionTally.objects.filter(question__vote=vote):
        tally.ballots = F("ballots") + 1
        if tally.question in abstaining:
            tally.abstentions = F("abstentions") + 1
        tally.save()


def publish_ranking(term, ranked, actor=None):
    """A published ranking snapshot of `term` listing `ranked` units in that order
    (rank = position, or a list of (unit, rank) pairs for shared ranks)."""
    from pledges.models import RankingSnapshot

    pairs = [
        item if isinstance(item, tuple) else (item, index)
        for index, item in enumerate(ranked, start=1)
    ]
    ranks = [rank for _unit, rank in pairs]
    rows = [
        {
            "unit": unit.name,
            "unit_id": unit.pk,
            "rank": rank,
            "shared": ranks.count(rank) > 1,
            "total": str(100 - rank),
            "bonus": "0",
            "deduction": "0",
            "band": "excellent" if rank == 1 else "good",
            "tie_note": "",
            "previous_rank": None,
            "lines": [],
        }
        for unit, rank in pairs
    ]
    latest = RankingSnapshot.objects.filter(term=term).first()
    return RankingSnapshot.objects.create(
        term=term,
        number=(latest.number + 1) if latest else 1,
        rows=rows,
        published_by=actor or term.cluster.authority.users.filter(role="admin").first(),
    )


def voting_term(world, ranked=None):
    """The world's term in the voting stage with a published ranking (default
    order: chair unit, unit A, deputy)."""
    from clusters.models import Term, TermState

    Term.objects.filter(pk=world.term.pk).update(state=TermState.VOTING)
    world.term.refresh_from_db()
    publish_ranking(
        world.term,
        ranked or [world.unit_chair, world.unit_a, world.unit_deputy],
        world.users["admin"],
    )
    return world.term
