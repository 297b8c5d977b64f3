"""Emulation campaigns (phong trào thi đua) of an authority: what was launched,
for whom and when, the figures units report, the units' registrations and
mid-term and final reports, the reviews, and rules that let a pledge criterion
count campaigns."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters.models import Authority, Cluster, StoredFile, Unit
from core.audit import HistoricalRecords
from pledges.models import Criterion

FIGURE = {"max_digits": 18, "decimal_places": 4}
# Figures stay below this (18 digits, 4 after the point).
LARGEST_FIGURE = Decimal(10) ** 14


class CampaignKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    THEMED = "themed", _("themed")
    AD_HOC = "ad_hoc", _("ad-hoc")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("draft")
    LAUNCHED = "launched", _("launched")
    MIDTERM_REVIEW = "midterm_review", _("mid-term review")
    FINAL_REVIEW = "final_review", _("final review")
    CLOSED = "closed", _("closed")


class CampaignScope(models.TextChoices):
    ALL = "all", _("all clusters and blocks")
    CLUSTERS = "clusters", _("chosen clusters and blocks")
    UNITS = "units", _("chosen units")


class Campaign(models.Model):
    """A campaign launched by the authority for all its clusters and blocks, some
    of them, or some units, over a period that may span several years.

    `version` grows with every save, so an edit form loaded before a change is
    refused instead of overwriting it."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("authority"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    title = models.CharField(_("title"), max_length=300)
    slogan = models.TextField(_("slogan or goal"), blank=True)
    decision_number = models.CharField(
        _("launching decision number"),
        max_length=50,
        blank=True,
        help_text=_("E.g. “1234/QĐ-UBND”."),
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_signer = models.CharField(
        _("signed by"),
        max_length=150,
        blank=True,
        help_text=_(
            "Name and capacity, e.g. “KT. Chủ tịch – Phó Chủ tịch Trần Văn B”."
        ),
    )
    launched_by = models.CharField(
        _("launched by"),
        max_length=200,
        help_text=_("The body that launched it, e.g. “UBND tỉnh Hậu Giang”."),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    scope = models.CharField(
        _("scope"), max_length=16, choices=CampaignScope.choices, default="all"
    )
    clusters = models.ManyToManyField(
        Cluster,
        blank=True,
        related_name="campaigns",
        verbose_name=_("clusters and blocks in scope"),
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="campaigns", verbose_name=_("units in scope")
    )
    expected_outcomes = models.TextField(_("criteria or expected outcomes"), blank=True)
    registration_deadline = models.DateField(
        _("registration deadline"), null=True, blank=True
    )
    midterm_deadline = models.DateField(
        _("mid-term report deadline"), null=True, blank=True
    )
    final_deadline = models.DateField(_("final report deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CampaignState.choices,
        default=CampaignState.DRAFT,
    )
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Demonstration data whose decision details are made up."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[clusters, units])

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_it_starts",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["authority", "title", "start_date"],
                name="campaign_title_unique_per_start",
                violation_error_message=_(
                    "A campaign with this title and start date already exists."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def years(self):
        return range(self.start_date.year, self.end_date.year + 1)

    @property
    def is_draft(self):
        return self.state == CampaignState.DRAFT

    @property
    def is_closed(self):
        return self.state == CampaignState.CLOSED


class CampaignMetric(models.Model):
    """A figure every unit reports for the campaign, e.g. “activities held”."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="metrics",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("figure"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign figure")
        verbose_name_plural = _("campaign figures")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "title"], name="campaign_metric_title_unique"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.unit_of_measure})"


def attachment_path(instance, filename):
    """Stored under a generated name; the original name is kept in the row."""
    return f"campaigns/{instance.campaign_id}/{uuid.uuid4().hex}"


class CampaignAttachment(StoredFile):
    """A file of the campaign: the launching decision, a plan, guidance."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("campaign"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign attachment")
        verbose_name_plural = _("campaign attachments")
        ordering = ["uploaded_at", "id"]


class ReportKind(models.TextChoices):
    REGISTRATION = "registration", _("registration")
    MIDTERM = "midterm", _("mid-term report")
    FINAL = "final", _("final report")


class ReportState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report state", "being drafted, not sent")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", _("accepted")


class CampaignReport(models.Model):
    """A unit's registration, mid-term or final report on a campaign.

    `version` grows with every save, so a form loaded before another officer's
    save is refused instead of overwriting it."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="campaign_reports",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
    )
    commitment = models.TextField(_("what the unit commits to"), blank=True)
    activities = models.TextField(_("activities and results"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("submitted after the deadline"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
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
        verbose_name = _("campaign report")
        verbose_name_plural = _("campaign reports")
        ordering = ["campaign", "unit__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind"],
                name="campaign_report_once_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.campaign} ({self.get_kind_display()})"

    @property
    def is_editable(self):
        return self.state in (ReportState.DRAFT, ReportState.RETURNED)


class CampaignFigure(models.Model):
    """A unit's value of one of the campaign's figures in a report."""

    report = models.ForeignKey(
        CampaignReport,
        on_delete=models.CASCADE,
        related_name="figures",
        verbose_name=_("report"),
    )
    metric = models.ForeignKey(
        CampaignMetric,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("figure"),
    )
    value = models.DecimalField(_("value"), null=True, blank=True, **FIGURE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "metric"], name="campaign_figure_once_per_metric"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="campaign_figure_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.metric.title}: {self.value}"


class ExemplarKind(models.TextChoices):
    COLLECTIVE = "collective", _("collective")
    INDIVIDUAL = "individual", _("individual")


class Exemplar(models.Model):
    """A collective or person the unit puts forward as an example of the campaign."""

    report = models.ForeignKey(
        CampaignReport,
        on_delete=models.CASCADE,
        related_name="exemplars",
        verbose_name=_("report"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExemplarKind.choices)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(
        _("position or organisation"), max_length=200, blank=True
    )
    achievement = models.TextField(_("achievement"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exemplar")
        verbose_name_plural = _("exemplars")
        ordering = ["id"]

    def __str__(self):
        return self.name


def report_evidence_path(instance, filename):
    return f"campaigns/{instance.report.campaign_id}/reports/{uuid.uuid4().hex}"


class ReportEvidence(StoredFile):
    """A file backing a campaign report (photos, minutes, plans)."""

    report = models.ForeignKey(
        CampaignReport,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("report"),
    )
    file = models.FileField(_("file"), upload_to=report_evidence_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report evidence file")
        verbose_name_plural = _("report evidence files")
        ordering = ["uploaded_at", "id"]


class ReviewStage(models.TextChoices):
    MIDTERM = "midterm", _("mid-term review")
    FINAL = "final", _("final review")


class CampaignReview(models.Model):
    """The authority's mid-term (sơ kết) or final (tổng kết) summary of a campaign."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("campaign"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=ReviewStage.choices)
    held_on = models.DateField(_("review date"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    highlights = models.TextField(_("highlights"), blank=True)
    shortcomings = models.TextField(_("shortcomings and lessons"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign review")
        verbose_name_plural = _("campaign reviews")
        ordering = ["campaign", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "stage"], name="campaign_review_once_per_stage"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} – {self.get_stage_display()}"


class CampaignRule(models.Model):
    """Makes a pledge criterion (assessed or bonus) count campaigns: each campaign
    of the year in which the unit was in scope and whose final report was
    accepted earns `points_per_campaign`, capped at the criterion's maximum.
    `kinds` limits the campaigns counted (empty: every kind)."""

    criterion = models.OneToOneField(
        Criterion,
        on_delete=models.CASCADE,
        related_name="campaign_rule",
        verbose_name=_("criterion"),
    )
    points_per_campaign = models.DecimalField(
        _("points per campaign"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    kinds = models.JSONField(_("kinds of campaign counted"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign rule")
        verbose_name_plural = _("campaign rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_campaign__gt=0),
                name="campaign_rule_points_positive",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.points_per_campaign}"

    def counts(self, kind):
        return not self.kinds or kind in self.kinds

    def kind_labels(self):
        return [CampaignKind(k).label for k in self.kinds if k in CampaignKind.values]
