"""Peer and reviewer scores, objections in the right-of-reply window, and
publishing the ranking as an immutable snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clusters.models import Term, TermState, Unit, User
from clusters.services import TERM_RESULTS, term_require_writable, term_transition
from core.audit import audited_save
from core.errors import DomainError

from ..dashboard import store_publication
from ..models import (
    Criterion,
    CriterionKind,
    Objection,
    RankingSnapshot,
    ReplyWaiver,
    Report,
    ReportAbsence,
    ReportState,
    Score,
)
from ..permissions import (
    answer_refusal,
    can_publish_ranking,
    can_record_absence,
    is_member_officer,
    objection_refusal,
    peer_score_refusal,
    reviewer_score_refusal,
)
from ..selectors import publish_check, snapshot_rows

__all__ = [
    "objection_answer",
    "objection_raise",
    "peer_score_set",
    "ranking_publish",
    "ranking_unpublished",
    "reply_waive",
    "report_absence_record",
    "reviewer_score_set",
    "scores_save",
]


def _check_points(criterion: Criterion, points: Decimal | None) -> None:
    if criterion.kind == CriterionKind.INDICATOR:
        raise DomainError(_("Indicator criteria are computed, not scored."))
    if points is None or not (0 <= points <= criterion.max_points):
        raise DomainError(
            _("%(code)s: points go from 0 to %(max)s.")
            % {"code": criterion.code, "max": criterion.max_points},
            field="points",
        )


def _scorable(report: Report) -> None:
    if report.term.state != TermState.SCORING:
        raise DomainError(_("Scores are given while the year is in the scoring stage."))
    if report.state not in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        raise DomainError(_("Only submitted reports are scored."))


@transaction.atomic
def peer_score_set(
    *,
    report: Report,
    criterion: Criterion,
    scorer_unit: Unit | None,
    points: Decimal,
    comment: str,
    actor: User,
) -> Score:
    """A member unit scores another member's criterion (chấm chéo); a unit never
    scores itself, and a user without a unit (`scorer_unit` None) never scores.
    Only an officer of `scorer_unit` enters its scores
    (`permissions.peer_score_refusal`). Scoring again replaces the unit's
    earlier score."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    _scorable(report)
    if scorer_unit is None:
        raise DomainError(_("Only members of the year score each other."))
    refusal = peer_score_refusal(actor, report.term, scorer_unit)
    if refusal:
        raise DomainError(refusal)
    if scorer_unit.pk == report.unit_id:
        raise DomainError(_("A unit does not score its own report."))
    if not report.term.memberships.filter(unit=scorer_unit).exists():
        raise DomainError(_("Only members of the year score each other."))
    _check_points(criterion, points)
    score = Score.objects.filter(
        report=report, criterion=criterion, kind="peer", scorer_unit=scorer_unit
    ).first() or Score(
        report=report, criterion=criterion, kind="peer", scorer_unit=scorer_unit
    )
    score.points, score.comment, score.scored_by = points, comment, actor
    return audited_save(score, actor)


@transaction.atomic
def reviewer_score_set(
    *, report: Report, criterion: Criterion, points: Decimal, reason: str, actor: User
) -> Score:
    """The reviewer sets a criterion's final points, which prevail over the
    term's method; a reason is required and kept in the history.

    Refuses (`permissions.reviewer_score_refusal`) anyone but the report's
    reviewers (never its own unit: the deputy chair for the chair's report),
    outside the scoring stage, and on a report not submitted or accepted."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    report = Report.objects.select_related("term__cluster").get(pk=report.pk)
    refusal = reviewer_score_refusal(actor, report)
    if refusal:
        raise DomainError(refusal)
    return _reviewer_score_write(report, criterion, points, reason, actor)


@transaction.atomic
def scores_save(
    *,
    actor: User,
    scorer_unit: Unit | None = None,
    peer: Sequence[tuple[Report, Criterion, Decimal, str]] = (),
    reviewer: Sequence[tuple[Report, Criterion, Decimal, str]] = (),
) -> int:
    """The peer-scoring page's save, all or nothing: `peer` scores (report,
    criterion, points, comment) of `scorer_unit` (`peer_score_set`) and
    `reviewer` scores (report, criterion, points, reason;
    `reviewer_score_set`), with their refusals. Returns how many were saved."""
    for report, criterion, points, comment in peer:
        peer_score_set(
            report=report,
            criterion=criterion,
            scorer_unit=scorer_unit,
            points=points,
            comment=comment,
            actor=actor,
        )
    for report, criterion, points, reason in reviewer:
        reviewer_score_set(
            report=report,
            criterion=criterion,
            points=points,
            reason=reason,
            actor=actor,
        )
    return len(peer) + len(reviewer)


def _reviewer_score_write(
    report: Report,
    criterion: Criterion,
    points: Decimal | None,
    reason: str,
    actor: User,
) -> Score:
    if criterion.pledge_id != report.term.pledge.pk:
        raise DomainError(_("Choose a criterion of this pledge."))
    _check_points(criterion, points)
    assert points is not None  # noqa: S101 (_check_points refuses None)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the reviewer's score."), field="reason")
    score = Score.objects.filter(
        report=report, criterion=criterion, kind="reviewer"
    ).first() or Score(report=report, criterion=criterion, kind="reviewer")
    score.points, score.comment, score.scored_by = points, reason.strip(), actor
    return audited_save(score, actor, reason.strip())


@transaction.atomic
def objection_raise(
    *, report: Report, criterion: Criterion, text: str, actor: User
) -> Objection:
    """A member's officer objects to a draft score of the unit's own report
    during the right-of-reply stage (`permissions.objection_refusal`)."""
    term_require_writable(report.term_id, what=TERM_RESULTS)
    refusal = objection_refusal(actor, report)
    if refusal:
        raise DomainError(refusal)
    if report.term.state != TermState.REPLY:
        raise DomainError(_("Objections are raised in the right-of-reply stage."))
    deadline = report.term.reply_deadline
    if deadline is not None and timezone.localdate() > deadline:
        raise DomainError(
            _("The objection deadline (%(date)s) has passed.")
            % {"date": formats.date_format(deadline, "SHORT_DATE_FORMAT")}
        )
    if not (text or "").strip():
        raise DomainError(_("Say what you object to."), field="text")
    return audited_save(
        Objection(
            report=report, criterion=criterion, text=text.strip(), raised_by=actor
        ),
        actor,
    )


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    accept: bool,
    reason: str,
    actor: User,
    new_points: Decimal | None = None,
) -> Objection:
    """The report's reviewer answers: accept with a new score (set as the
    reviewer's score) or reject with a reason. An objection is answered once,
    in the right-of-reply stage, never by the contested unit itself (the
    deputy chair or province staff answer objections to the chair's report):
    see `permissions.answer_refusal`."""
    term_require_writable(objection.report.term_id, what=TERM_RESULTS)
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("report__term__cluster", "criterion")
        .get(pk=objection.pk)
    )
    refusal = answer_refusal(actor, objection)
    if refusal:
        raise DomainError(refusal)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the answer."), field="reason")
    if accept:
        _reviewer_score_write(
            objection.report, objection.criterion, new_points, reason, actor
        )
    objection.answer = (
        Objection.Answer.ACCEPTED if accept else Objection.Answer.REJECTED
    )
    objection.new_points = new_points if accept else None
    objection.answer_reason = reason.strip()
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    return audited_save(objection, actor)


def _published_at(snapshot: RankingSnapshot) -> str:
    return timezone.localtime(snapshot.published_at).strftime("%H:%M %d/%m/%Y")


@transaction.atomic
def ranking_publish(
    *, term: Term, actor: User, reason: str = "", expected: int | str | None = None
) -> RankingSnapshot:
    """Publish the ranking of `term` as a new immutable snapshot; the first
    publication moves the term from the right-of-reply stage to `ranked`.

    Province staff (and admins) only. The term row is locked first, so two
    publications of one term run one after the other. The first publication
    needs what `selectors.publish_check` lists: the right-of-reply stage, the
    objection deadline passed or every member waived, every objection answered
    and every report accepted or its absence recorded. Republishing is a
    correction: it needs a reason, keeps the earlier snapshots and is refused
    when nothing changed since the latest one. `expected` is the version the
    publisher saw (0 for none): when another publication came first the
    request is refused naming its time, so a double click adds nothing."""
    term_require_writable(term)
    term = Term.objects.select_for_update().select_related("cluster").get(pk=term.pk)
    if not can_publish_ranking(actor, term):
        raise DomainError(_("Publishing the ranking is province staff's act."))
    check = publish_check(term)
    latest = check.latest
    seen = latest.number if latest else 0
    if expected is not None and int(expected) != seen:
        if latest is None:
            raise DomainError(_("The ranking was withdrawn; reload the page."))
        raise DomainError(
            _("The ranking was published at %(when)s.")
            % {"when": _published_at(latest)}
        )
    reason = (reason or "").strip()
    if latest is not None and not reason:
        raise DomainError(
            _("The ranking is already published; give a reason to republish."),
            field="reason",
        )
    if check.blockers:
        raise DomainError(" ".join(str(b) for b in check.blockers))
    rows = snapshot_rows(term)
    if latest is not None:
        latest_rows = (
            RankingSnapshot.objects.filter(pk=latest.pk)
            .values_list("rows", flat=True)
            .get()
        )
        if latest_rows == rows:
            raise DomainError(_("Nothing changed since the last publication."))
    snapshot = RankingSnapshot.objects.create(
        term=term,
        number=seen + 1,
        rows=rows,
        reason=reason,
        published_by=actor,
    )
    if term.state == TermState.REPLY:
        term_transition(term=term, to_state=TermState.RANKED, actor=actor)
    store_publication(term, snapshot)
    return snapshot


def ranking_unpublished(term: Term) -> str | None:
    """The transition guard of `ranked`: a term enters it only by publishing
    its ranking (`ranking_publish`)."""
    if not RankingSnapshot.objects.filter(term=term).exists():
        return _("Publish the ranking to end the right-of-reply stage.")
    return None


@transaction.atomic
def reply_waive(*, term: Term, unit: Unit, actor: User) -> ReplyWaiver:
    """`unit`'s officer says it has no (further) objection: the unit waives its
    right of reply for `term`. Only in the right-of-reply stage, by an officer
    of that member unit, once."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.state != TermState.REPLY:
        raise DomainError(
            _("The right of reply is waived in the right-of-reply stage.")
        )
    if not (is_member_officer(actor, term) and actor.unit_id == unit.pk):
        raise DomainError(_("Only the unit's own officers waive its right of reply."))
    if ReplyWaiver.objects.filter(term=term, unit=unit).exists():
        raise DomainError(_("The unit has already waived its right of reply."))
    return audited_save(ReplyWaiver(term=term, unit=unit, waived_by=actor), actor)


@transaction.atomic
def report_absence_record(
    *, term: Term, unit: Unit, reason: str, actor: User
) -> ReportAbsence:
    """Province staff record why `unit`'s report of `term` is missing or not
    accepted, so publishing does not wait for it. Refuses other roles, a unit
    that is not a member, an accepted report, a second record and an empty
    reason; only from the reporting to the right-of-reply stage, and never on
    a closed term (`term_require_writable`)."""
    term_require_writable(term)
    term = Term.objects.select_for_update().select_related("cluster").get(pk=term.pk)
    if not can_record_absence(actor, term):
        raise DomainError(_("Province staff record a missing report."))
    if term.state not in (TermState.REPORTING, TermState.SCORING, TermState.REPLY):
        raise DomainError(
            _("A missing report is recorded between the reporting and the ranking.")
        )
    if not term.memberships.filter(unit=unit).exists():
        raise DomainError(_("%(unit)s is not a member of this year.") % {"unit": unit})
    if Report.objects.filter(term=term, unit=unit, state=ReportState.ACCEPTED).exists():
        raise DomainError(_("The report of %(unit)s is accepted.") % {"unit": unit})
    if ReportAbsence.objects.filter(term=term, unit=unit).exists():
        raise DomainError(
            _("The absence of the report of %(unit)s is already recorded.")
            % {"unit": unit}
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason the report is missing."), field="reason")
    return audited_save(
        ReportAbsence(term=term, unit=unit, reason=reason, recorded_by=actor),
        actor,
        reason,
    )
