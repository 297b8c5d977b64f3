"""Peer and reviewer scores, objections in the right-of-reply window, and
publishing the ranking as an immutable snapshot."""

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clusters.audit import audited_save
from clusters.models import TermState
from clusters.services import DomainError

from ..models import (
    CriterionKind,
    Objection,
    RankingSnapshot,
    ReportState,
    Score,
)
from ..selectors import previous_ranks, term_standings

__all__ = [
    "objection_answer",
    "objection_raise",
    "peer_score_set",
    "ranking_publish",
    "reviewer_score_set",
]


def _check_points(criterion, points):
    if criterion.kind == CriterionKind.INDICATOR:
        raise DomainError(_("Indicator criteria are computed, not scored."))
    if points is None or not (0 <= points <= criterion.max_points):
        raise DomainError(
            _("%(code)s: points go from 0 to %(max)s.")
            % {"code": criterion.code, "max": criterion.max_points},
            field="points",
        )


def _scorable(report):
    if report.term.state != TermState.SCORING:
        raise DomainError(_("Scores are given while the year is in the scoring stage."))
    if report.state not in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        raise DomainError(_("Only submitted reports are scored."))


@transaction.atomic
def peer_score_set(*, report, criterion, scorer_unit, points, comment, actor):
    """A member unit scores another member's criterion (chấm chéo); a unit never
    scores itself. Scoring again replaces the unit's earlier score."""
    _scorable(report)
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
def reviewer_score_set(*, report, criterion, points, reason, actor):
    """The reviewer sets a criterion's final points, which prevail over the
    term's method; a reason is required and kept in the history."""
    _check_points(criterion, points)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the reviewer's score."), field="reason")
    score = Score.objects.filter(
        report=report, criterion=criterion, kind="reviewer"
    ).first() or Score(report=report, criterion=criterion, kind="reviewer")
    score.points, score.comment, score.scored_by = points, reason.strip(), actor
    return audited_save(score, actor, reason.strip())


@transaction.atomic
def objection_raise(*, report, criterion, text, actor):
    """A member objects to a draft score during the right-of-reply stage."""
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
def objection_answer(*, objection, accept, reason, actor, new_points=None):
    """The chair answers: accept with a new score (set as the reviewer's score)
    or reject with a reason. An objection is answered once."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answer:
        raise DomainError(_("This objection has already been answered."))
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the answer."), field="reason")
    if accept:
        reviewer_score_set(
            report=objection.report,
            criterion=objection.criterion,
            points=new_points,
            reason=reason,
            actor=actor,
        )
    objection.answer = (
        Objection.Answer.ACCEPTED if accept else Objection.Answer.REJECTED
    )
    objection.new_points = new_points if accept else None
    objection.answer_reason = reason.strip()
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    return audited_save(objection, actor)


@transaction.atomic
def ranking_publish(*, term, actor, reason=""):
    """Publish the ranking of `term` as a new immutable snapshot.

    Refuses while objections are unanswered; republishing needs a reason and
    keeps the earlier snapshots."""
    latest = RankingSnapshot.objects.select_for_update().filter(term=term).first()
    if Objection.objects.filter(report__term=term, answer="").exists():
        raise DomainError(_("Answer every objection before publishing."))
    if latest is not None and not (reason or "").strip():
        raise DomainError(
            _("The ranking is already published; give a reason to republish."),
            field="reason",
        )
    before = previous_ranks(term)
    rows = [
        {
            "unit": s.unit.name,
            "unit_id": s.unit.pk,
            "rank": s.rank,
            "shared": s.shared,
            "total": str(s.total),
            "bonus": str(s.bonus),
            "deduction": str(s.deduction),
            "band": s.band,
            "tie_note": s.tie_note,
            "previous_rank": before.get(s.unit.name),
            "lines": [
                {
                    "code": line.code,
                    "kind": line.kind,
                    "max": str(line.max_points),
                    "points": None if line.points is None else str(line.points),
                }
                for line in s.lines
            ],
        }
        for s in term_standings(term)
    ]
    return RankingSnapshot.objects.create(
        term=term,
        number=(latest.number + 1) if latest else 1,
        rows=rows,
        reason=(reason or "").strip(),
        published_by=actor,
    )
