"""Reads of the awards app shaped for pages, scoped by authority; no N+1.

Results are read from the tallies that each ballot adds to (see
`awards.models.votes`); no ballot is stored on its own. Nothing here can say
which unit cast which ballot: there is no data for it."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clusters.selectors import terms_visible_to

from ..models import (
    Vote,
    VoteKind,
    VoteOption,
    VoteParticipation,
    VoteQuestion,
    VoteState,
)
from ..services import CHAIR, DEPUTY, LEADING


def votes_visible_to(user):
    """Votes of the terms the user may open (the term's visibility decides)."""
    return Vote.objects.filter(term__in=terms_visible_to(user))


def _questions_with_options():
    return Prefetch(
        "questions",
        queryset=VoteQuestion.objects.order_by("position", "pk").prefetch_related(
            Prefetch(
                "options",
                queryset=VoteOption.objects.select_related("unit").order_by(
                    "unit__name"
                ),
            )
        ),
    )


def vote_detail(user, pk):
    """A visible vote with its term, cluster, opener, questions and candidates.
    Raises Vote.DoesNotExist."""
    return (
        votes_visible_to(user)
        .select_related("term__cluster__authority", "opened_by")
        .prefetch_related(_questions_with_options(), "term__memberships")
        .get(pk=pk)
    )


def vote_with_term(user, pk):
    """A visible vote with its term, cluster and members (for the managing
    permission). Raises Vote.DoesNotExist."""
    return (
        votes_visible_to(user)
        .select_related("term__cluster")
        .prefetch_related("term__memberships")
        .get(pk=pk)
    )


def votes_of_term(term):
    """The term's votes, newest first, with `voter_count` and
    `participation_count`."""
    return term.votes.annotate(
        voter_count=Count("voters", distinct=True),
        participation_count=Count("participations", distinct=True),
    ).order_by("-opened_at", "-pk")


@dataclass
class VoterRow:
    """An eligible unit and its participation (None while it has not voted)."""

    unit: object
    participation: object = None

    @property
    def has_voted(self):
        return self.participation is not None


def voter_rows(vote):
    """Every eligible unit of `vote` by name, with who cast its ballot and when
    (two queries)."""
    participations = {
        p.unit_id: p for p in vote.participations.select_related("cast_by")
    }
    return [
        VoterRow(unit, participations.get(unit.pk))
        for unit in vote.voters.order_by("name")
    ]


def has_voted(vote, unit_id):
    """True once the unit's ballot in `vote` is cast."""
    return VoteParticipation.objects.filter(vote=vote, unit_id=unit_id).exists()


def is_voter(vote, unit_id):
    """True when the unit was a member of the term when `vote` opened."""
    return unit_id is not None and vote.voters.filter(pk=unit_id).exists()


@dataclass
class ResultRow:
    unit: object
    votes: int
    over_threshold: bool = False
    elected: bool = False


@dataclass
class QuestionResult:
    question: object
    rows: list
    winners: list = field(default_factory=list)
    tie: bool = False
    marks: int = 0
    abstentions: int = 0


@dataclass
class VoteResult:
    vote: object
    eligible: int
    participation: int
    ballots: int
    quorum_required: int
    quorum_met: bool
    votes_to_win: int
    questions: list

    def question(self, code):
        return next((q for q in self.questions if q.question.code == code), None)


def quorum_required(quorum, eligible):
    """ceil(quorum × eligible) in exact arithmetic."""
    return -(-quorum.numerator * eligible // quorum.denominator)


def votes_to_win(threshold, eligible):
    """The fewest votes that are more than threshold × eligible."""
    return threshold.numerator * eligible // threshold.denominator + 1


def elect(rows, *, max_choices, votes_needed, quorum_met):
    """(winners, tie) from `rows` sorted by votes descending: the candidates with
    at least `votes_needed`, at most `max_choices` of them. When candidates tie
    at the cut-off, none of the tied is elected and `tie` is True. No winner when
    the quorum is not met."""
    if not quorum_met:
        return [], False
    qualified = [row for row in rows if row.votes >= votes_needed]
    if len(qualified) <= max_choices:
        return qualified, False
    cut = qualified[max_choices - 1].votes
    if qualified[max_choices].votes == cut:
        return [row for row in qualified if row.votes > cut], True
    return qualified[:max_choices], False


def vote_result(vote):
    """The tally of `vote`: participation, quorum and, per question, every
    candidate's votes (descending, then by name), the winners and any tie at the
    cut-off. Four queries whatever the size."""
    eligible = vote.voters.count()
    participation = vote.participations.count()
    required = quorum_required(vote.quorum, eligible)
    quorum_met = eligible > 0 and participation >= required
    needed = votes_to_win(vote.threshold, eligible)
    questions = list(
        vote.questions.annotate(
            marks_count=Coalesce(Sum("options__tally__votes"), Value(0)),
            ballot_count=Coalesce(F("tally__ballots"), Value(0)),
            abstention_count=Coalesce(F("tally__abstentions"), Value(0)),
        ).order_by("position", "pk")
    )
    # Every ballot answers every question (an empty answer is an abstention).
    ballots = max((question.ballot_count for question in questions), default=0)
    options = (
        VoteOption.objects.filter(question__vote=vote)
        .select_related("unit")
        .annotate(votes=Coalesce(F("tally__votes"), Value(0)))
        .order_by("-votes", "unit__name")
    )
    rows_by_question = {question.pk: [] for question in questions}
    for option in options:
        rows_by_question[option.question_id].append(
            ResultRow(
                unit=option.unit,
                votes=option.votes,
                over_threshold=option.votes >= needed,
            )
        )
    results = []
    for question in questions:
        rows = rows_by_question[question.pk]
        winners, tie = elect(
            rows,
            max_choices=question.max_choices,
            votes_needed=needed,
            quorum_met=quorum_met,
        )
        for row in winners:
            row.elected = True
        results.append(
            QuestionResult(
                question=question,
                rows=rows,
                winners=[row.unit for row in winners],
                tie=tie,
                marks=question.marks_count,
                abstentions=question.abstention_count,
            )
        )
    return VoteResult(
        vote=vote,
        eligible=eligible,
        participation=participation,
        ballots=ballots,
        quorum_required=required,
        quorum_met=quorum_met,
        votes_to_win=needed,
        questions=results,
    )


def latest_chair_election(term):
    """The most recently closed chair election of `term`, or None."""
    return (
        term.votes.filter(kind=VoteKind.CHAIR_ELECTION, state=VoteState.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


def chair_election_outcome(term):
    """(chair, deputy, vote) elected for the year after `term` by its most recently
    closed chair election; (None, None, None) without one. See `elected_officers`
    for the rules."""
    vote = latest_chair_election(term)
    if vote is None:
        return None, None, None
    chair, deputy = elected_officers(vote_result(vote))
    return chair, deputy, vote


def chair_election_officers(term):
    """(chair, deputy) elected for the year after `term`, (None, None) without a
    closed chair election: what rotation asks (`clusters.selectors.CHAIR_ELECTIONS`)."""
    chair, deputy, _vote = chair_election_outcome(term)
    return chair, deputy


def elected_officers(result):
    """(chair, deputy) from the tally of a chair election. A unit elected to both
    posts chairs; the deputy is then the deputy candidate over the threshold with
    the most votes among the others if exactly one has that many, else None."""
    chair_result, deputy_result = result.question(CHAIR), result.question(DEPUTY)
    chair = None
    if chair_result is not None and chair_result.winners:
        chair = chair_result.winners[0]
    deputy = None
    if deputy_result is not None and result.quorum_met:
        remaining = [
            row
            for row in deputy_result.rows
            if row.over_threshold and (chair is None or row.unit.pk != chair.pk)
        ]
        if remaining and (
            len(remaining) == 1 or remaining[0].votes > remaining[1].votes
        ):
            deputy = remaining[0].unit
    return chair, deputy


# Nomination of the leading units ---------------------------------------------------


def open_nomination_refusal(term):
    """Transition guard for entering `proposing`: proposals rest on the result of
    the nomination vote, so the term may not move on while one is still open.
    Returns the refusal message, or None."""
    if term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.OPEN).exists():
        return _(
            "The nomination vote is still open; close it before moving on to "
            "proposals, which rest on its result."
        )
    return None


def open_nomination(term):
    """The term's open nomination vote, or None."""
    return term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.OPEN).first()


def closed_nominations(term):
    """The term's closed nomination votes, oldest first."""
    return term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.CLOSED).order_by(
        "closed_at", "pk"
    )


def latest_nomination(term):
    """The term's most recently closed nomination vote, or None."""
    return (
        term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def share_of_members(votes, eligible):
    """`votes` in % of all `eligible` members, to two places (0 without members)."""
    if not eligible:
        return Decimal(0).quantize(CENT)
    return (Decimal(votes) * HUNDRED / Decimal(eligible)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@dataclass
class NominationRow:
    """A candidate of a nomination vote: votes, share of all members, rank in the
    published ranking (None when it is not ranked), and the outcome."""

    unit: object
    votes: int
    percent: Decimal
    rank: object
    over_threshold: bool
    elected: bool
    tied: bool


@dataclass
class NominationResult:
    """The tally of a nomination vote shaped for the result page and minutes.

    `undecided` counts the seats a tie at the cut-off leaves open (the tied
    candidates are in `tied`); `unfilled` the seats left because too few
    candidates passed the threshold."""

    result: object
    seats: int
    rows: list
    winners: list
    tied: list
    undecided: int
    unfilled: int

    @property
    def tie(self):
        return bool(self.tied)


def nomination_result(vote, result=None, ranks=None):
    """The tally of a nomination vote (`vote_result`, passed in when already
    computed) with seats, percentages of all members, winners, tied candidates
    and undecided seats. `ranks` maps unit ids to their published rank (read
    from the term's published ranking when not given)."""
    if result is None:
        result = vote_result(vote)
    if ranks is None:
        ranks = published_ranks(vote.term)
    question = result.question(LEADING) or (
        result.questions[0] if result.questions else None
    )
    if question is None:
        return NominationResult(result, 0, [], [], [], 0, 0)
    seats = question.question.max_choices
    winners = {unit.pk for unit in question.winners}
    tied_votes = None
    if question.tie:
        # The tied candidates hold the cut-off: the most votes among those over
        # the threshold who were not elected.
        tied_votes = max(
            (r.votes for r in question.rows if r.over_threshold and not r.elected),
            default=None,
        )
    rows = [
        NominationRow(
            unit=row.unit,
            votes=row.votes,
            percent=share_of_members(row.votes, result.eligible),
            rank=ranks.get(row.unit.pk),
            over_threshold=row.over_threshold,
            elected=row.unit.pk in winners,
            tied=tied_votes is not None
            and not row.elected
            and row.over_threshold
            and row.votes == tied_votes,
        )
        for row in question.rows
    ]
    tied = [row.unit for row in rows if row.tied]
    undecided = seats - len(winners) if tied else 0
    unfilled = 0 if tied or not result.quorum_met else seats - len(winners)
    return NominationResult(
        result=result,
        seats=seats,
        rows=rows,
        winners=[row.unit for row in rows if row.elected],
        tied=tied,
        undecided=undecided,
        unfilled=unfilled,
    )


def published_ranks(term):
    """{unit id: rank} from `term`'s latest published ranking (one query)."""
    from pledges.selectors import published_ranking

    snapshot = published_ranking(term)
    if snapshot is None:
        return {}
    return {row["unit_id"]: row["rank"] for row in snapshot.rows}


def nominated_units(term):
    """The units nominated by `term`'s closed nomination votes, in the order of
    the votes (a later vote fills the seats a tie left undecided), each unit
    once."""
    units, seen = [], set()
    for vote in closed_nominations(term):
        for unit in nomination_result(vote, ranks={}).winners:
            if unit.pk not in seen:
                seen.add(unit.pk)
                units.append(unit)
    return units


@dataclass
class NominationSetup:
    """What the page opening a nomination vote offers: every member with its
    published rank, total and band (best ranked first, unranked last), the
    candidates ticked by default and the seats to fill. After a vote whose tie
    left seats undecided, the defaults are the tied units and those seats."""

    snapshot: object
    members: list  # [(unit, rank or None, total or None, band label or "")]
    candidates: list  # unit ids ticked by default
    seats: int
    runoff_of: object = None


def nomination_setup(term):
    """`NominationSetup` of `term`, whose memberships (with units) are
    prefetched or queried once; constant queries whatever the members."""
    from pledges.ranking import BAND_LABELS
    from pledges.selectors import published_ranking

    from ..services import nomination_seats, ranked_candidates

    snapshot = published_ranking(term)
    rows = {row["unit_id"]: row for row in snapshot.rows} if snapshot else {}
    units = [m.unit for m in term.memberships.all()]
    members = []
    for unit in units:
        row = rows.get(unit.pk)
        members.append(
            (
                unit,
                row["rank"] if row else None,
                Decimal(row["total"]) if row else None,
                BAND_LABELS.get(row["band"], "") if row else "",
            )
        )
    members.sort(key=lambda m: (m[1] is None, m[1] or 0, m[0].name))
    seats = nomination_seats(term, len(units))
    candidates = ranked_candidates(snapshot.rows, seats) if snapshot else []
    runoff_of = latest_nomination(term)
    if runoff_of is not None:
        previous = nomination_result(runoff_of, ranks={})
        if previous.undecided:
            seats = previous.undecided
            candidates = [unit.pk for unit in previous.tied]
        else:
            runoff_of = None
    member_ids = {unit.pk for unit in units}
    return NominationSetup(
        snapshot=snapshot,
        members=members,
        candidates=[pk for pk in candidates if pk in member_ids],
        seats=seats,
        runoff_of=runoff_of,
    )
