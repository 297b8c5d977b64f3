"""The session's demo database (tests.conftest.demo_db): loaded once, seen only by
the tests that ask for it, whole again for each of them."""

import pytest

from clusters.models import Authority, Unit, User

# One worker runs these in this order, so each test also checks what the one
# before it left behind.
pytestmark = pytest.mark.xdist_group("demo_db")

DEMO_UNITS = 8 + 6
DEMO_USERS = 10 + 6


def test_demo_db_holds_the_demo(demo_db, db):
    assert Unit.objects.count() == DEMO_UNITS
    assert Authority.objects.count() == 1
    assert User.objects.count() == DEMO_USERS
    Authority.objects.update(name="changed")
    User.objects.update(is_active=False)


def test_demo_db_is_whole_again_after_a_rolled_back_change(demo_db, db):
    assert not Authority.objects.filter(name="changed").exists()
    assert User.objects.filter(is_active=True).count() == DEMO_USERS


def test_tests_without_demo_db_do_not_see_the_demo(db):
    assert Authority.objects.count() == 0
    assert Unit.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_demo_db_survives_a_committed_change(demo_db):
    assert Unit.objects.count() == DEMO_UNITS
    Authority.objects.update(name="changed")
    User.objects.update(is_active=False)


def test_demo_db_is_whole_again_after_a_committed_change(demo_db, db):
    assert Unit.objects.count() == DEMO_UNITS
    assert not Authority.objects.filter(name="changed").exists()
    assert User.objects.filter(is_active=True).count() == DEMO_USERS
    assert User.objects.count() == DEMO_USERS


def test_tests_without_demo_db_do_not_see_it_after_a_committed_change(db):
    assert Unit.objects.count() == 0
