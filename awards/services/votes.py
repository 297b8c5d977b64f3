"""Every write of the awards app: one function per use case, atomic, audited.

Secret ballot: `ballot_cast` records who voted (`VoteParticipation`, audited) and
adds what was voted to the vote's tallies (`OptionTally`, `QuestionTally`, never
audited) in the same transaction. No ballot is ever stored on its own, so there is
no row whose order, id or timestamp could link it to a participation."""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, overload

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clusters import wording
from clusters.models import MemberRole, RotationPolicy, Term, TermState, Unit, User
from clusters.services import term_require_writable
from core.audit import audited_save
from core.errors import DomainError
from core.transitions import Workflow
from pledges.models import RankingSnapshot

from ..models import (
    AwardForm,
    AwardLevel,
    OptionTally,
    QuestionTally,
    RecipientKind,
    Vote,
    VoteKind,
    VoteOption,
    VoteParticipation,
    VoteQuestion,
    VoteState,
)
from ..permissions import can_manage_vote, can_open_vote, can_run_nomination

# Each vote state's allowed next states.
VOTE_TRANSITIONS = {
    VoteState.OPEN: {VoteState.CLOSED},
    VoteState.CLOSED: set(),
}
VOTE_WORKFLOW = Workflow(VOTE_TRANSITIONS)

# Quorum 2/3 of members, threshold more than 50 % of all members.
DEFAULT_QUORUM = Fraction(2, 3)
DEFAULT_THRESHOLD = Fraction(1, 2)
MAX_DENOMINATOR = 1000

CHAIR = "chair"
DEPUTY = "deputy"
# The one question of a nomination vote.
LEADING = "leading"
# Proposals for the provincial flag are capped at 20 % of the
# members, rounded up, at least 1.
FLAG_QUOTA = Fraction(1, 5)


@overload
def _fraction(
    value: Fraction | str | float, default: Fraction | None, field: str
) -> Fraction: ...
@overload
def _fraction[D: Fraction | None](
    value: Fraction | str | float | None, default: D, field: str
) -> Fraction | D: ...
def _fraction[D: Fraction | None](
    value: Fraction | str | float | None, default: D, field: str
) -> Fraction | D:
    if value is None:
        return default
    try:
        fraction = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise DomainError(_("Enter a fraction such as 2/3 or 0.5."), field) from error
    return fraction


def _check_rules(quorum: Fraction, threshold: Fraction) -> None:
    if not 0 < quorum <= 1:
        raise DomainError(
            _("The quorum must be more than 0 and at most 1 (all members)."),
            field="quorum",
        )
    if not 0 <= threshold < 1:
        raise DomainError(
            _("The threshold must be at least 0 and less than 1."), field="threshold"
        )


def _check_questions(
    questions: Sequence[Mapping[str, Any]],
    member_ids: Collection[int],
    authority_id: int,
) -> None:
    if not questions:
        raise DomainError(_("A vote needs at least one question."))
    codes = set()
    for question in questions:
        code = question.get("code") or ""
        if not code or slugify(code) != code or code in codes:
            raise DomainError(
                _("Each question needs its own short code (letters, digits, dashes).")
            )
        codes.add(code)
        if not (question.get("title") or "").strip():
            raise DomainError(_("Each question needs a title."))
        units = list(question.get("units") or [])
        if not units:
            raise DomainError(
                _("The question “%(title)s” has no candidates.")
                % {"title": question["title"]}
            )
        if len({unit.pk for unit in units}) != len(units):
            raise DomainError(
                _("The question “%(title)s” lists a candidate twice.")
                % {"title": question["title"]}
            )
        for unit in units:
            if unit.pk not in member_ids:
                raise DomainError(
                    _("%(unit)s is not a member of this term.") % {"unit": unit}
                )
        max_choices = question.get("max_choices", 1)
        if not isinstance(max_choices, int) or not 1 <= max_choices <= len(units):
            raise DomainError(
                _(
                    "The question “%(title)s” must allow between 1 and "
                    "%(count)s choices."
                )
                % {"title": question["title"], "count": len(units)}
            )
        award_form = question.get("award_form")
        if award_form is not None and award_form.authority_id != authority_id:
            raise DomainError(_("Choose an award form of the catalogue."))
        threshold = question.get("threshold")
        if threshold is not None and not 0 <= threshold < 1:
            raise DomainError(
                _("The threshold must be at least 0 and less than 1."),
                field="threshold",
            )


@transaction.atomic
def vote_open(
    *,
    term: Term,
    kind: str,
    title: str,
    questions: Sequence[Mapping[str, Any]],
    actor: User,
    quorum: Fraction | str | float | None = None,
    threshold: Fraction | str | float | None = None,
) -> Vote:
    """Open a secret ballot in `term`; the term's current members become its voters.

    `questions` is a list of dicts {code, title, max_choices, units} with,
    optionally, the `award_form` a nomination tier votes on and its own
    `threshold` (a Fraction; else the vote's). Quorum and threshold are
    fractions (default 2/3 and 1/2). Refuses an actor who may not open it
    (`permissions.can_run_nomination` for a nomination, else
    `can_open_vote`), a closed term, a second open vote
    of the same kind in the term, a term without members, a question without
    candidates, a candidate who is not a member of the term and an award form
    of another authority."""
    term_require_writable(term)
    term = Term.objects.select_for_update().select_related("cluster").get(pk=term.pk)
    if kind not in VoteKind.values:
        raise DomainError(_("Unknown kind of vote."), field="kind")
    may_open = can_run_nomination if kind == VoteKind.NOMINATION else can_open_vote
    if not may_open(actor, term):
        raise DomainError(_("You may not open this vote."))
    if not (title or "").strip():
        raise DomainError(_("Give the vote a title."), field="title")
    if Vote.objects.filter(term=term, kind=kind, state=VoteState.OPEN).exists():
        raise DomainError(
            _("A vote of this kind is already open for this term; close it first.")
        )
    quorum = _fraction(quorum, DEFAULT_QUORUM, "quorum")
    threshold = _fraction(threshold, DEFAULT_THRESHOLD, "threshold")
    _check_rules(quorum, threshold)
    members = list(Unit.objects.filter(memberships__term=term))
    if not members:
        raise DomainError(_("The term has no members to vote."))
    _check_questions(
        questions, {unit.pk for unit in members}, term.cluster.authority_id
    )
    vote = audited_save(
        Vote(
            term=term,
            kind=kind,
            title=title.strip(),
            quorum_numerator=quorum.numerator,
            quorum_denominator=quorum.denominator,
            threshold_numerator=threshold.numerator,
            threshold_denominator=threshold.denominator,
            opened_by=actor,
        ),
        actor,
    )
    vote.voters.set(members)
    for position, spec in enumerate(questions, start=1):
        own = spec.get("threshold")
        question = audited_save(
            VoteQuestion(
                vote=vote,
                code=spec["code"],
                title=spec["title"].strip(),
                max_choices=spec.get("max_choices", 1),
                position=position,
                award_form=spec.get("award_form"),
                threshold_numerator=None if own is None else own.numerator,
                threshold_denominator=None if own is None else own.denominator,
            ),
            actor,
        )
        QuestionTally.objects.create(question=question)
        options = [
            audited_save(VoteOption(question=question, unit=unit), actor)
            for unit in spec["units"]
        ]
        OptionTally.objects.bulk_create([OptionTally(option=o) for o in options])
    return vote


def chair_election_candidates(term: Term) -> tuple[list[Unit], list[Unit]]:
    """(chair candidates, deputy candidates) for the year after `term`: members
    active on 1 January of that year, by name; the current chair may not chair
    again unless it is the only candidate."""
    first_day = datetime.date(term.year + 1, 1, 1)
    memberships = term.memberships.select_related("unit").order_by("unit__name")
    active, chair = [], None
    for membership in memberships:
        if membership.role == MemberRole.CHAIR:
            chair = membership.unit
        if membership.unit.is_active_on(first_day):
            active.append(membership.unit)
    chairs = active
    if chair is not None and len(active) > 1:
        chairs = [unit for unit in active if unit.pk != chair.pk]
    return chairs, active


@transaction.atomic
def chair_election_open(*, term: Term, actor: User) -> Vote:
    """Open the election of the chair and deputy chair for the year after `term`
    (questions "chair" and "deputy", one choice each).

    Refuses a cluster whose rotation policy is not "elected by members", and
    everything `vote_open` refuses."""
    term_require_writable(term)
    term = Term.objects.select_related("cluster").get(pk=term.pk)
    if term.cluster.rotation_policy != RotationPolicy.ELECTED:
        raise DomainError(
            _(
                "The chair of this cluster is not elected (rotation policy "
                "“%(policy)s”)."
            )
            % {"policy": RotationPolicy(term.cluster.rotation_policy).label}
        )
    period = term.next_page_phrase
    chairs, deputies = chair_election_candidates(term)
    return vote_open(
        term=term,
        kind=VoteKind.CHAIR_ELECTION,
        title=wording.for_kind(
            term,
            _("Election of the chair and deputy chair for %(period)s"),
            pgettext("block", "Election of the chair and deputy chair for %(period)s"),
        )
        % {"period": period},
        questions=[
            {
                "code": CHAIR,
                "title": wording.for_kind(
                    term,
                    _("Chair unit for %(period)s"),
                    pgettext("block", "Chair unit for %(period)s"),
                )
                % {"period": period},
                "max_choices": 1,
                "units": chairs,
            },
            {
                "code": DEPUTY,
                "title": wording.for_kind(
                    term,
                    _("Deputy chair unit for %(period)s"),
                    pgettext("block", "Deputy chair unit for %(period)s"),
                )
                % {"period": period},
                "max_choices": 1,
                "units": deputies,
            },
        ],
        actor=actor,
    )


def _marked_options(
    questions: Mapping[str, VoteQuestion], choices: Mapping[str, Iterable[Any]]
) -> list[VoteOption]:
    """The options marked by `choices` ({question code: [option ids]}), checked
    against each question's candidates and maximum number of choices."""
    unknown = set(choices) - set(questions)
    if unknown:
        raise DomainError(_("The ballot answers a question this vote does not ask."))
    marked = []
    for code, question in questions.items():
        try:
            ids = [int(pk) for pk in choices.get(code) or []]
        except (TypeError, ValueError) as error:
            raise DomainError(_("Choose candidates from the list."), code) from error
        if len(set(ids)) != len(ids):
            raise DomainError(_("A candidate is chosen twice."), code)
        if len(ids) > question.max_choices:
            raise DomainError(
                _("Choose at most %(count)s candidates for “%(title)s”.")
                % {"count": question.max_choices, "title": question.title},
                code,
            )
        options = {option.pk: option for option in question.options.all()}
        for pk in ids:
            if pk not in options:
                raise DomainError(
                    _("Choose candidates of “%(title)s” from its list.")
                    % {"title": question.title},
                    code,
                )
            marked.append(options[pk])
    return marked


def _has_voted(vote: Vote, unit: Unit) -> bool:
    return VoteParticipation.objects.filter(vote=vote, unit=unit).exists()


@transaction.atomic
def ballot_cast(
    *, vote: Vote, unit: Unit, actor: User, choices: Mapping[str, Iterable[Any]]
) -> VoteParticipation:
    """Cast `unit`'s secret ballot: `choices` maps question codes to lists of option
    ids; a missing or empty list abstains on that question.

    Records that the unit voted (with the actor) and, apart from it, adds the
    ballot to the vote's tallies (`_add_to_tallies`). Refuses a closed vote, a
    unit that is not a voter or has already voted, an actor who is not an
    officer of the unit, too many choices and options of another question. The
    vote row is locked, and the one-participation-per-unit constraint settles a
    race."""
    term_require_writable(vote.term_id)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.state != VoteState.OPEN:
        raise DomainError(_("The vote is closed."))
    if not vote.voters.filter(pk=unit.pk).exists():
        raise DomainError(
            _("%(unit)s is not among the voters of this vote.") % {"unit": unit}
        )
    if actor.unit_id != unit.pk:
        raise DomainError(
            _("Only an officer of %(unit)s can cast its ballot.") % {"unit": unit}
        )
    already = _("%(unit)s has already voted.") % {"unit": unit}
    if _has_voted(vote, unit):
        raise DomainError(already)
    questions = {
        question.code: question
        for question in vote.questions.prefetch_related("options")
    }
    marked = _marked_options(questions, choices)
    try:
        with transaction.atomic():
            participation = audited_save(
                VoteParticipation(vote=vote, unit=unit, cast_by=actor), actor
            )
    except IntegrityError as error:
        raise DomainError(already) from error
    _add_to_tallies(vote, questions, marked)
    return participation


def _increment_where(ids: Collection[int], field: str) -> CombinedExpression:
    """`field` + 1 on the rows whose key is in `ids`, + 0 on the others."""
    if not ids:
        return F(field) + Value(0)
    return F(field) + Case(When(pk__in=ids, then=Value(1)), default=Value(0))


def _add_to_tallies(
    vote: Vote, questions: Mapping[str, VoteQuestion], marked: Iterable[VoteOption]
) -> None:
    """Add one ballot marking `marked` to the tallies of `vote` with two UPDATE
    statements that rewrite every tally row of the vote, marked or not: no row
    is inserted, and every row carries the same last writer, so the tables say
    nothing about which ballot changed which count."""
    marked_questions = {option.question_id for option in marked}
    abstained = [q.pk for q in questions.values() if q.pk not in marked_questions]
    OptionTally.objects.filter(option__question__vote=vote).update(
        votes=_increment_where([option.pk for option in marked], "votes")
    )
    QuestionTally.objects.filter(question__vote=vote).update(
        ballots=F("ballots") + 1,
        abstentions=_increment_where(abstained, "abstentions"),
    )


@transaction.atomic
def vote_close(*, vote: Vote, actor: User) -> Vote:
    """Close an open vote: no more ballots; the result can be shown. Refuses an
    actor who may not manage it (`permissions.can_manage_vote`) and a vote
    that is already closed."""
    term_require_writable(vote.term_id)
    vote = VOTE_WORKFLOW.lock(vote)
    if not can_manage_vote(actor, vote):
        raise DomainError(_("You may not close this vote."))
    if not VOTE_WORKFLOW.allows(vote.state, VoteState.CLOSED):
        raise DomainError(_("The vote is already closed."))
    return VOTE_WORKFLOW.move(
        vote, VoteState.CLOSED, actor=actor, fields={"closed_at": timezone.now()}
    )


# Nomination of the leading units (bình xét, suy tôn) ------------------------------


def flag_quota(member_count: int) -> int:
    """The provincial-flag quota: 20 % of `member_count`, rounded up, at least 1."""
    return max(1, math.ceil(FLAG_QUOTA * member_count))


def nomination_seats(term: Term, member_count: int) -> int:
    """How many leading units `term` nominates: its own setting, or the quota."""
    return term.nomination_seats or flag_quota(member_count)


def ranked_candidates(rows: Iterable[Mapping[str, Any]], seats: int) -> list[int]:
    """The ids of the units of a published ranking's `rows` ranked within the
    first `seats` places; units sharing the last of those places are all in."""
    return [row["unit_id"] for row in rows if row["rank"] <= seats]


def nomination_refusal(term: Term, snapshot: RankingSnapshot | None) -> str | None:
    """Why a nomination vote cannot be opened in `term` now (its state, or no
    published ranking `snapshot`), or None."""
    if term.state != TermState.VOTING:
        return _(
            "The nomination vote is held in the voting stage; this term is in "
            "the stage “%(state)s”."
        ) % {"state": TermState(term.state).label}
    if snapshot is None:
        return _(
            "The ranking of %(year)s is not published yet; publish it before the "
            "nomination vote, whose candidates come from it."
        ) % {"year": term.year}
    return None


# The catalogue code of the provincial flag (`awards.catalogue_defaults`): the
# tier of the leading units, whose question keeps the code `LEADING`.
FLAG_FORM = "co-tinh"
# Tiers rank by the award's level, highest first, then by catalogue position.
LEVEL_ORDER = {
    AwardLevel.STATE: 0,
    AwardLevel.GOVERNMENT: 1,
    AwardLevel.PROVINCE: 2,
    AwardLevel.UNIT: 3,
}


def tier_order(form: AwardForm) -> tuple[int, int, str]:
    """Sort key of an award form as a nomination tier: level, then position."""
    return (LEVEL_ORDER.get(form.level, len(LEVEL_ORDER)), form.position, form.name)  # type: ignore[call-overload]


def tier_forms(authority_id: int) -> list[AwardForm]:
    """The award forms a nomination may vote on: the authority's forms in use
    that go to collectives, highest tier first (one query)."""
    forms = AwardForm.objects.filter(authority_id=authority_id, is_active=True).exclude(
        recipient_kind=RecipientKind.INDIVIDUAL
    )
    return sorted(forms, key=tier_order)


def tier_code(form: AwardForm | None) -> str:
    """The question code of the tier of `form`: `LEADING` for the provincial
    flag (or no form: the single tier of earlier votes), else the form's code."""
    if form is None or form.code == FLAG_FORM:
        return LEADING
    return form.code


def tier_field(code: str, name: str) -> str:
    """The name of a tier's field ("seats", "candidates", "threshold") in the
    opening form and in the errors of `nomination_open`: bare for the leading
    tier, prefixed by the code for the others."""
    return name if code == LEADING else f"{code}-{name}"


def _tier_question(
    term: Term,
    tier: Mapping[str, Any],
    members: Any,
    forms: Any,
    default_threshold: Fraction,
) -> dict[str, Any]:
    """The `vote_open` question of one `tier` dict {award_form, seats,
    candidates, threshold}, checked against the term's members and the
    authority's tier forms."""
    form = tier.get("award_form")
    if form is not None and form.pk not in forms:
        raise DomainError(
            _("Choose award forms of the catalogue that go to collectives."),
            field="tiers",
        )
    code = tier_code(form)
    candidates = list(tier.get("candidates") or [])
    for unit in candidates:
        if unit.pk not in members:
            raise DomainError(
                _("%(unit)s is not a member of this term.") % {"unit": unit},
                field=tier_field(code, "candidates"),
            )
    if not candidates:
        raise DomainError(
            _("Choose at least one candidate for the nomination."),
            field=tier_field(code, "candidates"),
        )
    seats = tier.get("seats")
    if not isinstance(seats, int) or not 1 <= seats <= len(candidates):
        raise DomainError(
            _("Nominate between 1 and %(count)s units (the number of candidates).")
            % {"count": len(candidates)},
            field=tier_field(code, "seats"),
        )
    threshold = tier.get("threshold")
    if threshold is not None:
        threshold = _fraction(threshold, None, tier_field(code, "threshold"))
        if not 0 <= threshold < 1:
            raise DomainError(
                _("The threshold must be at least 0 and less than 1."),
                field=tier_field(code, "threshold"),
            )
        if threshold == default_threshold:
            threshold = None
    if code == LEADING:
        title = _("Leading units of %(year)s") % {"year": term.year}
    else:
        assert form is not None  # noqa: S101 (no form is the leading tier, `tier_code`)
        title = _("Nominees for “%(form)s”, %(year)s") % {
            "form": form.name,
            "year": term.year,
        }
    title = (tier.get("title") or "").strip() or title
    return {
        "code": code,
        "title": title,
        "max_choices": seats,
        "units": candidates,
        "award_form": form,
        "threshold": threshold,
    }


@transaction.atomic
def nomination_open(
    *,
    term: Term,
    actor: User,
    candidates: Iterable[Unit] | None = None,
    seats: int | None = None,
    tiers: Iterable[Mapping[str, Any]] | None = None,
) -> Vote:
    """Open the secret ballot nominating `term`'s leading units, one question per
    award tier.

    `tiers` is a list of dicts {award_form, seats, candidates, threshold,
    title}: each member ticks at most `seats` of the tier's `candidates`;
    `threshold` (a fraction, optional) replaces the term's for that tier, and
    `title` (optional) the question's default title. Tiers are put in
    order, highest first (`tier_order`), which decides who keeps a unit elected
    in two tiers (`awards.selectors.votes.vote_result`). Without `tiers`, one
    tier: the provincial flag of the catalogue (`FLAG_FORM`, none when the
    catalogue lacks it), whose candidates are `candidates` (default: the units
    ranked within the first `seats` places of the published ranking) and whose
    seats are `seats` (default: the term's setting, else the provincial-flag
    quota). Quorum and threshold come from the term's settings.

    Refuses an actor who is neither an admin of the authority nor an officer of
    the chair unit, a term outside the voting stage, a term without a published
    ranking, no tier, a tier twice, an award form that is not a collective form
    in use of the authority's catalogue, a tier without candidates or with more
    seats than candidates, a threshold outside [0, 1), and everything
    `vote_open` refuses."""
    term_require_writable(term)
    from pledges.selectors import published_ranking

    term = (
        Term.objects.select_for_update()
        .select_related("cluster")
        .prefetch_related("memberships")
        .get(pk=term.pk)
    )
    if not can_run_nomination(actor, term):
        raise DomainError(
            _("Only an officer of the chair unit or an admin can run the nomination.")
        )
    snapshot = published_ranking(term)
    refusal = nomination_refusal(term, snapshot)
    if refusal:
        raise DomainError(refusal)
    assert snapshot is not None  # noqa: S101 (else `nomination_refusal` refuses)
    members = {unit.pk: unit for unit in Unit.objects.filter(memberships__term=term)}
    forms = {form.pk: form for form in tier_forms(term.cluster.authority_id)}
    if tiers is None:
        if seats is None:
            seats = nomination_seats(term, len(members))
        if candidates is None:
            candidates = [
                members[pk]
                for pk in ranked_candidates(snapshot.rows, seats)
                if pk in members
            ]
        flag = next((f for f in forms.values() if f.code == FLAG_FORM), None)
        tiers = [{"award_form": flag, "seats": seats, "candidates": candidates}]
    if not tiers:
        raise DomainError(
            _("Choose at least one award form to vote on."), field="tiers"
        )
    codes = [tier_code(tier.get("award_form")) for tier in tiers]
    if len(set(codes)) != len(codes):
        raise DomainError(_("Each award form is voted on once."), field="tiers")
    threshold = term.nomination_threshold
    questions = [
        _tier_question(term, tier, members, forms, threshold) for tier in tiers
    ]
    questions.sort(
        key=lambda q: (
            (0, ()) if q["award_form"] is None else (1, tier_order(q["award_form"]))
        )
    )
    return vote_open(
        term=term,
        kind=VoteKind.NOMINATION,
        title=_("Nomination of the leading units of %(period)s")
        % {"period": term.page_phrase},
        questions=questions,
        actor=actor,
        quorum=term.nomination_quorum,
        threshold=threshold,
    )
