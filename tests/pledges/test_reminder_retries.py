"""Reminder emails the mail server does not take are kept and retried with
back-off (pledges.tasks): none is lost, none is sent twice, admins see them."""

import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from clusters.models import Term, TermState
from pledges.models import ReminderDelivery, Report, ReportState
from pledges.tasks import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    retry_failed_reminders,
    send_report_reminder,
)

Delivery = ReminderDelivery.State


@pytest.fixture
def term(world):
    """The world's term in “reporting”, deadline in a week; unit A's officer
    has an address."""
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPORTING,
        report_deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    user = world.users["officer"]
    user.email = "officer_a@example.gov.vn"
    user.save()
    return Term.objects.get(pk=world.term.pk)


def _mail_server_down():
    return mock.patch.object(
        EmailBackend,
        "send_messages",
        side_effect=ConnectionRefusedError(111, "Connection refused"),
    )


def _fail_once(world, term):
    with _mail_server_down():
        result = send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")
    assert result.return_value == 0
    return ReminderDelivery.objects.get()


def test_a_reminder_the_mail_server_refuses_is_kept_for_a_retry(world, term):
    before = timezone.now()
    delivery = _fail_once(world, term)
    assert mail.outbox == []
    assert delivery.recipient == "officer_a@example.gov.vn"
    assert delivery.unit == world.unit_a
    assert delivery.state == Delivery.PENDING
    assert delivery.attempts == 1
    assert "Connection refused" in delivery.last_error
    assert delivery.next_attempt_at - delivery.last_attempt_at == RETRY_AFTER[0]
    assert delivery.last_attempt_at >= before


def test_the_retry_waits_for_its_time_then_sends_once(world, term):
    delivery = _fail_once(world, term)
    early = retry_failed_reminders(now=delivery.next_attempt_at - datetime.timedelta(1))
    assert early == {"sent": 0, "failed": 0, "dropped": 0, "given_up": 0}
    assert mail.outbox == []

    due = retry_failed_reminders(now=delivery.next_attempt_at)
    assert due == {"sent": 1, "failed": 0, "dropped": 0, "given_up": 0}
    assert [m.to for m in mail.outbox] == [["officer_a@example.gov.vn"]]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        Delivery.SENT,
        2,
        None,
    )
    again = retry_failed_reminders(now=timezone.now() + datetime.timedelta(days=2))
    assert again["sent"] == 0
    assert len(mail.outbox) == 1


def test_retries_back_off_then_give_up(world, term):
    delivery = _fail_once(world, term)
    waits = []
    with _mail_server_down():
        while delivery.state == Delivery.PENDING:
            retry_failed_reminders(now=delivery.next_attempt_at)
            previous = delivery.last_attempt_at
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
            assert delivery.last_attempt_at >= previous
    assert waits == list(RETRY_AFTER[1:])
    assert delivery.state == Delivery.GIVEN_UP
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert mail.outbox == []


def test_a_retry_no_longer_needed_is_dropped_unsent(world, term):
    delivery = _fail_once(world, term)
    Report.objects.create(term=term, unit=world.unit_a, state=ReportState.SUBMITTED)
    counts = retry_failed_reminders(now=delivery.next_attempt_at)
    assert counts == {"sent": 0, "failed": 0, "dropped": 1, "given_up": 0}
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.state == Delivery.DROPPED


def test_a_second_failure_of_the_same_recipient_adds_an_attempt_not_a_row(world, term):
    _fail_once(world, term)
    with _mail_server_down():
        send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")
    delivery = ReminderDelivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - delivery.last_attempt_at == RETRY_AFTER[1]


def test_the_reminders_command_retries_due_failures(world, term):
    delivery = _fail_once(world, term)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("send_reminders", "--retry-only", stdout=out)
    assert "1 sent" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["officer_a@example.gov.vn"]]
    assert ReminderDelivery.objects.get().state == Delivery.SENT


def test_admins_see_failed_deliveries_in_the_django_admin(world, term, client):
    _fail_once(world, term)
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get("/django-admin/pledges/reminderdelivery/")
    assert response.status_code == 200
    assert "officer_a@example.gov.vn" in response.content.decode()
