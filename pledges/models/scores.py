"""Scores of scored-by-people criteria (peer and reviewer), objections in the
right-of-reply window, and published ranking snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Term, Unit
from core.audit import HistoricalRecords

from .pledge import POINTS, Criterion
from .reports import Report


class ScoreKind(models.TextChoices):
    PEER = "peer", _("peer score")
    REVIEWER = "reviewer", _("reviewer's score")


class Score(models.Model):
    """A score of one criterion of one report: by a peer unit (chấm chéo) or by
    the reviewer, whose score needs a reason and overrides the others."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("report"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ScoreKind.choices)
    scorer_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scoring unit"),
    )
    points = models.DecimalField(_("points"), **POINTS)
    comment = models.TextField(_("comment"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scored by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "criterion", "scorer_unit"],
                condition=Q(kind="peer"),
                name="score_one_peer_score_per_unit",
            ),
            models.UniqueConstraint(
                fields=["report", "criterion"],
                condition=Q(kind="reviewer"),
                name="score_one_reviewer_score",
            ),
            models.CheckConstraint(
                condition=(Q(kind="peer") & Q(scorer_unit__isnull=False))
                | (Q(kind="reviewer") & Q(scorer_unit__isnull=True)),
                name="score_peer_names_its_unit",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="score_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.report} {self.criterion.code}: {self.points}"


class RankingSnapshot(models.Model):
    """A published ranking, never changed afterwards; republishing adds a new
    snapshot with a reason."""

    term = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        related_name="rankings",
        verbose_name=_("term"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    rows = models.JSONField(_("ranking"))
    reason = models.TextField(_("reason for republishing"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")
        ordering = ["term", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "number"], name="ranking_snapshot_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.term} #{self.number}"


class Objection(models.Model):
    """A member contesting a draft score in the right-of-reply window; the chair
    answers by accepting with a new score or rejecting with a reason."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="objections",
        verbose_name=_("report"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("criterion"),
    )
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    answer = models.CharField(
        _("answer"), max_length=16, choices=Answer.choices, blank=True
    )
    new_points = models.DecimalField(_("new points"), null=True, blank=True, **POINTS)
    answer_reason = models.TextField(_("reason of the answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["raised_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_by__isnull=False),
                name="objection_answer_names_who",
            ),
            models.CheckConstraint(
                condition=~Q(answer="accepted") | Q(new_points__isnull=False),
                name="objection_accepted_has_new_points",
            ),
        ]

    def __str__(self):
        return f"{self.report} {self.criterion.code}"


class ReplyWaiver(models.Model):
    """A member unit saying it has no (further) objection: it waives its right
    of reply, so the ranking may be published before the objection deadline
    once every member has waived."""

    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        related_name="reply_waivers",
        verbose_name=_("term"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(_("waived"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waiver of the right of reply")
        verbose_name_plural = _("waivers of the right of reply")
        ordering = ["term", "waived_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "unit"], name="reply_waiver_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.term}"


class ReportAbsence(models.Model):
    """Province staff's record of why a member's report is missing or was not
    accepted, so the ranking can be published without it."""

    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        related_name="report_absences",
        verbose_name=_("term"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recorded absence of a report")
        verbose_name_plural = _("recorded absences of reports")
        ordering = ["term", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "unit"], name="report_absence_once_per_member"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="report_absence_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.term}"
