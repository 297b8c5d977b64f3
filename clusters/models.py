"""Authorities, units, clusters, terms, memberships, handovers and users."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from core.audit import HistoricalRecords


class AuthorityLevel(models.TextChoices):
    """The tier of an organising body; its texts (committee name, “theo quy định
    của tỉnh”) derive from it."""

    PROVINCE = "province", pgettext_lazy("authority level", "province")
    CITY = "city", pgettext_lazy("authority level", "centrally governed city")
    MINISTRY = (
        "ministry",
        pgettext_lazy("authority level", "central ministry or sector"),
    )


class Authority(models.Model):
    """The organising body (tenant); every row of data belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=100)
    place_name = models.CharField(
        _("place name"),
        max_length=100,
        help_text=_("Used in the date line of documents, e.g. “Hậu Giang”."),
    )
    level = models.CharField(
        _("level"),
        max_length=16,
        choices=AuthorityLevel.choices,
        default=AuthorityLevel.PROVINCE,
        help_text=_(
            "A province, a centrally governed city or a central ministry or "
            "sector; the wording of documents and pages follows it."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def place_word(self):
        """“tỉnh”, “thành phố” or “bộ, ngành” (in the active language)."""
        return {
            AuthorityLevel.PROVINCE: pgettext("place word", "province"),
            AuthorityLevel.CITY: pgettext("place word", "city"),
            AuthorityLevel.MINISTRY: pgettext("place word", "ministry or sector"),
        }[AuthorityLevel(self.level)]

    @property
    def committee_name(self):
        """The issuing body of its decisions: “Ủy ban nhân dân tỉnh Hậu Giang”,
        “Ủy ban nhân dân thành phố Cần Thơ”; a ministry issues under its own
        name. Legal text of Vietnamese documents, so always in Vietnamese."""
        if self.level == AuthorityLevel.MINISTRY:
            return self.name
        return f"Ủy ban nhân dân {self.place_word_vi} {self.place_name}"

    @property
    def place_word_vi(self):
        """The tier as Vietnamese documents write it: “tỉnh”, “thành phố”,
        “bộ, ngành”."""
        return {
            AuthorityLevel.PROVINCE: "tỉnh",
            AuthorityLevel.CITY: "thành phố",
            AuthorityLevel.MINISTRY: "bộ, ngành",
        }[AuthorityLevel(self.level)]


class UnitKind(models.TextChoices):
    PROVINCE_DEPARTMENT = "province_department", _("province department")
    DISTRICT = "district", _("district")
    TOWN = "town", _("town")
    CITY = "city", _("city")
    COMMUNE = "commune", _("commune")
    WARD = "ward", _("ward")
    SPECIAL_ZONE = "special_zone", _("special zone")
    ENTERPRISE = "enterprise", _("enterprise")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("other")


class Unit(models.Model):
    """A member organisation, valid between two dates, with an optional successor."""

    # Choice fields list units by name in Vietnamese order (core.hygiene).
    choices_in_vietnamese_order = True

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("authority"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor unit"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"], name="unit_name_unique_in_authority"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("id")),
                name="unit_not_its_own_successor",
            ),
        ]

    def __str__(self):
        return self.name

    def is_active_on(self, day):
        return self.valid_from <= day and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_active(self):
        return self.is_active_on(timezone.localdate())


class ClusterKind(models.TextChoices):
    CLUSTER = "cluster", _("cluster")
    BLOCK = "block", _("block")


class RotationPolicy(models.TextChoices):
    DEPUTY_SUCCEEDS = "deputy_succeeds", _("deputy succeeds the chair")
    ORDERED = "ordered", _("fixed rotation order")
    ELECTED = "elected", _("elected by members")
    APPOINTED = "appointed", _("appointed by the authority")
    LEADER_CHAIRS = "leader_chairs", _("the leading unit (flag winner) chairs")


class Cluster(models.Model):
    """An emulation cluster (by geography) or block (by function) of an authority."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="clusters",
        verbose_name=_("authority"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=ClusterKind.choices,
        default=ClusterKind.CLUSTER,
    )
    founding_decision = models.CharField(
        _("founding decision"),
        max_length=200,
        blank=True,
        help_text=_("Number and date, e.g. “1234/QĐ-UBND ngày 05/03/2021”."),
    )
    rotation_policy = models.CharField(
        _("rotation policy"),
        max_length=32,
        choices=RotationPolicy.choices,
        default=RotationPolicy.DEPUTY_SUCCEEDS,
    )
    rotation_policy_since = models.PositiveSmallIntegerField(
        _("rotation policy applies from"), null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_(
            "Illustrative data, not taken from a source; every page showing it says so."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("model", "cluster or block")
        verbose_name_plural = pgettext_lazy("model", "clusters and blocks")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"], name="cluster_name_unique_in_authority"
            ),
        ]

    def __str__(self):
        return self.name


class RotationSlot(models.Model):
    """A unit's place in its cluster's chair rotation order (position 1 first)."""

    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.CASCADE,
        related_name="rotation_slots",
        verbose_name=_("cluster"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("rotation", "position"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rotation slot")
        verbose_name_plural = _("rotation order")
        ordering = ["cluster", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "position"], name="rotation_position_unique"
            ),
            models.UniqueConstraint(
                fields=["cluster", "unit"], name="rotation_unit_unique"
            ),
        ]

    def __str__(self):
        return f"{self.cluster} #{self.position}: {self.unit}"


class TermState(models.TextChoices):
    PLANNING = "planning", _("planning")
    PLEDGING = "pledging", _("pledging")
    IN_PROGRESS = "in_progress", _("in progress")
    REPORTING = "reporting", _("reporting")
    SCORING = "scoring", _("scoring")
    REPLY = "reply", _("right of reply")
    RANKED = "ranked", _("ranked")
    VOTING = "voting", _("voting")
    PROPOSING = "proposing", _("proposing")
    DECIDED = "decided", _("decided")
    CLOSED = "closed", _("closed")


class AssessedMethod(models.TextChoices):
    SELF_ACCEPTED = "self", _("self-score accepted by the reviewer")
    PEER_MEAN = "peer_mean", _("mean of peer scores")
    PEER_MEDIAN = "peer_median", _("median of peer scores")
    REVIEWER = "reviewer", _("reviewer's score")


# Classification bands, best first; below the last: not complete.
BAND_NAMES = ("excellent", "good", "complete")
BAND_LABELS = {
    "excellent": _("excellent"),
    "good": _("good"),
    "complete": _("complete"),
    "not_complete": _("not complete"),
}
DEFAULT_BAND_MINIMUMS = {"excellent": 90, "good": 80, "complete": 70}


def default_bands():
    """The default table: ≥ 90 / 80 / 70 % of the scale, no criterion minimum."""
    return [
        {"band": name, "min_total": DEFAULT_BAND_MINIMUMS[name], "min_criterion": None}
        for name in BAND_NAMES
    ]


def _percent(value, *, optional):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueError
    number = number.quantize(Decimal("0.01"))
    return int(number) if number == number.to_integral_value() else float(number)


def clean_bands(value):
    """The band table in its stored shape: excellent, good and complete in that
    order, each with a minimum total in % of the scale (0–100, strictly falling)
    and an optional minimum share of every criterion's max (0–100 or None).
    Raises ValidationError otherwise."""
    message = _(
        "The classification bands are excellent, good and complete, each with a "
        "minimum total between 0 and 100 percent of the scale, falling from band to "
        "band, and an optional minimum share of every criterion between 0 and 100 "
        "percent."
    )
    if not isinstance(value, list | tuple) or len(value) != len(BAND_NAMES):
        raise ValidationError(message, code="invalid_bands")
    table = []
    try:
        for name, row in zip(BAND_NAMES, value, strict=True):
            if not isinstance(row, dict) or row.get("band") != name:
                raise ValueError
            table.append(
                {
                    "band": name,
                    "min_total": _percent(row.get("min_total"), optional=False),
                    "min_criterion": _percent(row.get("min_criterion"), optional=True),
                }
            )
    except (ValueError, InvalidOperation, TypeError) as error:
        raise ValidationError(message, code="invalid_bands") from error
    totals = [Decimal(str(row["min_total"])) for row in table]
    if any(b >= a for a, b in zip(totals, totals[1:], strict=False)):
        raise ValidationError(message, code="invalid_bands")
    return table


def validate_bands(value):
    clean_bands(value)


def share_of_scale(percent, total_points):
    """`percent` % of a scale of `total_points`, in points (2 decimals)."""
    return (Decimal(percent) * Decimal(total_points) / 100).quantize(Decimal("0.01"))


def term_period_defaults(year):
    """A calendar-year term's label and dates: “Năm <year>”, 1 January to
    31 December."""
    return {
        "label": f"Năm {year}",
        "starts_on": datetime.date(year, 1, 1),
        "ends_on": datetime.date(year, 12, 31),
    }


_YEAR_IN_LABEL = re.compile(r"(?<!\d)(19|20|21)(\d\d)(?!\d)")


def next_period_label(label):
    """A term label a year on: every year in it moves by one (“Năm học
    2024–2025” → “Năm học 2025–2026”)."""
    return _YEAR_IN_LABEL.sub(lambda m: str(int(m.group(0)) + 1), label)


def term_page_label(year, period_label):
    """The label pages show for a term of `year` labelled `period_label`: “Year
    <year>” in the reader's language for the calendar year's label, the label
    itself otherwise."""
    if period_label == term_period_defaults(year)["label"]:
        return _("Year %(year)s") % {"year": year}
    return period_label


def lower_first(label):
    return label[:1].lower() + label[1:]


class Term(models.Model):
    """One cluster's emulation year: "term" throughout the code means exactly
    this — the year `year` of `cluster`, with its members (chair and deputy
    live on its memberships), its settings, deadlines and state in the yearly
    cycle (`TermState`)."""

    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        related_name="terms",
        verbose_name=_("cluster"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    state = models.CharField(
        _("state"), max_length=16, choices=TermState.choices, default=TermState.PLANNING
    )
    # A term need not be a calendar year (a school year runs September to
    # May): its label and dates, printed wherever the year would be. Left
    # empty, `save` fills "Năm <year>" and 1 January – 31 December.
    label = models.CharField(
        _("label"),
        max_length=60,
        blank=True,
        help_text=_(
            "As documents print it, e.g. “Năm học 2024–2025”; empty: “Năm <year>”."
        ),
    )
    starts_on = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_("Empty: 1 January of the year."),
    )
    ends_on = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("Empty: 31 December of the year."),
    )
    report_deadline = models.DateField(_("report deadline"), null=True, blank=True)
    reply_deadline = models.DateField(
        _("objection deadline"),
        null=True,
        blank=True,
        help_text=_("Last day on which members may object to their draft scores."),
    )
    total_points = models.PositiveSmallIntegerField(
        _("total points"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    assessed_method = models.CharField(
        _("final score of assessed criteria"),
        max_length=16,
        choices=AssessedMethod.choices,
        default=AssessedMethod.PEER_MEAN,
    )
    # Bonus cap, deduction cap and late deduction are in % of the scale
    # (total_points), so that they keep their weight on a 1,000-point term.
    bonus_cap = models.DecimalField(
        _("bonus cap (percent of the scale)"),
        max_digits=7,
        decimal_places=4,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Bonus points count up to this share of the total points."),
    )
    deduction_cap = models.DecimalField(
        _("deduction cap (percent of the scale)"),
        max_digits=7,
        decimal_places=4,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Deductions count up to this share of the total points."),
    )
    late_deduction = models.DecimalField(
        _("deduction for a late report (percent of the scale)"),
        max_digits=7,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A report submitted late loses this share of the total points."),
    )
    bands = models.JSONField(
        _("classification bands"),
        default=default_bands,
        validators=[validate_bands],
        help_text=_(
            "Minimum total (percent of the scale) and optional minimum share of every "
            "criterion for excellent, good and complete."
        ),
    )
    # The nomination vote (bình xét, suy tôn): quorum and threshold
    # as exact fractions of all members, and how many leading units to nominate
    # (empty: the provincial-flag quota, see `flag_quota`).
    nomination_quorum_numerator = models.PositiveSmallIntegerField(
        _("nomination quorum numerator"), default=2
    )
    nomination_quorum_denominator = models.PositiveSmallIntegerField(
        _("nomination quorum denominator"), default=3
    )
    nomination_threshold_numerator = models.PositiveSmallIntegerField(
        _("nomination threshold numerator"), default=1
    )
    nomination_threshold_denominator = models.PositiveSmallIntegerField(
        _("nomination threshold denominator"), default=2
    )
    nomination_seats = models.PositiveSmallIntegerField(
        _("leading units to nominate"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Leave empty for the provincial-flag quota: a fifth of the members, "
            "rounded up, at least 1."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["cluster", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "year"],
                name="term_one_per_cluster_and_year",
                violation_error_message=_(
                    "This cluster already has a term for that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="term_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(total_points__gt=0), name="term_total_points_positive"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lt=models.F("ends_on")),
                name="term_starts_before_it_ends",
                violation_error_message=_("The term must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(nomination_quorum_numerator__gt=0)
                & Q(
                    nomination_quorum_numerator__lte=models.F(
                        "nomination_quorum_denominator"
                    )
                ),
                name="term_nomination_quorum_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(nomination_threshold_denominator__gt=0)
                & Q(
                    nomination_threshold_numerator__lt=models.F(
                        "nomination_threshold_denominator"
                    )
                ),
                name="term_nomination_threshold_below_1",
            ),
            models.CheckConstraint(
                condition=Q(nomination_seats__isnull=True) | Q(nomination_seats__gte=1),
                name="term_nomination_seats_at_least_1",
            ),
        ]

    def __str__(self):
        return f"{self.cluster} – {self.period_label}"

    def save(self, *args, **kwargs):
        """Fill an empty label and dates with the calendar year's."""
        defaults = term_period_defaults(self.year)
        for name, value in defaults.items():
            if not getattr(self, name):
                setattr(self, name, value)
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, name}
        super().save(*args, **kwargs)

    @property
    def period_label(self):
        """The label documents print (“Năm học 2024–2025”), “Năm <year>” when
        none was given."""
        return self.label or term_period_defaults(self.year)["label"]

    @property
    def page_label(self):
        """The label pages show, in the reader's language: “Year 2024” / “Năm
        2024” for a calendar-year label, the term's own label otherwise."""
        return term_page_label(self.year, self.period_label)

    @property
    def next_page_label(self):
        """`page_label` of the term that opening the next year creates (its
        label is `next_period_label` of this one's)."""
        return term_page_label(self.year + 1, next_period_label(self.period_label))

    @property
    def period_phrase(self):
        """`period_label` inside a sentence, its first letter lowered (“năm học
        2024–2025 (khối THPT)”)."""
        return lower_first(self.period_label)

    @property
    def page_phrase(self):
        """`page_label` inside a sentence, its first letter lowered."""
        return lower_first(str(self.page_label))

    @property
    def next_page_phrase(self):
        """`next_page_label` inside a sentence, its first letter lowered."""
        return lower_first(str(self.next_page_label))

    @property
    def is_calendar_year(self):
        """Whether the term is its year's 1 January – 31 December, labelled so."""
        defaults = term_period_defaults(self.year)
        return (self.period_label, self.period_start, self.period_end) == (
            defaults["label"],
            defaults["starts_on"],
            defaults["ends_on"],
        )

    @property
    def period_start(self):
        return self.starts_on or term_period_defaults(self.year)["starts_on"]

    @property
    def period_end(self):
        return self.ends_on or term_period_defaults(self.year)["ends_on"]

    @property
    def bonus_cap_points(self):
        return share_of_scale(self.bonus_cap, self.total_points)

    @property
    def deduction_cap_points(self):
        return share_of_scale(self.deduction_cap, self.total_points)

    @property
    def late_deduction_points(self):
        return share_of_scale(self.late_deduction, self.total_points)

    @property
    def band_table(self):
        """The classification bands as (band, minimum total %, minimum share of
        every criterion % or None), best first."""
        return [
            (
                row["band"],
                Decimal(str(row["min_total"])),
                None
                if row.get("min_criterion") is None
                else Decimal(str(row["min_criterion"])),
            )
            for row in clean_bands(self.bands)
        ]

    @property
    def band_rows(self):
        """(label, minimum total %, minimum criterion share % or None) for pages
        and documents."""
        return [
            (BAND_LABELS[band], total, share) for band, total, share in self.band_table
        ]

    @property
    def nomination_quorum(self):
        return Fraction(
            self.nomination_quorum_numerator, self.nomination_quorum_denominator
        )

    @property
    def nomination_threshold(self):
        return Fraction(
            self.nomination_threshold_numerator, self.nomination_threshold_denominator
        )

    def member_with_role(self, role):
        """The unit holding `role` from prefetched or queried memberships, or None."""
        for membership in self.memberships.all():
            if membership.role == role:
                return membership.unit
        return None

    @property
    def chair(self):
        return self.member_with_role(MemberRole.CHAIR)

    @property
    def deputy(self):
        return self.member_with_role(MemberRole.DEPUTY)


class MemberRole(models.TextChoices):
    MEMBER = "member", _("member")
    CHAIR = "chair", _("chair")
    DEPUTY = "deputy", _("deputy chair")


class Membership(models.Model):
    """A unit in a term. Chair and deputy are roles of members, so the database
    guarantees they are members, differ, and occur at most once per term."""

    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("term"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["term", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "unit"],
                name="membership_unit_once_per_term",
                violation_error_message=_("This unit is already a member of the term."),
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(role="chair"),
                name="membership_one_chair_per_term",
                violation_error_message=_("The term already has a chair."),
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(role="deputy"),
                name="membership_one_deputy_per_term",
                violation_error_message=_("The term already has a deputy chair."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.term}"


class Handover(models.Model):
    """The chair passing from one term's chair unit to the next term's."""

    from_term = models.OneToOneField(
        Term,
        on_delete=models.PROTECT,
        related_name="handover_out",
        verbose_name=_("outgoing term"),
    )
    to_term = models.OneToOneField(
        Term,
        on_delete=models.PROTECT,
        related_name="handover_in",
        verbose_name=_("incoming term"),
    )
    from_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outgoing chair unit"),
    )
    to_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("incoming chair unit"),
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    occasion = models.CharField(_("occasion"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    flag_handed_over = models.BooleanField(
        _("rotating flag handed over"),
        default=False,
        help_text=_("The rotating flag (cờ luân lưu) passed at the conference."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_term=models.F("to_term")),
                name="handover_between_two_terms",
            ),
        ]

    def __str__(self):
        return f"{self.from_unit} → {self.to_unit} ({self.date:%d/%m/%Y})"


class Role(models.TextChoices):
    ADMIN = "admin", _("authority admin")
    PROVINCE_STAFF = "province_staff", _("province staff")
    UNIT_OFFICER = "unit_officer", _("unit officer")


class AppUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: belongs to an authority, officers also to a unit."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("authority"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("unit"),
    )
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.UNIT_OFFICER
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = AppUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="unit_officer") | Q(unit__isnull=False),
                name="user_officer_has_unit",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class SecurityEvent(models.Model):
    """An append-only log of logins, logouts, failed logins and refused requests."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("login")
        LOGOUT = "logout", _("logout")
        LOGIN_FAILED = "login_failed", _("failed login")
        REFUSED = "refused", _("refused request")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%d/%m/%Y %H:%M}"


class StoredFile(models.Model):
    """A private uploaded file, stored under a generated name (each subclass
    declares `file` with its own `upload_to`); the name it was uploaded under,
    its checked type and its size are kept in the row. Written only through
    `pledges.uploads.store_checked`, served only through
    `pledges.uploads.private_file_response`."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


class FormSubmission(models.Model):
    """One use of a one-time form token (see `clusters.idempotency`): the first
    POST that carries the token is processed; a repeat (a double click, a
    resubmission) gets the first result instead. Not business data: no
    history; rows older than a day are purged."""

    token = models.CharField(_("token"), max_length=64)
    # The user's id, or "" for an anonymous visitor.
    user_key = models.CharField(_("user"), max_length=40, blank=True)
    path = models.CharField(_("path"), max_length=500)
    # Where the first POST sent the browser; empty while it is being processed.
    location = models.CharField(_("result"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["token", "user_key"], name="form_submission_token_once"
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="form_submission_created"),
        ]

    def __str__(self):
        return self.token
