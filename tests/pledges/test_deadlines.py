"""The one report deadline rule (pledges.deadlines) and its users: the
submission service and the report list agree on the same dates."""

import datetime

import pytest

from pledges.deadlines import is_late, is_overdue, last_day_to_submit, may_submit

DEADLINE = datetime.date(2024, 12, 15)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("deadline", "extended", "last"),
    [
        (None, None, None),
        (DEADLINE, None, DEADLINE),
        (DEADLINE, DEADLINE + 5 * DAY, DEADLINE + 5 * DAY),
        (DEADLINE, DEADLINE - DAY, DEADLINE),  # an older extension never shortens
        (None, DEADLINE, DEADLINE),
    ],
)
def test_last_day_to_submit_is_the_deadline_or_a_later_extension(
    deadline, extended, last
):
    assert last_day_to_submit(deadline, extended) == last


def test_a_unit_may_submit_until_the_end_of_its_last_day():
    assert may_submit(DEADLINE, None, DEADLINE)
    assert not may_submit(DEADLINE, None, DEADLINE + DAY)
    assert may_submit(DEADLINE, DEADLINE + 2 * DAY, DEADLINE + 2 * DAY)
    assert not may_submit(DEADLINE, DEADLINE + 2 * DAY, DEADLINE + 3 * DAY)
    assert may_submit(None, None, datetime.date(2099, 1, 1))


def test_an_extension_lets_a_unit_submit_but_the_report_is_still_late():
    today = DEADLINE + DAY
    assert may_submit(DEADLINE, DEADLINE + 3 * DAY, today)
    assert is_late(DEADLINE, today)
    assert not is_late(DEADLINE, DEADLINE)
    assert not is_late(None, today)


def test_overdue_is_the_day_after_the_last_day_to_submit():
    assert not is_overdue(DEADLINE, None, DEADLINE)
    assert is_overdue(DEADLINE, None, DEADLINE + DAY)
    assert not is_overdue(DEADLINE, DEADLINE + DAY, DEADLINE + DAY)
    assert not is_overdue(None, None, DEADLINE)
