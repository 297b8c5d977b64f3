"""Two roll-overs of the same year at once: the term row is locked
first, so the second waits, then finds the year open and is told so; never a
500 and never two terms.

Runs only on PostgreSQL: SQLite serialises writers on the whole database, so it
cannot show two transactions racing for one row (see tests/clusters/
test_finality.py for the race simulated on any database)."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import translation

from clusters import services
from clusters.models import Term
from core.errors import DomainError

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent row locks (run with DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 10


def test_two_rollovers_at_once_open_the_year_once(world):
    start = threading.Barrier(2)
    outcomes = {}

    def attempt(name):
        try:
            with translation.override("en"):
                start.wait(TIMEOUT)
                with transaction.atomic():
                    services.term_open_next_year(
                        term=Term.objects.get(pk=world.term.pk),
                        actor=world.users["admin"],
                        units=[world.unit_a, world.unit_chair, world.unit_deputy],
                        chair=world.unit_deputy,
                        deputy=world.unit_a,
                        reason="Theo thống nhất",
                    )
            outcomes[name] = "opened"
        except Exception as error:  # reported to the test
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(str(o) for o in outcomes.values() if o == "opened") == ["opened"]
    [loser] = [o for o in outcomes.values() if o != "opened"]
    assert isinstance(loser, DomainError), loser
    assert "already" in loser.message
    assert Term.objects.filter(cluster=world.cluster, year=2025).count() == 1
