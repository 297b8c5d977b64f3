from decimal import Decimal

import pytest

from pledges.scoring import achievement, points_for


@pytest.mark.parametrize(
    ("rule", "params", "achieved", "points"),
    [
        ("proportional", {"cap": 100, "floor": 50}, Decimal(80), Decimal("8.00")),
        ("proportional", {"cap": 100, "floor": 50}, Decimal(130), Decimal("10.00")),
        ("proportional", {"cap": 100, "floor": 50}, Decimal(49), Decimal("0.00")),
        ("proportional", {"cap": 120, "floor": 50}, Decimal(110), Decimal("10.00")),
        ("threshold", {}, Decimal(100), Decimal("10.00")),
        ("threshold", {}, Decimal("99.99"), Decimal("0.00")),
        ("bands", {"bands": [[100, 100], [90, 80]]}, Decimal(95), Decimal("8.00")),
        ("bands", {"bands": [[100, 100], [90, 80]]}, Decimal(89), Decimal("0.00")),
        ("bands", {"bands": [[90, 80], [100, 100]]}, Decimal(101), Decimal("10.00")),
    ],
)
def test_points_for_each_rule(rule, params, achieved, points):
    assert points_for(rule, params, Decimal(10), achieved) == points


def test_achievement_by_direction():
    assert achievement("higher", Decimal(200), Decimal(210)) == Decimal(105)
    assert achievement("lower", Decimal(5), Decimal(4)) == Decimal(125)
    assert achievement("lower", Decimal(5), Decimal(0)) == Decimal("Infinity")
    assert achievement("higher", Decimal(0), Decimal(3)) is None
    assert achievement("higher", None, Decimal(3)) is None
    assert points_for("proportional", {}, Decimal(10), None) is None
