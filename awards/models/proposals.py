"""Awards: proposals (tờ trình) with their nominees, attachments and public
comments. A proposal comes from a term (the chair unit drafts it) or from a
campaign (province staff draft it) and goes to the authority."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Authority, StoredFile, Term, Unit
from core.audit import HistoricalRecords

from .catalogue import AwardForm


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    RECEIVED = "received", _("received")
    APPRAISED = "appraised", _("appraised")
    DECIDED = "decided", _("decided")
    REJECTED = "rejected", _("rejected")


class Proposal(models.Model):
    """A request to the authority to award its nominees."""

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="award_proposals",
        verbose_name=_("authority"),
    )
    term = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_proposals",
        verbose_name=_("term"),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_proposals",
        verbose_name=_("campaign"),
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    number = models.CharField(
        _("number"),
        max_length=50,
        blank=True,
        help_text=_("The number of the submission, e.g. “12/TTr-CTĐ”."),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary of achievements"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ProposalState.choices,
        default=ProposalState.DRAFT,
    )
    quota_reason = models.TextField(
        _("reason for exceeding a quota"),
        blank=True,
        help_text=_("Required when the proposal has more nominees than a quota."),
    )
    last_reason = models.TextField(
        _("reason of the last return or rejection"), blank=True
    )
    comments_open_until = models.DateField(
        _("public comments open until"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    created_at = models.DateTimeField(_("drafted"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decision = models.ForeignKey(
        "awards.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("answered by decision"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award proposal")
        verbose_name_plural = _("award proposals")
        ordering = ["-year", "-created_at", "-pk"]
        indexes = [models.Index(fields=["authority", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(term__isnull=False, campaign__isnull=True)
                | Q(term__isnull=True, campaign__isnull=False),
                name="proposal_from_term_or_campaign",
                violation_error_message=_(
                    "A proposal comes from a term or from a campaign."
                ),
            ),
            # `decision_record` moves a proposal to decided with its decision.
            models.CheckConstraint(
                condition=Q(state=ProposalState.DECIDED, decision__isnull=False)
                | (~Q(state=ProposalState.DECIDED) & Q(decision__isnull=True)),
                name="proposal_decided_with_its_decision",
                violation_error_message=_(
                    "A proposal is decided exactly when a decision answers it."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("proposal_detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in (ProposalState.DRAFT, ProposalState.RETURNED)

    @property
    def is_finished(self):
        return self.state in (ProposalState.DECIDED, ProposalState.REJECTED)


class NomineeOutcome(models.TextChoices):
    PENDING = "pending", _("pending")
    GRANTED = "granted", _("granted")
    NOT_GRANTED = "not_granted", _("not granted")


class Nominee(models.Model):
    """A member unit or a person proposed for one award form."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="nominees",
        verbose_name=_("proposal"),
    )
    award_form = models.ForeignKey(
        AwardForm,
        on_delete=models.PROTECT,
        related_name="nominees",
        verbose_name=_("award form"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_nominations",
        verbose_name=_("unit"),
    )
    person_name = models.CharField(_("full name"), max_length=150, blank=True)
    person_position = models.CharField(_("position"), max_length=200, blank=True)
    person_organisation = models.CharField(
        _("organisation"), max_length=200, blank=True
    )
    achievements = models.TextField(_("achievements"))
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=NomineeOutcome.choices,
        default=NomineeOutcome.PENDING,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["proposal", "award_form__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(person_name=""))
                | (Q(unit__isnull=True) & ~Q(person_name="")),
                name="nominee_unit_or_person",
                violation_error_message=_("A nominee is either a unit or a person."),
            ),
            models.UniqueConstraint(
                fields=["proposal", "award_form", "unit"],
                condition=Q(unit__isnull=False),
                name="nominee_unit_once_per_form",
                violation_error_message=_(
                    "This unit is already proposed for this award."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_collective(self):
        return self.unit_id is not None

    @property
    def name(self):
        return self.unit.name if self.unit_id else self.person_name


def attachment_path(instance, filename):
    """Stored under a generated name; the original name is kept in the row."""
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}"


class Attachment(StoredFile):
    """A file sent with a proposal: achievement report, minutes, evidence."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("proposal"),
    )
    description = models.CharField(_("description"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["proposal", "uploaded_at", "pk"]


class CommentState(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    APPROVED = "approved", _("published")
    HIDDEN = "hidden", _("hidden")


class PublicComment(models.Model):
    """A comment from the public on a proposal open for comments; shown only
    once staff approve it."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("proposal"),
    )
    nominee = models.ForeignKey(
        Nominee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("about nominee"),
    )
    author_name = models.CharField(_("your name"), max_length=150)
    text = models.TextField(_("comment"), max_length=3000)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CommentState.choices,
        default=CommentState.PENDING,
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["proposal", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending") | Q(moderated_by__isnull=False),
                name="public_comment_moderation_names_who",
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.text[:40]}"
