"""Report reminders: who is due on which day, the email, the task and the daily
command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from clusters.models import Term, TermState
from pledges.models import Report, ReportState
from pledges.tasks import due_reminders, report_url, send_report_reminder
from tests.clusters.factories import officer

TODAY = datetime.date(2025, 1, 10)


@pytest.fixture
def term(world):
    """The world's term in “reporting”, its deadline a week after TODAY; unit A
    and the chair each have an officer with an email address."""
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPORTING, report_deadline=TODAY + datetime.timedelta(days=7)
    )
    for key in ("officer", "chair_officer", "other_officer"):
        user = world.users[key]
        user.email = f"{user.username}@example.gov.vn"
        user.save()
    return Term.objects.get(pk=world.term.pk)


def _due(day):
    return [
        (r.term.cluster.name, r.unit.name, r.days_left, r.kind)
        for r in due_reminders(day)
    ]


@pytest.mark.parametrize(
    ("days_before", "kind"), [(7, "upcoming"), (1, "upcoming"), (0, "due")]
)
def test_every_member_is_due_7_and_1_days_before_and_on_the_day(
    term, days_before, kind
):
    day = term.report_deadline - datetime.timedelta(days=days_before)
    assert _due(day) == [
        ("Cụm A", "Huyện A", days_before, kind),
        ("Cụm A", "Huyện Chủ trì", days_before, kind),
        ("Cụm A", "Huyện Phó", days_before, kind),
    ]


@pytest.mark.parametrize("days_before", [3, 2, 8, -1])
def test_nobody_is_due_on_other_days(term, days_before):
    assert _due(term.report_deadline - datetime.timedelta(days=days_before)) == []


def test_submitted_and_accepted_reports_get_no_reminder(world, term):
    Report.objects.create(term=term, unit=world.unit_a, state=ReportState.SUBMITTED)
    Report.objects.create(term=term, unit=world.unit_chair, state=ReportState.ACCEPTED)
    assert _due(TODAY) == [("Cụm A", "Huyện Phó", 7, "upcoming")]


def test_draft_and_returned_reports_still_get_reminders(world, term):
    Report.objects.create(term=term, unit=world.unit_a, state=ReportState.DRAFT)
    Report.objects.create(term=term, unit=world.unit_chair, state=ReportState.RETURNED)
    assert [unit for _c, unit, _d, _k in _due(TODAY)] == [
        "Huyện A",
        "Huyện Chủ trì",
        "Huyện Phó",
    ]


@pytest.mark.parametrize("state", [TermState.IN_PROGRESS, TermState.SCORING])
def test_terms_outside_reporting_send_no_reminder(term, state):
    Term.objects.filter(pk=term.pk).update(state=state)
    assert _due(TODAY) == []


def test_a_term_without_deadline_sends_no_reminder(term):
    Term.objects.filter(pk=term.pk).update(report_deadline=None)
    assert _due(TODAY) == []


def test_custom_days_before(term):
    assert _due(TODAY + datetime.timedelta(days=4)) == []
    reminders = due_reminders(TODAY + datetime.timedelta(days=4), days_before=(3,))
    assert [r.days_left for r in reminders] == [3, 3, 3]


def _deadline_in(term, days):
    deadline = timezone.localdate() + datetime.timedelta(days=days)
    Term.objects.filter(pk=term.pk).update(report_deadline=deadline)
    return deadline


def test_the_task_mails_each_active_officer_with_an_address(world, term, settings):
    settings.SITE_URL = "https://thidua.example.gov.vn"
    deadline = _deadline_in(term, 7)
    officer(world.unit_a, username="no_email")  # no address: skipped
    officer(world.unit_a, username="gone", email="gone@example.gov.vn", is_active=False)
    second = officer(world.unit_a, username="officer_a2", email="a2@example.gov.vn")

    result = send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    assert [m.to for m in mail.outbox] == [
        [world.users["officer"].email],
        [second.email],
    ]
    message = mail.outbox[0]
    assert "2024" in message.subject
    assert "Cụm A" in message.subject
    assert " 7 " in message.subject
    assert "\n" not in message.subject
    assert "Huyện A" in message.body
    assert deadline.strftime("%d/%m/%Y") in message.body
    assert report_url(term, world.unit_a) in message.body
    assert report_url(term, world.unit_a) == (
        f"https://thidua.example.gov.vn/terms/{term.pk}/reports/{world.unit_a.pk}/"
    )
    assert "&amp;" not in message.body


def test_the_reminder_is_in_vietnamese(world, term):
    deadline = _deadline_in(term, 1)
    send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")
    (message,) = mail.outbox
    assert message.subject == "Báo cáo năm 2024 của Cụm A: còn 1 ngày đến hạn nộp"
    assert f"Hạn nộp là ngày {deadline:%d/%m/%Y}." in message.body
    assert "Còn 1 ngày." in message.body
    assert report_url(term, world.unit_a) in message.body


def test_on_the_day_the_reminder_says_today(world, term):
    _deadline_in(term, 0)
    send_report_reminder.enqueue(term.pk, world.unit_a.pk, "due")
    (message,) = mail.outbox
    assert message.subject == "Báo cáo năm 2024 của Cụm A: hôm nay là hạn nộp"
    assert "Hôm nay là ngày cuối cùng để gửi báo cáo." in message.body


def test_the_task_sends_nothing_once_the_report_is_submitted(world, term):
    _deadline_in(term, 1)
    Report.objects.create(term=term, unit=world.unit_a, state=ReportState.SUBMITTED)
    result = send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")
    assert result.return_value == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("state", "days"), [(TermState.SCORING, 1), (TermState.REPORTING, -1)]
)
def test_the_task_sends_nothing_after_reporting_or_the_deadline(
    world, term, state, days
):
    _deadline_in(term, days)
    Term.objects.filter(pk=term.pk).update(state=state)
    result = send_report_reminder.enqueue(term.pk, world.unit_a.pk, "upcoming")
    assert result.return_value == 0
    assert mail.outbox == []


def test_the_command_enqueues_one_task_per_unit_after_commit(
    world, term, django_capture_on_commit_callbacks
):
    deadline = _deadline_in(term, 7)
    Report.objects.create(term=term, unit=world.unit_deputy, state=ReportState.ACCEPTED)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("send_reminders", stdout=out)
    assert len(callbacks) == 2
    # Unit A and the chair have officers with addresses; the deputy submitted.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer_a@example.gov.vn",
        "officer_chair@example.gov.vn",
    ]
    lines = out.getvalue().splitlines()
    assert lines == [
        f"Enqueued: Cụm A 2024 – Huyện A (deadline {deadline:%d/%m/%Y}, 7 day(s) left)",
        f"Enqueued: Cụm A 2024 – Huyện Chủ trì (deadline {deadline:%d/%m/%Y}, "
        "7 day(s) left)",
        f"2 reminder(s) enqueued for {timezone.localdate():%d/%m/%Y}.",
    ]


def test_the_command_sends_nothing_on_other_days(
    term, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("send_reminders", "--date", "2025-01-14", stdout=out)
    assert callbacks == []
    assert mail.outbox == []
    assert out.getvalue().strip() == "0 reminder(s) enqueued for 14/01/2025."


def test_the_command_takes_a_date_and_days(term, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_reminders", "--date", "2025-01-14", "--days-before", "3", stdout=out
        )
    assert "3 reminder(s) enqueued for 14/01/2025." in out.getvalue()


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "14/01/2025")
