"""Reads of the awards app shaped for pages, scoped by authority; no N+1.

Results are read from the tallies that each ballot adds to (see
`awards.models.votes`); no ballot is stored on its own. Nothing here can say
which unit cast which ballot: there is no data for it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, F, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import Term, Unit, User
from clusters.selectors import terms_visible_to
from pledges.models import RankingSnapshot
from pledges.ranking import BAND_LABELS
from pledges.selectors import published_ranking

from ..models import (
    AwardForm,
    Vote,
    VoteKind,
    VoteOption,
    VoteParticipation,
    VoteQuestion,
    VoteState,
)
from ..services import CHAIR, DEPUTY, LEADING, tier_order


def votes_visible_to(user: User) -> QuerySet[Vote]:
    """Votes of the terms the user may open (the term's visibility decides)."""
    return Vote.objects.filter(term__in=terms_visible_to(user))


def _questions_with_options() -> Prefetch:
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


def vote_detail(user: User, pk: int) -> Vote:
    """A visible vote with its term, cluster, opener, questions and candidates.
    Raises Vote.DoesNotExist."""
    return (
        votes_visible_to(user)
        .select_related("term__cluster__authority", "opened_by")
        .prefetch_related(_questions_with_options(), "term__memberships")
        .get(pk=pk)
    )


def vote_with_term(user: User, pk: int) -> Vote:
    """A visible vote with its term, cluster and members (for the managing
    permission). Raises Vote.DoesNotExist."""
    return (
        votes_visible_to(user)
        .select_related("term__cluster")
        .prefetch_related("term__memberships")
        .get(pk=pk)
    )


def votes_of_term(term: Term) -> QuerySet[Vote]:
    """The term's votes, newest first, with `voter_count` and
    `participation_count`."""
    return term.votes.annotate(
        voter_count=Count("voters", distinct=True),
        participation_count=Count("participations", distinct=True),
    ).order_by("-opened_at", "-pk")


@dataclass
class VoterRow:
    """An eligible unit and its participation (None while it has not voted)."""

    unit: Unit
    participation: VoteParticipation | None = None

    @property
    def has_voted(self) -> bool:
        return self.participation is not None


def voter_rows(vote: Vote) -> list[VoterRow]:
    """Every eligible unit of `vote` by name, with who cast its ballot and when
    (two queries)."""
    participations = {
        p.unit_id: p for p in vote.participations.select_related("cast_by")
    }
    return [
        VoterRow(unit, participations.get(unit.pk))
        for unit in vote.voters.order_by("name")
    ]


def has_voted(vote: Vote, unit_id: int | None) -> bool:
    """True once the unit's ballot in `vote` is cast."""
    # The stubs refuse None in a lookup; Django reads it as IS NULL.
    return VoteParticipation.objects.filter(
        vote=vote,
        unit_id=unit_id,  # type: ignore[misc]
    ).exists()


def is_voter(vote: Vote, unit_id: int | None) -> bool:
    """True when the unit was a member of the term when `vote` opened."""
    return unit_id is not None and vote.voters.filter(pk=unit_id).exists()


@dataclass
class ResultRow:
    """A candidate's votes; `won_higher` when, in a nomination, the unit is
    elected in a higher tier of the same vote and so out of this one."""

    unit: Unit
    votes: int
    over_threshold: bool = False
    elected: bool = False
    won_higher: bool = False


@dataclass
class QuestionResult:
    question: VoteQuestion
    rows: list[ResultRow]
    winners: list[Unit] = field(default_factory=list)
    tie: bool = False
    marks: int = 0
    abstentions: int = 0
    votes_to_win: int = 0
    threshold: Fraction | None = None


@dataclass
class VoteResult:
    vote: Vote
    eligible: int
    participation: int
    ballots: int
    quorum_required: int
    quorum_met: bool
    votes_to_win: int
    questions: list[QuestionResult]

    def question(self, code: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.question.code == code), None)


def quorum_required(quorum: Fraction, eligible: int) -> int:
    """ceil(quorum × eligible) in exact arithmetic."""
    return -(-quorum.numerator * eligible // quorum.denominator)


def votes_to_win(threshold: Fraction, eligible: int) -> int:
    """The fewest votes that are more than threshold × eligible."""
    return threshold.numerator * eligible // threshold.denominator + 1


def elect(
    rows: Sequence[ResultRow], *, max_choices: int, votes_needed: int, quorum_met: bool
) -> tuple[list[ResultRow], bool]:
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


def vote_result(vote: Vote) -> VoteResult:
    """The tally of `vote`: participation, quorum and, per question, every
    candidate's votes (descending, then by name), the winners and any tie at the
    cut-off, against the question's own threshold or else the vote's. Four
    queries whatever the size.

    In a nomination a unit wins at most one tier: the tiers are counted in
    order, highest first (`VoteQuestion.position`, set by
    `services.tier_order`), and a unit elected in a higher tier is out of the
    lower ones (`ResultRow.won_higher`), whose seats go to the next candidates
    over their threshold. A unit tied at a higher tier's cut-off is not elected
    there, so it stays a candidate below."""
    eligible = vote.voters.count()
    participation = vote.participations.count()
    required = quorum_required(vote.quorum, eligible)
    quorum_met = eligible > 0 and participation >= required
    needed = votes_to_win(vote.threshold, eligible)
    questions = list(
        vote.questions.select_related("award_form")
        .annotate(
            marks_count=Coalesce(Sum("options__tally__votes"), Value(0)),
            ballot_count=Coalesce(F("tally__ballots"), Value(0)),
            abstention_count=Coalesce(F("tally__abstentions"), Value(0)),
        )
        .order_by("position", "pk")
    )
    # Every ballot answers every question (an empty answer is an abstention).
    ballots = max((question.ballot_count for question in questions), default=0)
    options = (
        VoteOption.objects.filter(question__vote=vote)
        .select_related("unit")
        .annotate(votes=Coalesce(F("tally__votes"), Value(0)))
        .order_by("-votes", "unit__name")
    )
    threshold_of = {
        q.pk: vote.threshold if q.own_threshold is None else q.own_threshold
        for q in questions
    }
    needed_of = {pk: votes_to_win(t, eligible) for pk, t in threshold_of.items()}
    rows_by_question: dict[int, list[ResultRow]] = {
        question.pk: [] for question in questions
    }
    for option in options:
        rows_by_question[option.question_id].append(
            ResultRow(
                unit=option.unit,
                votes=option.votes,
                over_threshold=option.votes >= needed_of[option.question_id],
            )
        )
    one_tier_each = vote.kind == VoteKind.NOMINATION
    taken: set[int] = set()  # units elected in a higher tier
    results = []
    for question in questions:
        rows = rows_by_question[question.pk]
        for row in rows:
            row.won_higher = one_tier_each and row.unit.pk in taken
        winners, tie = elect(
            [row for row in rows if not row.won_higher],
            max_choices=question.max_choices,
            votes_needed=needed_of[question.pk],
            quorum_met=quorum_met,
        )
        for row in winners:
            row.elected = True
        taken.update(row.unit.pk for row in winners)
        results.append(
            QuestionResult(
                question=question,
                rows=rows,
                winners=[row.unit for row in winners],
                tie=tie,
                marks=question.marks_count,
                abstentions=question.abstention_count,
                votes_to_win=needed_of[question.pk],
                threshold=threshold_of[question.pk],
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


def latest_chair_election(term: Term) -> Vote | None:
    """The most recently closed chair election of `term`, or None."""
    return (
        term.votes.filter(kind=VoteKind.CHAIR_ELECTION, state=VoteState.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


def chair_election_outcome(term: Term) -> tuple[Unit | None, Unit | None, Vote | None]:
    """(chair, deputy, vote) elected for the year after `term` by its most recently
    closed chair election; (None, None, None) without one. See `elected_officers`
    for the rules."""
    vote = latest_chair_election(term)
    if vote is None:
        return None, None, None
    chair, deputy = elected_officers(vote_result(vote))
    return chair, deputy, vote


def chair_election_officers(term: Term) -> tuple[Unit | None, Unit | None]:
    """(chair, deputy) elected for the year after `term`, (None, None) without a
    closed chair election: what rotation asks (`clusters.selectors.CHAIR_ELECTIONS`)."""
    chair, deputy, _vote = chair_election_outcome(term)
    return chair, deputy


def elected_officers(result: VoteResult) -> tuple[Unit | None, Unit | None]:
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


def open_nomination_refusal(term: Term) -> str | None:
    """Transition guard for entering `proposing`: proposals rest on the result of
    the nomination vote, so the term may not move on while one is still open.
    Returns the refusal message, or None."""
    if term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.OPEN).exists():
        return _(
            "The nomination vote is still open; close it before moving on to "
            "proposals, which rest on its result."
        )
    return None


def open_nomination(term: Term) -> Vote | None:
    """The term's open nomination vote, or None."""
    return term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.OPEN).first()


def closed_nominations(term: Term) -> QuerySet[Vote]:
    """The term's closed nomination votes, oldest first."""
    return term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.CLOSED).order_by(
        "closed_at", "pk"
    )


def latest_nomination(term: Term) -> Vote | None:
    """The term's most recently closed nomination vote, or None."""
    return (
        term.votes.filter(kind=VoteKind.NOMINATION, state=VoteState.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def share_of_members(votes: int, eligible: int) -> Decimal:
    """`votes` in % of all `eligible` members, to two places (0 without members)."""
    if not eligible:
        return Decimal(0).quantize(CENT)
    return (Decimal(votes) * HUNDRED / Decimal(eligible)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@dataclass
class NominationRow:
    """A candidate of a nomination tier: votes, share of all members, rank in the
    published ranking (None when it is not ranked), and the outcome
    (`won_higher`: elected in a higher tier of the vote, so out of this one)."""

    unit: Unit
    votes: int
    percent: Decimal
    rank: int | None
    over_threshold: bool
    elected: bool
    tied: bool
    won_higher: bool = False


@dataclass
class NominationResult:
    """The tally of one tier of a nomination vote shaped for the result page and
    minutes.

    `undecided` counts the seats a tie at the cut-off leaves open (the tied
    candidates are in `tied`); `unfilled` the seats left because too few
    candidates passed the threshold."""

    result: VoteResult
    seats: int
    rows: list[NominationRow]
    winners: list[Unit]
    tied: list[Unit]
    undecided: int
    unfilled: int
    question: VoteQuestion | None = None
    votes_to_win: int = 0

    @property
    def tie(self) -> bool:
        return bool(self.tied)

    @property
    def award_form(self) -> AwardForm | None:
        return self.question.award_form if self.question is not None else None


def _tier_result(
    result: VoteResult, qresult: QuestionResult, ranks: Mapping[int, int]
) -> NominationResult:
    """`NominationResult` of one question's `qresult` of `result`."""
    question = qresult.question
    seats = question.max_choices
    winners = {unit.pk for unit in qresult.winners}
    tied_votes = None
    if qresult.tie:
        # The tied candidates hold the cut-off: the most votes among those over
        # the threshold who were not elected (here or in a higher tier).
        tied_votes = max(
            (
                r.votes
                for r in qresult.rows
                if r.over_threshold and not r.elected and not r.won_higher
            ),
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
            and not row.won_higher
            and row.over_threshold
            and row.votes == tied_votes,
            won_higher=row.won_higher,
        )
        for row in qresult.rows
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
        question=question,
        votes_to_win=qresult.votes_to_win,
    )


def nomination_results(
    vote: Vote, result: VoteResult | None = None, ranks: Mapping[int, int] | None = None
) -> list[NominationResult]:
    """Every tier of a nomination vote, highest first, as `NominationResult`s
    (see `nomination_result`)."""
    if result is None:
        result = vote_result(vote)
    if ranks is None:
        ranks = published_ranks(vote.term)
    return [_tier_result(result, qresult, ranks) for qresult in result.questions]


def nomination_result(
    vote: Vote, result: VoteResult | None = None, ranks: Mapping[int, int] | None = None
) -> NominationResult:
    """The tally of the leading tier of a nomination vote (the question
    `LEADING`, else the first; `vote_result`, passed in when already computed)
    with seats, percentages of all members, winners, tied candidates and
    undecided seats. `ranks` maps unit ids to their published rank (read from
    the term's published ranking when not given)."""
    if result is None:
        result = vote_result(vote)
    if ranks is None:
        ranks = published_ranks(vote.term)
    qresult = result.question(LEADING) or (
        result.questions[0] if result.questions else None
    )
    if qresult is None:
        return NominationResult(result, 0, [], [], [], 0, 0)
    return _tier_result(result, qresult, ranks)


def published_ranks(term: Term) -> dict[int, int]:
    """{unit id: rank} from `term`'s latest published ranking (one query)."""
    snapshot = published_ranking(term)
    if snapshot is None:
        return {}
    return {row["unit_id"]: row["rank"] for row in snapshot.rows}


def nominated_units(term: Term) -> list[Unit]:
    """The units nominated in the leading tier (question `LEADING`) by `term`'s
    closed nomination votes, in the order of the votes (a later vote fills the
    seats a tie left undecided), each unit once."""
    units, seen = [], set()
    for vote in closed_nominations(term):
        qresult = vote_result(vote).question(LEADING)
        for unit in qresult.winners if qresult else ():
            if unit.pk not in seen:
                seen.add(unit.pk)
                units.append(unit)
    return units


@dataclass
class Nominated:
    """A unit a nomination vote chose for a tier: its votes of all `eligible`
    members, their share in %, its published rank (or None) and the day the
    vote closed."""

    unit: Unit
    votes: int
    eligible: int
    percent: Decimal
    rank: int | None
    day: datetime.date


def nominated_by_tier(term: Term) -> list[tuple[AwardForm | None, list[Nominated]]]:
    """[(award form, [Nominated])] chosen by `term`'s closed nomination votes,
    one entry per award form, highest tier first (`services.tier_order`; a
    tier without a form first). Votes count oldest first (a later vote fills
    the seats a tie left undecided), and a unit appears once, in its highest
    tier, as within one vote (`vote_result`)."""
    ranks = published_ranks(term)
    groups: dict[int | None, tuple[AwardForm | None, list[Nominated]]] = {}
    for vote in closed_nominations(term):
        day = timezone.localdate(vote.closed_at)
        for tier in nomination_results(vote, ranks=ranks):
            form = tier.award_form
            chosen = groups.setdefault(form.pk if form else None, (form, []))[1]
            known = {item.unit.pk for item in chosen}
            chosen += [
                Nominated(
                    row.unit,
                    row.votes,
                    tier.result.eligible,
                    row.percent,
                    row.rank,
                    day,
                )
                for row in tier.rows
                if row.elected and row.unit.pk not in known
            ]
    ordered = sorted(
        groups.values(),
        key=lambda g: (0, ()) if g[0] is None else (1, tier_order(g[0])),
    )
    seen: set[int]
    tiers, seen = [], set()
    for form, chosen in ordered:
        kept = [item for item in chosen if item.unit.pk not in seen]
        seen.update(item.unit.pk for item in kept)
        if kept:
            tiers.append((form, kept))
    return tiers


@dataclass
class TierSetup:
    """One award tier the opening page offers: its form (None: the single tier
    of a catalogue without the provincial flag), question code, default seats
    (None: not voted on by default) and ticked candidates (unit ids)."""

    form: AwardForm | None
    code: str
    seats: int | None
    candidates: list


@dataclass
class NominationSetup:
    """What the page opening a nomination vote offers: every member with its
    published rank, total and band (best ranked first, unranked last), and the
    tiers (`TierSetup`, highest first), of which by default only the leading
    one is voted on, with the units ranked within its seats; `candidates` and
    `seats` repeat the leading tier's. After a vote whose tie left seats
    undecided, the defaults are the tied tiers with their tied units and
    undecided seats."""

    snapshot: RankingSnapshot | None
    members: list  # [(unit, rank or None, total or None, band label or "")]
    candidates: list  # unit ids ticked by default in the leading tier
    seats: int | None
    runoff_of: Vote | None = None
    tiers: list = field(default_factory=list)
    undecided: int = 0  # seats a tie of `runoff_of` left open, all tiers


def nomination_setup(term: Term) -> NominationSetup:
    """`NominationSetup` of `term`, whose cluster and memberships (with units)
    are prefetched or queried once; constant queries whatever the members."""
    from ..services import (
        FLAG_FORM,
        nomination_seats,
        ranked_candidates,
        tier_code,
        tier_forms,
    )

    snapshot = published_ranking(term)
    rows = {row["unit_id"]: row for row in snapshot.rows} if snapshot else {}
    units = [m.unit for m in term.memberships.all()]
    member_ids = {unit.pk for unit in units}
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
    in_use = tier_forms(term.cluster.authority_id)
    # Without the flag's form, None stands for the leading tier (`tier_code`).
    forms: Sequence[AwardForm | None] = in_use
    if not any(form.code == FLAG_FORM for form in in_use):
        forms = [None, *in_use]
    seats = nomination_seats(term, len(units))
    candidates = ranked_candidates(snapshot.rows, seats) if snapshot else []
    defaults = {LEADING: (seats, candidates)}
    runoff_of = latest_nomination(term)
    if runoff_of is not None:
        undecided = {}
        for tier in nomination_results(runoff_of, ranks={}):
            if tier.undecided:
                # A tier of a vote's result has its question (`_tier_result`).
                assert tier.question is not None  # noqa: S101
                undecided[tier.question.code] = (
                    tier.undecided,
                    [unit.pk for unit in tier.tied],
                )
        if undecided:
            defaults = undecided
        else:
            runoff_of = None
    tiers = []
    for form in forms:
        code = tier_code(form)
        tier_seats, tier_candidates = defaults.get(code, (None, []))
        tiers.append(
            TierSetup(
                form=form,
                code=code,
                seats=tier_seats,
                candidates=[pk for pk in tier_candidates if pk in member_ids],
            )
        )
    leading = next((t for t in tiers if t.code == LEADING), None)
    return NominationSetup(
        snapshot=snapshot,
        members=members,
        candidates=leading.candidates if leading else [],
        seats=leading.seats if leading else None,
        runoff_of=runoff_of,
        tiers=tiers,
        undecided=sum(seats for seats, _units in defaults.values()) if runoff_of else 0,
    )
