"""Plausibility warnings of reported values (pledges.plausibility): table-driven,
in Vietnamese as the officer reads them."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from pledges.models import Direction
from pledges.plausibility import (
    ACHIEVEMENT,
    LAST_YEAR,
    SEPARATOR,
    value_warnings,
)

H, L = Direction.HIGHER, Direction.LOWER

# (direction, plan, last year's actual, value, expected codes)
CASES = [
    # on plan, near last year: nothing to say
    (H, D(58000), D(55000), D(60000), []),
    (H, D(100), None, D(300), []),  # exactly 300 % is still plausible
    (H, D(100), None, D(10), []),  # exactly 10 % too
    (H, D(100), None, D("300.1"), [ACHIEVEMENT]),
    (H, D(100), None, D("9.9"), [ACHIEVEMENT]),
    # a thousands separator typed by mistake, both ways
    (H, D(58000), D(55000), D(12345678), [ACHIEVEMENT, SEPARATOR, LAST_YEAR]),
    (H, D(58000), None, D(58), [ACHIEVEMENT, SEPARATOR]),
    # far off, but not a separator slip
    (H, D(100), None, D(5000), [ACHIEVEMENT]),
    # lower is better: achievement is plan / value
    (L, D(20), None, D(5), [ACHIEVEMENT]),  # 20 / 5 = 400 % of plan
    (L, D(20), None, D(100), []),  # 20 % of plan
    (L, D(20), None, D(250), [ACHIEVEMENT]),  # 8 % of plan
    (L, D(20), None, D(0), []),  # a perfect 0 is plausible
    # last year's actual
    (H, None, D(100), D(1000), [LAST_YEAR]),
    (H, None, D(100), D(999), []),
    (H, None, D(100), D(10), [LAST_YEAR]),
    (H, None, D(100), D(11), []),
    (H, None, D(0), D(5), []),  # nothing to compare with
    # nothing typed, nothing planned
    (H, D(100), D(100), None, []),
    (H, None, None, D(5), []),
    (H, D(0), None, D(5), []),  # a plan of 0 gives no achievement
]


@pytest.mark.parametrize(("direction", "plan", "last", "value", "codes"), CASES)
def test_warnings_by_case(direction, plan, last, value, codes):
    found = value_warnings(
        direction=direction, planned=plan, last_actual=last, actual=value
    )
    assert [w.code for w in found] == codes


MESSAGES = [
    (
        H,
        D(58000),
        D(55000),
        D(12345678),
        [
            "Kiểm tra lại: đạt 21.285,7 % kế hoạch?",
            "Có phải là 12.345,678? Dấu chấm ngăn cách hàng nghìn, dấu phẩy "
            "ngăn cách phần thập phân: 1.234,5.",
            "Kiểm tra lại: gấp 224,5 lần thực hiện năm trước (55.000)?",
        ],
    ),
    (
        H,
        None,
        D(2000),
        D(150),
        ["Kiểm tra lại: chỉ bằng 7,5 % thực hiện năm trước (2.000)?"],
    ),
    (L, D(20), None, D(250), ["Kiểm tra lại: đạt 8 % kế hoạch?"]),
]


@pytest.mark.parametrize(("direction", "plan", "last", "value", "messages"), MESSAGES)
def test_messages_are_vietnamese_with_vietnamese_numbers(
    direction, plan, last, value, messages
):
    with translation.override("vi"):
        found = value_warnings(
            direction=direction, planned=plan, last_actual=last, actual=value
        )
        assert [w.message for w in found] == messages
