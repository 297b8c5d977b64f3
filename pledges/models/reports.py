"""The members' reports of results against the pledge: actuals, self-scores,
evidence, commendation figures, returned items and deadline extensions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters.models import StoredFile, Term, Unit
from core.audit import HistoricalRecords

from .pledge import POINTS, VALUE, Criterion, Indicator


class ReportState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report state", "being drafted, not sent")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", _("accepted")


class Report(models.Model):
    """A member unit's results of one term. `version` grows with every save, so
    a form carrying an older version is refused instead of overwriting."""

    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="reports", verbose_name=_("term")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    summary = models.TextField(_("summary of the year"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("submitted after the deadline"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["term", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "unit"], name="report_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.term}"

    @property
    def is_editable(self):
        return self.state in (ReportState.DRAFT, ReportState.RETURNED)


class IndicatorResult(models.Model):
    """The actual value of one indicator in a report."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("report"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("indicator"),
    )
    actual = models.DecimalField(_("actual value"), null=True, blank=True, **VALUE)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="result_once_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0),
                name="result_actual_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.actual}"


class SelfScore(models.Model):
    """The unit's own score of an assessed (or bonus/deduction) criterion."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="self_scores",
        verbose_name=_("report"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="self_scores",
        verbose_name=_("criterion"),
    )
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    explanation = models.TextField(_("explanation"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("self-score")
        verbose_name_plural = _("self-scores")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "criterion"], name="self_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="self_score_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.points}"


def evidence_path(instance, filename):
    """Stored under a generated name; the original name is kept in the row."""
    return f"evidence/{instance.report.term_id}/{uuid.uuid4().hex}"


class Evidence(StoredFile):
    """A file backing a criterion of a report."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("report"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("criterion"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["criterion", "uploaded_at"]


class CommendationFigure(models.Model):
    """How many collectives and individuals the unit itself commended in the
    year, by form of commendation."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="commendations",
        verbose_name=_("report"),
    )
    form = models.CharField(_("form of commendation"), max_length=200)
    collectives = models.PositiveIntegerField(_("collectives"), default=0)
    individuals = models.PositiveIntegerField(_("individuals"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation figure")
        verbose_name_plural = _("commendation figures")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "form"], name="commendation_form_once_per_report"
            ),
        ]

    def __str__(self):
        return self.form


class ReviewItem(models.Model):
    """A part of a submitted report returned to the unit with a reason; resolved
    when the unit resubmits."""

    class Part(models.TextChoices):
        INDICATOR = "indicator", _("indicator result")
        CRITERION = "criterion", _("self-score and evidence")
        COMMENDATIONS = "commendations", _("commendation figures")
        SUMMARY = "summary", _("summary")

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="review_items",
        verbose_name=_("report"),
    )
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned by"),
    )
    created_at = models.DateTimeField(_("returned"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resubmitted"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(part="indicator") & Q(indicator__isnull=False))
                | (Q(part="criterion") & Q(criterion__isnull=False))
                | Q(part__in=["commendations", "summary"]),
                name="review_item_names_its_row",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.get_part_display()}"


class DeadlineExtension(models.Model):
    """An admin's permission for one unit to submit after the term's deadline."""

    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("term"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    until = models.DateField(_("extended until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit} → {self.until:%d/%m/%Y}"
