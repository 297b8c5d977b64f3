"""Background work of the pledges app: reminders to units that have not
submitted their report, N days before the deadline and on the day itself.

`due_reminders` says who is due today; the `send_reminders` command (run daily)
enqueues one `send_report_reminder` task per term and unit; the task re-checks
the report when it runs, so a unit that submitted in between gets nothing.

Each email is sent on its own: one the mail server refuses (or cannot take,
being down) becomes a `ReminderDelivery` row, tried again with back-off
(`RETRY_AFTER`) by `retry_failed_reminders` — which `send_reminders` runs, and
`send_reminders --retry-only` every hour — until it goes out, is no longer
needed or the attempts run out; admins see the rows in the Django admin."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clusters.models import Membership, Term, TermState, Unit, User

from .models import ReminderDelivery, Report, ReportState

DAYS_BEFORE = (7, 1, 0)
# Reports in these states need no reminder.
DONE = (ReportState.SUBMITTED, ReportState.ACCEPTED)
UPCOMING, DUE = "upcoming", "due"
# After the n-th failed attempt the next one waits RETRY_AFTER[n - 1]; after
# len(RETRY_AFTER) + 1 attempts the delivery is given up.
RETRY_AFTER = (
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=4),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    term: Term
    unit: Unit
    days_left: int

    @property
    def kind(self):
        return DUE if self.days_left == 0 else UPCOMING


def due_reminders(today, days_before=DAYS_BEFORE):
    """The reminders due on `today`: every member without a submitted or
    accepted report of every term in “reporting” whose deadline is one of
    `days_before` days away (0: the deadline is today), by cluster, year and
    unit (1 query)."""
    dates = {today + datetime.timedelta(days=n): n for n in days_before}
    done = Report.objects.filter(
        term=OuterRef("term"), unit=OuterRef("unit"), state__in=DONE
    )
    memberships = (
        Membership.objects.filter(
            term__state=TermState.REPORTING, term__report_deadline__in=dates
        )
        .exclude(Exists(done))
        .select_related("term__cluster", "unit")
        .order_by("term__cluster__name", "term__year", "unit__name")
    )
    return [
        Reminder(term=m.term, unit=m.unit, days_left=dates[m.term.report_deadline])
        for m in memberships
    ]


def report_url(term, unit):
    """The absolute address of `unit`'s report page of `term`."""
    return f"{settings.SITE_URL}{reverse('report_edit', args=[term.pk, unit.pk])}"


def reminder_message(term, unit, days_left, recipients):
    """The reminder email (in the site's language) to `recipients`."""
    context = {
        "cluster": term.cluster,
        "unit": unit,
        "year": term.year,
        "deadline": term.report_deadline,
        "days_left": days_left,
        "report_url": report_url(term, unit),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("pledges/email/reminder_subject.txt", context)
        body = render_to_string("pledges/email/reminder_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )


def _still_needed(term, unit):
    """Days left before `term`'s deadline when `unit` still needs a reminder,
    else None (term out of reporting, deadline passed, report handed in)."""
    if term.state != TermState.REPORTING or term.report_deadline is None:
        return None
    days_left = (term.report_deadline - timezone.localdate()).days
    if days_left < 0:
        return None
    if Report.objects.filter(term=term, unit=unit, state__in=DONE).exists():
        return None
    return days_left


def _send_one(message):
    """Send one email; the error text, or "" when it went out."""
    try:
        sent = mailers.default.send_messages([message])
    except Exception as error:  # SMTP, socket, TLS: all mean "not delivered"
        return f"{type(error).__name__}: {error}"[:1000]
    return "" if sent else "the mail backend sent nothing"


def _record_failure(delivery, error, now):
    """Count a failed attempt of `delivery` (saved): schedule the next one, or
    give up after MAX_ATTEMPTS."""
    delivery.last_error = error
    delivery.last_attempt_at = now
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = ReminderDelivery.State.GIVEN_UP
        delivery.next_attempt_at = None
        logger.error("Reminder to %s given up: %s", delivery.recipient, error)
    else:
        delivery.next_attempt_at = now + RETRY_AFTER[delivery.attempts - 1]
        logger.warning(
            "Reminder to %s failed (attempt %s), next at %s: %s",
            delivery.recipient,
            delivery.attempts,
            delivery.next_attempt_at,
            error,
        )
    delivery.save()


@task
def send_report_reminder(term_id, unit_id, kind):
    """Email every active officer with an address of the unit about its report
    of the term, unless the report has been submitted or accepted, the term has
    left “reporting” or the deadline has passed since the task was enqueued.
    `kind` is "upcoming" or "due" (for the log; the text follows the days
    left when it runs). Each email that fails is kept as a pending
    `ReminderDelivery` to be retried (one pending row per recipient). Returns
    the number of emails sent."""
    term = Term.objects.select_related("cluster").get(pk=term_id)
    unit = Unit.objects.get(pk=unit_id)
    days_left = _still_needed(term, unit)
    if days_left is None:
        return 0
    recipients = list(
        User.objects.filter(unit=unit, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("email", flat=True)
    )
    sent = 0
    for recipient in recipients:
        error = _send_one(reminder_message(term, unit, days_left, [recipient]))
        if not error:
            sent += 1
            continue
        now = timezone.now()
        pending = ReminderDelivery.objects.filter(
            term=term,
            unit=unit,
            recipient=recipient,
            state=ReminderDelivery.State.PENDING,
        ).first()
        if pending is not None:
            # Already waiting for a retry (yesterday's): today's failure is
            # one more attempt of it, not a second email to send later.
            pending.attempts += 1
            pending.kind = kind
            _record_failure(pending, error, now)
        else:
            _record_failure(
                ReminderDelivery(
                    term=term,
                    unit=unit,
                    recipient=recipient,
                    kind=kind,
                    first_failed_at=now,
                ),
                error,
                now,
            )
    logger.info("Report reminder (%s) for %s, %s: %s email(s)", kind, unit, term, sent)
    return sent


def retry_failed_reminders(now=None):
    """Try again every pending delivery whose time has come, oldest first, each
    under a row lock (skipping rows another run holds), so two runs never send
    one twice. A delivery no longer needed is dropped unsent. Returns the counts
    {"sent", "failed", "dropped", "given_up"}."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "dropped": 0, "given_up": 0}
    due = ReminderDelivery.objects.filter(
        state=ReminderDelivery.State.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = (
                ReminderDelivery.objects.select_for_update(skip_locked=True)
                .select_related("term__cluster", "unit")
                .filter(pk=pk, state=ReminderDelivery.State.PENDING)
                .first()
            )
            if delivery is None:
                continue
            days_left = _still_needed(delivery.term, delivery.unit)
            if days_left is None:
                delivery.state = ReminderDelivery.State.DROPPED
                delivery.next_attempt_at = None
                delivery.save(update_fields=["state", "next_attempt_at"])
                counts["dropped"] += 1
                continue
            message = reminder_message(
                delivery.term, delivery.unit, days_left, [delivery.recipient]
            )
            error = _send_one(message)
            delivery.attempts += 1
            if not error:
                delivery.state = ReminderDelivery.State.SENT
                delivery.last_attempt_at = timezone.now()
                delivery.next_attempt_at = None
                delivery.save()
                counts["sent"] += 1
                continue
            _record_failure(delivery, error, timezone.now())
            key = (
                "given_up"
                if delivery.state == ReminderDelivery.State.GIVEN_UP
                else "failed"
            )
            counts[key] += 1
    return counts
