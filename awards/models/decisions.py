"""Awards: decisions (quyết định khen thưởng) and their grants, which form the
award registry that eligibility rules and the ranking bonus read."""

import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Authority, StoredFile, Unit
from core.audit import HistoricalRecords

from .catalogue import AwardForm
from .proposals import Nominee


def fold(text):
    """Lower case without Vietnamese diacritics: "Châu Thành" → "chau thanh".
    Searching a folded column with folded input ignores diacritics on every
    database."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def person_key(name, organisation):
    """Who a person is across proposals and grants: folded name and
    organisation ("nguyen van a|huyen chau thanh"); "" without a name."""
    name = fold(name)
    return f"{name}|{fold(organisation)}" if name else ""


class SigningCapacity(models.TextChoices):
    ON_BEHALF = "tm", _("the chairman signs")
    DEPUTY = "kt", _("a vice chairman signs for the chairman (KT.)")


class IssuerKind(models.TextChoices):
    """Who decides (Decree 30/2020/NĐ-CP, Appendix I): the committee as a
    collective ("ỦY BAN NHÂN DÂN TỈNH …" decides; signed "TM. ỦY BAN NHÂN
    DÂN") or its chairman ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …" decides; signed
    "CHỦ TỊCH" or "KT. CHỦ TỊCH")."""

    COLLECTIVE = "collective", _("the committee (collective)")
    CHAIRMAN = "chairman", _("the chairman")


COMMITTEE = "ỦY BAN NHÂN DÂN"
# Head and deputy titles by the issuing body's opening words; a people's
# committee's otherwise.
HEAD_TITLES = {"BỘ ": ("BỘ TRƯỞNG", "THỨ TRƯỞNG")}
HEAD_TITLE = ("CHỦ TỊCH", "PHÓ CHỦ TỊCH")


def head_titles(issuing_body):
    upper = issuing_body.strip().upper()
    for start, titles in HEAD_TITLES.items():
        if upper.startswith(start):
            return titles
    return HEAD_TITLE


def signature_lines(issuing_body, issuer_kind, capacity):
    """The signature block's lines above the signer's name: the committee's
    collective "TM. ỦY BAN NHÂN DÂN" (only for a collective decision of a
    people's committee), then "CHỦ TỊCH" when the head signs, or "KT. CHỦ TỊCH"
    and "PHÓ CHỦ TỊCH" when a deputy signs for the head."""
    head, deputy = head_titles(issuing_body)
    lines = []
    upper = issuing_body.strip().upper()
    if issuer_kind == IssuerKind.COLLECTIVE and upper.startswith(COMMITTEE):
        lines.append(f"TM. {COMMITTEE}")
    if capacity == SigningCapacity.DEPUTY:
        lines += [f"KT. {head}", deputy]
    else:
        lines.append(head)
    return tuple(lines)


def deciding_line(issuing_body, issuer_kind):
    """Who decides, above the legal bases: "ỦY BAN NHÂN DÂN TỈNH HẬU GIANG" or
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẬU GIANG"."""
    upper = issuing_body.strip().upper()
    if issuer_kind == IssuerKind.CHAIRMAN:
        return f"{head_titles(issuing_body)[0]} {upper}"
    return upper


class Decision(models.Model):
    """An award decision answering one or more proposals of its authority
    (`Proposal.decision`); numbered per issuer and year."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="award_decisions",
        verbose_name=_("authority"),
    )
    number = models.PositiveIntegerField(_("number"))
    issuer_code = models.CharField(
        _("issuer code"),
        max_length=30,
        default="UBND",
        help_text=_("The part after “QĐ-” in the number, e.g. “UBND”."),
    )
    year = models.PositiveSmallIntegerField(_("year of the number"))
    date = models.DateField(_("date"))
    issuing_body = models.CharField(
        _("issuing body"),
        max_length=200,
        help_text=_("e.g. “Ủy ban nhân dân tỉnh Hậu Giang”."),
    )
    subject = models.CharField(_("subject"), max_length=300)
    signer_name = models.CharField(_("signer"), max_length=150)
    capacity = models.CharField(
        _("signing capacity"), max_length=4, choices=SigningCapacity.choices
    )
    issuer_kind = models.CharField(
        _("decided by"),
        max_length=12,
        choices=IssuerKind.choices,
        default=IssuerKind.COLLECTIVE,
        help_text=_(
            "The committee as a collective (signed “TM. ỦY BAN NHÂN DÂN”) or its "
            "chairman (“CHỦ TỊCH ỦY BAN NHÂN DÂN …” decides)."
        ),
    )
    legal_bases = models.TextField(_("legal bases"), help_text=_("One per line."))
    proposed_by = models.CharField(
        _("on the proposal of"),
        max_length=200,
        default="Giám đốc Sở Nội vụ",
    )
    base_salary = models.DecimalField(
        _("base salary applied (VND)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "issuer_code", "year", "number"],
                name="decision_number_unique_per_issuer_and_year",
                violation_error_message=_(
                    "This issuer already used that number in that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="decision_number_positive"
            ),
        ]

    def __str__(self):
        return self.number_display

    @property
    def number_display(self):
        """ "05/QĐ-UBND": a leading zero below 10 (Decree 30/2020/NĐ-CP)."""
        return f"{self.number:02d}/QĐ-{self.issuer_code}"

    @property
    def capacity_lines(self):
        """ "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"…"""
        return signature_lines(self.issuing_body, self.issuer_kind, self.capacity)

    @property
    def deciding_line(self):
        return deciding_line(self.issuing_body, self.issuer_kind)

    @property
    def issuer_display(self):
        return self.issuing_body


def external_decision_path(instance, filename):
    """Stored under a generated name; the original name is kept in the row."""
    return f"external-decisions/{instance.authority_id}/{uuid.uuid4().hex}"


class ExternalDecision(StoredFile):
    """A decision taken outside the product (the Prime Minister's Government
    flag, a ministry's flag…) that staff enter in the registry so that its
    grants count like decided ones; the scanned file is optional (an empty
    `file` with empty file fields)."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="external_award_decisions",
        verbose_name=_("authority"),
    )
    issuer = models.CharField(
        _("issued by"),
        max_length=200,
        help_text=_("e.g. “Thủ tướng Chính phủ”."),
    )
    number = models.CharField(
        _("number"), max_length=50, help_text=_("e.g. “1234/QĐ-TTg”.")
    )
    date = models.DateField(_("date"))
    file = models.FileField(
        _("scanned decision"),
        upload_to=external_decision_path,
        max_length=200,
        blank=True,
    )
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Demonstration data not taken from a source."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision outside the system")
        verbose_name_plural = _("decisions outside the system")
        ordering = ["-date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "issuer", "number", "date"],
                name="external_decision_once",
            ),
        ]

    def __str__(self):
        return f"{self.number} – {self.issuer}"

    @property
    def number_display(self):
        return self.number

    @property
    def issuer_display(self):
        return self.issuer


class Grant(models.Model):
    """One recipient of a decision: a unit or a person. A row of the registry.
    Either internal (a `decision` of the product granting a `nominee` of one
    of its proposals) or external (an `external` decision taken outside the
    product, no nominee); both count alike in eligibility and the bonus."""

    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("decision"),
    )
    nominee = models.OneToOneField(
        Nominee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant",
        verbose_name=_("nominee"),
    )
    external = models.ForeignKey(
        ExternalDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("decision outside the system"),
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="award_grants",
        verbose_name=_("authority"),
    )
    award_form = models.ForeignKey(
        AwardForm,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("award form"),
    )
    year = models.PositiveSmallIntegerField(_("emulation year"), db_index=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_grants",
        verbose_name=_("unit"),
    )
    person_name = models.CharField(_("full name"), max_length=150, blank=True)
    person_position = models.CharField(_("position"), max_length=200, blank=True)
    person_organisation = models.CharField(
        _("organisation"), max_length=200, blank=True
    )
    reason = models.TextField(_("achievements"), blank=True)
    amount = models.DecimalField(
        _("reward (VND)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    recipient_name = models.CharField(_("recipient"), max_length=300)
    person_key = models.CharField(
        _("person key"), max_length=400, blank=True, db_index=True, editable=False
    )
    search_text = models.CharField(
        _("search text"), max_length=1000, db_index=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-year", "award_form__position", "recipient_name", "pk"]
        indexes = [models.Index(fields=["authority", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(person_name=""))
                | (Q(unit__isnull=True) & ~Q(person_name="")),
                name="grant_unit_or_person",
            ),
            models.CheckConstraint(
                condition=Q(
                    decision__isnull=False,
                    nominee__isnull=False,
                    external__isnull=True,
                )
                | Q(
                    decision__isnull=True,
                    nominee__isnull=True,
                    external__isnull=False,
                ),
                name="grant_internal_or_external",
                violation_error_message=_(
                    "A grant answers a nominee by a decision, or records a "
                    "decision taken outside the system."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.recipient_name} – {self.award_form} {self.year}"

    @property
    def is_external(self):
        return self.external_id is not None

    @property
    def act(self):
        """The decision granting it: a `Decision` or an `ExternalDecision`
        (both give `number_display`, `date` and `issuer_display`)."""
        return self.external if self.external_id else self.decision
