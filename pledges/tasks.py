"""Background work of the pledges app: reminders to units that have not
submitted their report, N days before the deadline and on the day itself.

`due_reminders` says who is due today; the `send_reminders` command (run daily)
enqueues one `send_report_reminder` task per term and unit; the task re-checks
the report when it runs, so a unit that submitted in between gets nothing."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clusters.models import Membership, Term, TermState, Unit, User

from .models import Report, ReportState

DAYS_BEFORE = (7, 1, 0)
# Reports in these states need no reminder.
DONE = (ReportState.SUBMITTED, ReportState.ACCEPTED)
UPCOMING, DUE = "upcoming", "due"

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


@task
def send_report_reminder(term_id, unit_id, kind):
    """Email every active officer with an address of the unit about its report
    of the term, unless the report has been submitted or accepted, the term has
    left “reporting” or the deadline has passed since the task was enqueued.
    `kind` is "upcoming" or "due" (for the log; the text follows the days
    left when it runs). Returns the number of emails sent."""
    term = Term.objects.select_related("cluster").get(pk=term_id)
    unit = Unit.objects.get(pk=unit_id)
    if term.state != TermState.REPORTING or term.report_deadline is None:
        return 0
    days_left = (term.report_deadline - timezone.localdate()).days
    if days_left < 0:
        return 0
    if Report.objects.filter(term=term, unit=unit, state__in=DONE).exists():
        return 0
    recipients = list(
        User.objects.filter(unit=unit, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    messages = [reminder_message(term, unit, days_left, [r]) for r in recipients]
    sent = mailers.default.send_messages(messages)
    logger.info("Report reminder (%s) for %s, %s: %s email(s)", kind, unit, term, sent)
    return sent
