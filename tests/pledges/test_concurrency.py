"""No lost updates: two officers save the same version of a report at the
same time from two database connections; one save wins, the other is refused
with StaleReport, and the report holds exactly the winner's data.

Runs only on PostgreSQL: SQLite serialises writers on the whole database, so it
cannot show two transactions racing for one row."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from clusters.models import Term, TermState
from pledges import services
from pledges.models import Report
from tests.pledges.conftest import set_all_targets

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent row locks (run with DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 10


def _lock_waiters():
    """How many other sessions of this database wait for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _race(report_pk, attempts):
    """Run `attempts` ({name: (actor, section, data)}) in one thread each. Both
    load the report's version first; the first to save holds its transaction
    open until the other is seen waiting for the row lock. Returns (outcomes,
    whether the other was seen waiting)."""
    loaded = threading.Barrier(len(attempts))
    saved, release = threading.Event(), threading.Event()
    outcomes = {}

    def attempt(name, actor, section, data):
        try:
            report = Report.objects.get(pk=report_pk)
            loaded.wait(TIMEOUT)
            try:
                with transaction.atomic():
                    services.report_save_section(
                        report=report,
                        actor=actor,
                        version=report.version,
                        section=section,
                        data=data,
                    )
                    outcomes[name] = "saved"
                    saved.set()
                    release.wait(TIMEOUT)
            except Exception as error:  # reported to the test
                outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(name, *args))
        for name, args in attempts.items()
    ]
    for thread in threads:
        thread.start()
    waited = False
    if saved.wait(TIMEOUT):
        deadline = time.monotonic() + TIMEOUT
        while not waited and time.monotonic() < deadline:
            waited = _lock_waiters() > 0
            time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes, waited


@pytest.fixture
def report(world, pledge):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    set_all_targets(pledge, world.users["admin"])
    world.term.refresh_from_db()
    return services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )


@pytest.fixture
def second_officer(world):
    from tests.clusters.factories import officer

    return officer(world.unit_a, username="officer_a2")


def _winner_and_loser(outcomes):
    winners = [name for name, outcome in outcomes.items() if outcome == "saved"]
    losers = [
        name
        for name, outcome in outcomes.items()
        if isinstance(outcome, services.StaleReport)
    ]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    return winners[0], losers[0]


def test_concurrent_saves_of_one_section_keep_exactly_the_winners(
    world, report, second_officer
):
    officer = world.users["officer"]
    outcomes, waited = _race(
        report.pk,
        {
            "first": (officer, "summary", "Bản của cán bộ thứ nhất"),
            "second": (second_officer, "summary", "Bản của cán bộ thứ hai"),
        },
    )
    winner, loser = _winner_and_loser(outcomes)
    assert waited, "the second save did not wait for the first one's row lock"
    final = Report.objects.get(pk=report.pk)
    expected = {"first": "Bản của cán bộ thứ nhất", "second": "Bản của cán bộ thứ hai"}
    assert final.summary == expected[winner]
    assert final.version == report.version + 1
    assert final.updated_by == {"first": officer, "second": second_officer}[winner]
    assert final.history.count() == 2  # created, then the winner's save only
    assert final.updated_by.display_name in outcomes[loser].message


def test_concurrent_saves_of_different_sections_refuse_the_later_one(
    world, pledge, report, second_officer
):
    ct1 = pledge.indicators.get(code="CT1")
    outcomes, waited = _race(
        report.pk,
        {
            "summary": (world.users["officer"], "summary", "Tóm tắt"),
            "indicators": (
                second_officer,
                "indicators",
                {ct1: (Decimal("123.5"), "Ước thực hiện")},
            ),
        },
    )
    winner, _loser = _winner_and_loser(outcomes)
    assert waited, "the second save did not wait for the first one's row lock"
    final = Report.objects.get(pk=report.pk)
    assert final.version == report.version + 1
    if winner == "summary":
        assert (final.summary, final.results.count()) == ("Tóm tắt", 0)
    else:
        assert final.summary == ""
        assert list(final.results.values_list("actual", "note")) == [
            (Decimal("123.5"), "Ước thực hiện")
        ]


def test_the_refused_officer_saves_after_reloading(world, report, second_officer):
    outcomes, _waited = _race(
        report.pk,
        {
            "first": (world.users["officer"], "summary", "A"),
            "second": (second_officer, "summary", "B"),
        },
    )
    _winner_and_loser(outcomes)
    reloaded = Report.objects.get(pk=report.pk)
    saved = services.report_save_section(
        report=reloaded,
        actor=second_officer,
        version=reloaded.version,
        section="summary",
        data="B, sau khi tải lại",
    )
    assert (saved.summary, saved.version) == ("B, sau khi tải lại", report.version + 2)
