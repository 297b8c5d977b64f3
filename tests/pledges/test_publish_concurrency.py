"""Two province staff publishing one ranking at once (or a double click): the
term row is locked first, so one publication wins and the other is refused
with the time of the first; exactly one snapshot exists.

Runs only on PostgreSQL: SQLite serialises writers on the whole database, so it
cannot show two transactions racing for one row."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import translation

from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import services
from pledges.models import RankingSnapshot, Report, ReportState
from tests.pledges.test_concurrency import TIMEOUT, _lock_waiters

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent row locks (run with DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(term_pk, actors, **kwargs):
    """Each actor publishes in its own thread and connection; the first to
    publish keeps its transaction open until the other waits for the lock."""
    ready = threading.Barrier(len(actors))
    published, release = threading.Event(), threading.Event()
    outcomes = {}

    def attempt(name, actor):
        try:
            term = Term.objects.get(pk=term_pk)
            ready.wait(TIMEOUT)
            try:
                with translation.override("en"), transaction.atomic():
                    services.ranking_publish(term=term, actor=actor, **kwargs)
                    outcomes[name] = "published"
                    published.set()
                    release.wait(TIMEOUT)
            except DomainError as error:
                outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(name, actor))
        for name, actor in actors.items()
    ]
    for thread in threads:
        thread.start()
    waited = False
    if published.wait(TIMEOUT):
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
def publishable(world, pledge):
    from tests.pledges.conftest import set_all_targets

    set_all_targets(pledge, world.users["admin"])
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        Report.objects.create(term=world.term, unit=unit, state=ReportState.ACCEPTED)
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPLY, reply_deadline=datetime.date(2025, 1, 10)
    )
    return world.term


def test_two_staff_publishing_at_once_make_one_snapshot(world, publishable):
    outcomes, waited = _race(
        publishable.pk,
        {"staff": world.users["staff"], "admin": world.users["admin"]},
        expected=0,
    )
    winners = [name for name, outcome in outcomes.items() if outcome == "published"]
    losers = [o for o in outcomes.values() if isinstance(o, DomainError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert waited, "the second publication did not wait for the term's row lock"
    assert "The ranking was published at" in losers[0].message
    assert RankingSnapshot.objects.filter(term=publishable).count() == 1
    assert Term.objects.get(pk=publishable.pk).state == TermState.RANKED


def test_a_double_click_on_a_correction_adds_one_snapshot(world, publishable):
    from tests.pledges.conftest import publish_ranking

    publish_ranking(publishable, world.users["staff"])
    Report.objects.filter(term=publishable, unit=world.unit_a).update(late=True)
    outcomes, _waited = _race(
        publishable.pk,
        {"first": world.users["staff"], "second": world.users["staff"]},
        reason="Đính chính: báo cáo nộp muộn",
        expected=1,
    )
    kinds = sorted(o if o == "published" else "refused" for o in outcomes.values())
    assert kinds == ["published", "refused"], outcomes
    assert RankingSnapshot.objects.filter(term=publishable).count() == 2
