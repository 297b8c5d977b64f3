"""Awards: the catalogue of award forms and the base salary, per authority.

Rules the law fixes nationally (prerequisites, reward multipliers, quotas) are data
here, each row citing its legal source, so a province corrects them without code
changes. See `awards.catalogue_defaults` for the rule formats."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Authority
from core.audit import HistoricalRecords


class AwardLevel(models.TextChoices):
    STATE = "state", _("state")
    GOVERNMENT = "government", _("government")
    PROVINCE = "province", _("province")
    UNIT = "unit", _("grassroots")


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("collective")
    INDIVIDUAL = "individual", _("individual")
    BOTH = "both", _("collective or individual")


class AwardType(models.TextChoices):
    TITLE = "title", _("emulation title")
    FORM = "form", _("form of commendation")


class AwardForm(models.Model):
    """A title or form of commendation an authority awards or proposes."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="award_forms",
        verbose_name=_("authority"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=AwardLevel.choices)
    recipient_kind = models.CharField(
        _("recipient"), max_length=16, choices=RecipientKind.choices
    )
    award_type = models.CharField(
        _("title or form"), max_length=8, choices=AwardType.choices
    )
    multiplier = models.DecimalField(
        _("reward (× base salary)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty when set by the province or not confirmed."),
    )
    ranking_bonus = models.DecimalField(
        _("ranking bonus"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Points a holder gets in the next year's ranking of its cluster."),
    )
    legal_source = models.CharField(_("legal source"), max_length=300)
    unconfirmed = models.TextField(
        _("not confirmed"),
        blank=True,
        help_text=_("What of this row is set by the province or not confirmed."),
    )
    prerequisites = models.JSONField(_("prerequisites"), default=list, blank=True)
    quota = models.JSONField(_("quota rule"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award form")
        verbose_name_plural = _("award forms")
        ordering = ["authority", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "code"], name="award_form_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__isnull=True) | Q(multiplier__gte=0),
                name="award_form_multiplier_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ranking_bonus__gte=0),
                name="award_form_ranking_bonus_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def accepts(self, *, collective):
        """True when the form may go to a collective (or an individual)."""
        if self.recipient_kind == RecipientKind.BOTH:
            return True
        return (self.recipient_kind == RecipientKind.COLLECTIVE) == collective


class BaseSalary(models.Model):
    """The base salary (mức lương cơ sở) in force from a date; rewards are
    multiples of the amount in force on the decision date."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="base_salaries",
        verbose_name=_("authority"),
    )
    amount = models.DecimalField(_("amount (VND)"), max_digits=12, decimal_places=0)
    effective_from = models.DateField(_("in force from"))
    legal_source = models.CharField(_("legal source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")
        ordering = ["authority", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "effective_from"],
                name="base_salary_one_per_date",
                violation_error_message=_("A base salary already starts on that date."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="base_salary_positive"
            ),
        ]

    def __str__(self):
        return f"{self.amount} ({self.effective_from:%d/%m/%Y})"
