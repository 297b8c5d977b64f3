"""Enqueue today's report reminders (see `pledges.tasks`)."""

import datetime
from functools import partial

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pledges.tasks import (
    DAYS_BEFORE,
    due_reminders,
    retry_failed_reminders,
    send_report_reminder,
)


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: expected YYYY-MM-DD, got {value!r}.") from error


def _days(value):
    message = f"--days-before: expected e.g. 7,1,0, got {value!r}."
    try:
        days = tuple(sorted({int(part) for part in value.split(",")}, reverse=True))
    except ValueError as error:
        raise CommandError(message) from error
    if any(day < 0 for day in days):
        raise CommandError("--days-before: days cannot be negative.")
    return days


class Command(BaseCommand):
    help = (
        "Email each member unit that has not submitted its report a reminder, "
        "7 and 1 days before the reporting deadline and on the day itself. Run it "
        "once a day (cron or a systemd timer, e.g. at 07:00): running it twice on "
        "the same day sends the reminders twice. It only enqueues the emails; in "
        "production `manage.py db_worker` sends them. First it retries the "
        "emails that failed before and whose next attempt is due; "
        "--retry-only does only that (run it every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_date,
            default=None,
            help="the day to act for, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--days-before",
            type=_days,
            default=DAYS_BEFORE,
            help="days before the deadline to remind on, e.g. 7,1,0 (the default)",
        )
        parser.add_argument(
            "--retry-only",
            action="store_true",
            help="only retry the failed emails whose next attempt is due",
        )

    def handle(self, *args, date, days_before, retry_only, **options):
        retried = retry_failed_reminders()
        if retry_only or any(retried.values()):
            self.stdout.write(
                "Retried failed reminders: {sent} sent, {failed} failed again, "
                "{dropped} no longer needed, {given_up} given up.".format(**retried)
            )
        if retry_only:
            return
        today = date or timezone.localdate()
        with transaction.atomic():
            reminders = due_reminders(today, days_before)
            for reminder in reminders:
                transaction.on_commit(
                    partial(
                        send_report_reminder.enqueue,
                        reminder.term.pk,
                        reminder.unit.pk,
                        reminder.kind,
                    )
                )
                self.stdout.write(
                    f"Enqueued: {reminder.term.cluster} {reminder.term.year} – "
                    f"{reminder.unit} (deadline "
                    f"{reminder.term.report_deadline:%d/%m/%Y}, "
                    f"{reminder.days_left} day(s) left)"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(reminders)} reminder(s) enqueued for {today:%d/%m/%Y}."
            )
        )
