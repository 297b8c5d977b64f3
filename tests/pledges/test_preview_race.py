"""An htmx preview of the report entry page (the points of a value being
typed) racing a save of the same report.

The preview must write nothing and open no transaction: on SQLite a write
would wait for, or fail against, the save's write lock ("database is locked"),
and on the live server of the browser tests, whose request threads share one
in-memory SQLite connection, a preview's savepoint would land inside the
save's transaction (and be lost with it). The test holds a save open inside
its transaction, runs a preview meanwhile — posting the form's one-time token
as htmx does — and checks the statements the preview ran; then the save
finishes and its value is kept. On SQLite the two threads share the test's
connection, as Django's live server shares it; elsewhere each has its own."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from clusters.idempotency import new_token
from clusters.models import Term, TermState
from pledges import services
from pledges.models import IndicatorResult
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 20
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "BEGIN")


def _shared():
    """Whether the threads share the test's connection: SQLite in memory, as
    Django's live server shares it with its request threads."""
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _in_thread(target, outcome, name):
    """Run `target` in a thread on the test's connection (`_shared`) or on
    its own one, keeping its result or exception in `outcome[name]`."""
    shared = connections["default"] if _shared() else None

    def run():
        if shared is not None:
            connections["default"] = shared
        try:
            outcome[name] = target()
        except Exception as error:  # reported to the test
            outcome[name] = error
        finally:
            if shared is None:
                connections["default"].close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_preview_during_a_save_writes_nothing_and_the_save_is_kept(
    world, pledge, monkeypatch
):
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    ct1 = pledge.indicators.get(code="CT1")
    ct2 = pledge.indicators.get(code="CT2")
    officer = world.users["officer"]
    saver, previewer = Client(), Client()
    saver.force_login(officer)
    previewer.force_login(officer)
    # The officer has the page open (its load renewed the session's idle
    # timeout just now, so a preview need not renew it).
    assert (
        previewer.get(
            reverse("report_edit", args=[world.term.pk, world.unit_a.pk])
        ).status_code
        == 200
    )
    token = new_token()
    inside, release = threading.Event(), threading.Event()
    real_save = services.report_save_section

    def held_save(**kwargs):
        report = real_save(**kwargs)
        inside.set()  # the view's transaction is still open
        release.wait(TIMEOUT)
        return report

    monkeypatch.setattr(services, "report_save_section", held_save)
    edit = reverse("report_edit", args=[world.term.pk, world.unit_a.pk])
    preview = reverse("report_preview", args=[world.term.pk, world.unit_a.pk])
    outcome, statements = {}, []

    def spy(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def run_preview():
        with connections["default"].execute_wrapper(spy):
            return previewer.post(
                preview,
                {
                    "indicator": ct1.pk,
                    f"actual_{ct1.pk}": "120",
                    "section": "indicators",
                    "version": 1,
                    "form_token": token,
                },
                headers={"HX-Request": "true"},
            )

    if _shared():
        connection.inc_thread_sharing()
    try:
        saving = _in_thread(
            lambda: saver.post(
                edit,
                {
                    "section": "indicators",
                    "version": 1,
                    f"actual_{ct1.pk}": "110",
                    f"note_{ct1.pk}": "",
                    f"actual_{ct2.pk}": "90",
                    f"note_{ct2.pk}": "",
                    "form_token": token,
                },
            ),
            outcome,
            "save",
        )
        assert inside.wait(TIMEOUT), outcome.get("save")
        previewing = _in_thread(run_preview, outcome, "preview")
        previewing.join(TIMEOUT)
        preview_finished = not previewing.is_alive()
        release.set()
        saving.join(TIMEOUT)
        previewing.join(TIMEOUT)
    finally:
        release.set()
        if _shared():
            connection.dec_thread_sharing()

    assert preview_finished, "the preview waited for the save"
    assert not isinstance(outcome["preview"], Exception), outcome["preview"]
    assert outcome["preview"].status_code == 200
    writes = [
        sql for sql in statements if sql.lstrip().split(None, 1)[0].upper() in WRITES
    ]
    assert writes == [], "the preview wrote or opened a transaction"
    assert not isinstance(outcome["save"], Exception), outcome["save"]
    assert outcome["save"].status_code == 302
    saved = IndicatorResult.objects.get(report__unit=world.unit_a, indicator=ct1)
    assert saved.actual == Decimal(110)


def test_previews_keep_an_officer_who_types_for_long_signed_in(
    world, pledge, monkeypatch, settings
):
    """Previews renew the idle timeout, at most once a quarter of it: an
    officer typing for longer than the timeout without saving stays signed in."""
    from core import middleware

    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    ct1 = pledge.indicators.get(code="CT1")
    client = Client()
    client.force_login(world.users["officer"])
    edit = reverse("report_edit", args=[world.term.pk, world.unit_a.pk])
    preview = reverse("report_preview", args=[world.term.pk, world.unit_a.pk])
    now = [time.time()]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    assert client.get(edit).status_code == 200
    key = client.session.session_key

    def renewed_at():
        from django.contrib.sessions.models import Session

        return Session.objects.get(session_key=key).expire_date

    first = renewed_at()
    data = {"indicator": ct1.pk, f"actual_{ct1.pk}": "120", "section": "indicators"}
    now[0] += 60  # a minute of typing: no write
    assert client.post(preview, data, headers={"HX-Request": "true"}).status_code == 200
    assert renewed_at() == first
    now[0] += settings.SESSION_COOKIE_AGE / 2  # long enough: renewed
    assert client.post(preview, data, headers={"HX-Request": "true"}).status_code == 200
    assert renewed_at() > first
