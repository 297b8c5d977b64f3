"""Reminder emails that could not be delivered (mail server down, address
refused), kept to be tried again with back-off and shown to admins."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import Term, Unit


class ReminderDelivery(models.Model):
    """One reminder email to one recipient that failed at least once. `pending`
    rows are tried again at `next_attempt_at`; after the last allowed attempt a
    row is `given_up`; `sent` once it went out, `dropped` when it was no longer
    needed (the report was submitted, the term left reporting)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be retried")
        SENT = "sent", _("sent on a retry")
        DROPPED = "dropped", _("no longer needed")
        GIVEN_UP = "given_up", _("given up")

    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="+", verbose_name=_("term")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    recipient = models.EmailField(_("recipient"))
    kind = models.CharField(_("kind"), max_length=20)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_attempt_at = models.DateTimeField(_("last attempt at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder delivery failure")
        verbose_name_plural = _("reminder delivery failures")
        ordering = ["-last_attempt_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "unit", "recipient"],
                condition=Q(state="pending"),
                name="pledges_reminderdelivery_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", next_attempt_at__isnull=False)
                | ~Q(state="pending"),
                name="pledges_reminderdelivery_pending_has_next_attempt",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.recipient} ({self.term_id}/{self.unit_id}): {self.state}"
