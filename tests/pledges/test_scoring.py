from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges.scoring import (
    achievement,
    criterion_points,
    meets_plan,
    points_for,
)


@pytest.mark.parametrize(
    ("rule", "params", "achieved", "points"),
    [
        ("proportional", {"cap": 100, "floor": 50}, Decimal(80), Decimal("8.00")),
        ("proportional", {"cap": 100, "floor": 50}, Decimal(130), Decimal("10.00")),
        ("proportional", {"cap": 100, "floor": 50}, Decimal(49), Decimal("0.00")),
        ("proportional", {"cap": 120, "floor": 50}, Decimal(110), Decimal("11.00")),
        ("proportional", {"cap": 120, "floor": 50}, Decimal(150), Decimal("12.00")),
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


def test_lower_is_better_exactly_on_plan_is_met():
    assert achievement("lower", Decimal("1.555"), Decimal("1.555")) == Decimal(100)
    assert meets_plan("lower", Decimal("1.673"), Decimal("1.555")) is True
    assert meets_plan("lower", Decimal("1.555"), Decimal("1.555")) is True
    assert meets_plan("lower", Decimal("1.555"), Decimal("1.556")) is False
    assert meets_plan("higher", Decimal(100), Decimal(100)) is True
    assert meets_plan("higher", Decimal(100), Decimal("99.99")) is False
    assert meets_plan("higher", None, Decimal(1)) is None


def test_over_achievement_stops_at_the_criterion_maximum():
    # Two indicators of 5 points each, cap 120 %: one at 120 % earns 6, the
    # other at 100 % earns 5; the criterion keeps its max of 10.
    parts = [
        points_for("proportional", {"cap": 120}, Decimal(5), Decimal(120)),
        points_for("proportional", {"cap": 120}, Decimal(5), Decimal(100)),
    ]
    assert parts == [Decimal("6.00"), Decimal("5.00")]
    assert criterion_points(Decimal(10), parts) == Decimal(10)
    # …while over-achievement makes up for a weaker indicator within the max.
    parts[1] = points_for("proportional", {"cap": 120}, Decimal(5), Decimal(90))
    assert criterion_points(Decimal(10), parts) == Decimal("10.00")
    parts[1] = points_for("proportional", {"cap": 120}, Decimal(5), Decimal(70))
    assert criterion_points(Decimal(10), parts) == Decimal("9.50")


percents = st.decimals(
    min_value=0, max_value=400, places=2, allow_nan=False, allow_infinity=False
)
shares = st.decimals(min_value="0.01", max_value=500, places=2)


@settings(max_examples=200, deadline=None)
@given(share=shares, cap=st.sampled_from([100, 110, 120, 150]), a=percents, b=percents)
def test_proportional_points_follow_the_stated_rule(share, cap, a, b):
    """share × min(a, cap) / 100, 0 below the floor, monotone in achievement,
    never above share × cap / 100 and exactly the share at 100 %."""
    params = {"cap": cap, "floor": 50}
    points = points_for("proportional", params, share, a)
    expected = Decimal(0) if a < 50 else share * min(a, Decimal(cap)) / 100
    assert points == expected.quantize(Decimal("0.01"))
    assert points <= (share * cap / 100).quantize(Decimal("0.01"))
    low, high = sorted((a, b))
    assert points_for("proportional", params, share, low) <= points_for(
        "proportional", params, share, high
    )
    assert points_for("proportional", params, share, Decimal(100)) == share


@settings(max_examples=200, deadline=None)
@given(
    maximum=st.integers(1, 500),
    count=st.integers(1, 6),
    achieved=st.lists(percents, min_size=6, max_size=6),
    cap=st.sampled_from([100, 120]),
)
def test_a_criterion_never_exceeds_its_maximum(maximum, count, achieved, cap):
    share = Decimal(maximum) / count
    parts = [
        points_for("proportional", {"cap": cap}, share, a) for a in achieved[:count]
    ]
    total = criterion_points(Decimal(maximum), parts)
    assert 0 <= total <= maximum
    assert total == min(sum(parts, Decimal(0)), Decimal(maximum))
    if cap == 100:
        assert all(p <= share.quantize(Decimal("0.01")) for p in parts)


@settings(max_examples=200, deadline=None)
@given(
    planned=st.decimals(min_value="0.01", max_value=10**6, places=3),
    actual=st.decimals(min_value="0.01", max_value=10**6, places=3),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_achievement_and_meets_plan_agree(planned, actual, direction):
    achieved = achievement(direction, planned, actual)
    assert (achieved >= 100) == meets_plan(direction, planned, actual)
    better = actual < planned if direction == "lower" else actual > planned
    assert (achieved > 100) == better


RULES = [
    ("proportional", {"cap": 120, "floor": 50}),
    ("threshold", {}),
    ("bands", {"bands": [[100, 100], [90, 80]]}),
    ("growth", {"full": 10}),
]
AMOUNTS = st.none() | st.decimals(min_value=0, max_value=10**6, places=2)


@settings(max_examples=300, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    direction=st.sampled_from(["higher", "lower"]),
    share=st.decimals(min_value=0, max_value=50, places=4),
    planned=AMOUNTS,
    actual=AMOUNTS,
    last=AMOUNTS,
)
def test_the_prepared_scorer_gives_exactly_the_points_of_indicator_points(
    rule, direction, share, planned, actual, last
):
    from types import SimpleNamespace

    from pledges.scoring import indicator_points, indicator_scorer

    indicator = SimpleNamespace(rule=rule[0], params=rule[1], direction=direction)
    expected = indicator_points(indicator, share, planned, actual, last)[1]
    got = indicator_scorer(indicator, share)(planned, actual, last)
    assert str(got) == str(expected)


@settings(max_examples=500, deadline=None)
@given(cents=st.integers(-(10**9), 10**9), count=st.integers(1, 200))
def test_the_mean_of_peer_scores_in_whole_cents_equals_the_decimal_division(
    cents, count
):
    from pledges.standings.compute import peer_mean

    expected = (Decimal(cents) / 100 / count).quantize(Decimal("0.01"))
    assert str(peer_mean(cents, count)) == str(expected)
