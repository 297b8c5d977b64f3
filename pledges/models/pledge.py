"""The yearly pledge: sections and criteria with points, indicators with scoring
rules, per-member targets, signatures and signed versions; and the members'
reports of results against it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Authority, Term, Unit
from core.audit import HistoricalRecords

POINTS = {"max_digits": 6, "decimal_places": 2}
VALUE = {"max_digits": 18, "decimal_places": 4}
# Target values stay below this (18 digits, 4 after the point).
LARGEST_VALUE = Decimal(10) ** 14


class PledgeState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SIGNING = "signing", _("open for signing")
    IN_FORCE = "in_force", _("in force")


class Pledge(models.Model):
    """The pledge of one term. Its content is the current version; each version
    opened for signing is kept as a snapshot in PledgeVersion."""

    term = models.OneToOneField(
        Term, on_delete=models.PROTECT, related_name="pledge", verbose_name=_("term")
    )
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PledgeState.choices,
        default=PledgeState.DRAFT,
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self):
        return self.title

    @property
    def is_editable(self):
        return self.state == PledgeState.DRAFT


class SectionKind(models.TextChoices):
    SCORED = "scored", _("scored within the scale")
    BONUS = "bonus", _("bonus points")
    DEDUCTION = "deduction", _("deduction points")


class Section(models.Model):
    """A top-level part of the criteria tree, e.g. “I. Socio-economic tasks”."""

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("pledge"),
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=SectionKind.choices,
        default=SectionKind.SCORED,
    )
    max_points = models.DecimalField(
        _("max points"), validators=[MinValueValidator(Decimal(0))], **POINTS
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    # Not fields: set on the sections `selectors.pledge_tree` gives.
    subsection_list: "list[Subsection]"
    criteria_list: "list[Criterion]"

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "code"],
                name="section_code_unique_in_pledge",
                violation_error_message=_("Another section has this code."),
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="section_points_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


class Subsection(models.Model):
    """A sub-field (lĩnh vực) of a section, between it and its criteria, e.g. a
    ministry's 30-point group over four sub-fields. A section's criteria are
    either all in sub-fields or none; the sub-fields' points add up to their
    section and their criteria's to them (`selectors.tree_problems`)."""

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="subsections",
        verbose_name=_("pledge"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="subsections",
        verbose_name=_("section"),
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    max_points = models.DecimalField(
        _("max points"), validators=[MinValueValidator(Decimal(0))], **POINTS
    )
    source = models.CharField(
        _("legal source"),
        max_length=300,
        blank=True,
        help_text=_("The document that sets this sub-field and its points."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    # Not a field: set on the sub-fields `selectors.pledge_tree` gives.
    criteria_list: "list[Criterion]"

    class Meta:
        verbose_name = _("sub-field")
        verbose_name_plural = _("sub-fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "code"],
                name="subsection_code_unique_in_pledge",
                violation_error_message=_("Another sub-field has this code."),
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="subsection_points_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


class CriterionKind(models.TextChoices):
    INDICATOR = "indicator", _("computed from indicators")
    ASSESSED = "assessed", _("assessed by people")
    BONUS = "bonus", _("bonus")
    DEDUCTION = "deduction", _("deduction")


class Criterion(models.Model):
    """A scored line of the pledge, e.g. “I.2 Budget revenue”, with its maximum."""

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("pledge"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("section"),
    )
    # Empty when the section has no sub-fields (the default).
    subsection = models.ForeignKey(
        Subsection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("sub-field"),
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=CriterionKind.choices)
    max_points = models.DecimalField(
        _("max points"), validators=[MinValueValidator(Decimal(0))], **POINTS
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    guidance = models.TextField(_("guidance"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    # Not a field: set on the criteria `selectors.pledge_tree` gives.
    indicator_list: "list[Indicator]"

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "code"],
                name="criterion_code_unique_in_pledge",
                violation_error_message=_("Another criterion has this code."),
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="criterion_points_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum of members")
    MEAN = "mean", _("mean of members")
    NONE = "none", _("no cluster total")


class ScoringRule(models.TextChoices):
    PROPORTIONAL = "proportional", _("proportional to achievement")
    # xgettext:no-python-format
    THRESHOLD = "threshold", _("full points at 100% or more")
    BANDS = "bands", _("bands of achievement")
    GROWTH = "growth", _("growth over last year's actual")


class Indicator(models.Model):
    """A target figure (chỉ tiêu) feeding an indicator criterion.

    `params` by rule: proportional {"cap": 100, "floor": 50}; threshold {};
    bands {"bands": [[minimum achievement %, share of points %], …]};
    growth {"full": growth % over last year's actual earning full points}."""

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("pledge"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("criterion"),
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=500)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=50)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.HIGHER,
    )
    aggregation = models.CharField(
        _("cluster total"),
        max_length=8,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    rule = models.CharField(
        _("scoring rule"),
        max_length=16,
        choices=ScoringRule.choices,
        default=ScoringRule.PROPORTIONAL,
    )
    params = models.JSONField(_("rule parameters"), default=dict, blank=True)
    # Its share of the criterion's maximum is weight / the sum of the weights
    # of the criterion's indicators (`scoring.indicator_shares`).
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_(
            "Its share of the criterion's points against the other indicators' "
            "weights; equal weights share the points equally."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "code"],
                name="indicator_code_unique_in_pledge",
                violation_error_message=_("Another indicator has this code."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="indicator_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Target(models.Model):
    """A member's planned value of an indicator, with last year's actual."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("indicator"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("unit")
    )
    planned = models.DecimalField(_("planned value"), null=True, blank=True, **VALUE)
    last_actual = models.DecimalField(
        _("last year's actual"), null=True, blank=True, **VALUE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit"], name="target_once_per_member"
            ),
            models.CheckConstraint(
                condition=Q(planned__isnull=True) | Q(planned__gte=0),
                name="target_planned_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} – {self.unit}"


class PledgeVersion(models.Model):
    """A version opened for signing: the content as it was, and why it changed."""

    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("pledge"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    reason = models.TextField(_("reason for the amendment"), blank=True)
    opened_at = models.DateTimeField(_("opened for signing"))
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledge version")
        verbose_name_plural = _("pledge versions")
        ordering = ["pledge", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "number"], name="pledge_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.pledge} v{self.number}"


class Signature(models.Model):
    """A member unit's signature of one version of the pledge."""

    version = models.ForeignKey(
        PledgeVersion,
        on_delete=models.CASCADE,
        related_name="signatures",
        verbose_name=_("version"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    # The leader who signs for the unit, as the document prints them: "KT. CHỦ
    # TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn A"; blank leaves the lines to be filled
    # in by hand (Decree 30/2020/NĐ-CP, Appendix I).
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signs_for = models.CharField(
        _("signing for (KT.)"),
        max_length=150,
        blank=True,
        help_text=_(
            "The head a deputy signs for, e.g. “Chủ tịch”; empty when the head signs."
        ),
    )
    signed_on = models.DateField(_("date signed"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit"],
                name="signature_once_per_unit_and_version",
                violation_error_message=_("This unit has already signed this version."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.version}"


class PledgeTemplate(models.Model):
    """An authority's saved pledge content to start new pledges from."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.CASCADE,
        related_name="pledge_templates",
        verbose_name=_("authority"),
    )
    name = models.CharField(_("name"), max_length=200)
    content = models.JSONField(_("content"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge template")
        verbose_name_plural = _("pledge templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"], name="pledge_template_name_unique"
            ),
        ]

    def __str__(self):
        return self.name
