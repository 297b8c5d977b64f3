"""Totals, bands and ranks, including property-based checks."""

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges.ranking import Line, Lines, band_of, rank, standing

pytestmark = pytest.mark.usefixtures("english")


@dataclass
class U:
    name: str


def lines(*points, maxes=None):
    maxes = maxes or [Decimal(25)] * len(points)
    return [
        Line(f"C{i}", "assessed", Decimal(m), None if p is None else Decimal(p))
        for i, (p, m) in enumerate(zip(points, maxes, strict=True))
    ]


STRICT = [
    ("excellent", Decimal(90), Decimal(85)),
    ("good", Decimal(80), Decimal(80)),
    ("complete", Decimal(70), Decimal(70)),
]


def test_bands_with_a_criterion_minimum_need_total_and_every_criterion():
    assert band_of(Decimal(92), 100, lines(23, 23, 23, 23), STRICT) == "excellent"
    # 92 in total but one criterion at 80 % of its max: only good.
    assert band_of(Decimal(92), 100, lines(25, 25, 22, 20), STRICT) == "good"
    assert band_of(Decimal(75), 100, lines(19, 19, 19, 18), STRICT) == "complete"
    assert band_of(Decimal(69), 100, lines(18, 17, 17, 17), STRICT) == "not_complete"


def test_default_bands_read_the_total_only():
    # 951,32 of 1.000 with one criterion at 50 % is excellent by
    # the default table (no minimum per criterion).
    half = lines(125, 250, 250, 250, maxes=[250, 250, 250, 250])
    assert band_of(Decimal("951.32"), 1000, half) == "excellent"
    assert band_of(Decimal("899.99"), 1000, half) == "good"
    assert band_of(Decimal(800), 1000, half) == "good"
    assert band_of(Decimal("699.99"), 1000, half) == "not_complete"


def test_a_band_minimum_applies_only_to_its_band():
    table = [
        ("excellent", Decimal(90), Decimal(60)),
        ("good", Decimal(80), None),
        ("complete", Decimal(70), None),
    ]
    assert band_of(Decimal(95), 100, lines(25, 25, 25, 14), table) == "good"
    assert band_of(Decimal(95), 100, lines(25, 25, 25, 15), table) == "excellent"


def test_bonus_and_deduction_are_capped():
    extra = [
        Line("B", "bonus", Decimal(10), Decimal(8)),
        Line("D", "deduction", Decimal(10), Decimal(7)),
    ]
    s = standing(
        U("A"), lines(20, 20, 20, 20) + extra, scale=100, bonus_cap=5, deduction_cap=5
    )
    assert (s.bonus, s.deduction, s.total) == (Decimal(5), Decimal(5), Decimal(80))


def _two(name, indicator, assessed):
    return standing(
        U(name),
        [
            Line("I", "indicator", Decimal(50), Decimal(indicator)),
            Line("X", "assessed", Decimal(50), Decimal(assessed)),
        ],
        scale=100,
        bonus_cap=5,
        deduction_cap=5,
    )


def test_ties_broken_by_indicator_points_then_shared():
    ordered = rank([_two("C", 40, 40), _two("B", 40, 40), _two("A", 45, 35)])
    assert [(s.unit.name, s.rank, s.shared) for s in ordered] == [
        ("A", 1, False),
        ("B", 2, True),
        ("C", 2, True),
    ]
    assert "indicator" in ordered[0].tie_note
    assert "shared" in ordered[1].tie_note


def test_full_criteria_break_a_tie_of_indicator_points():
    ordered = rank([_two("B", 40, 40), _two("A", 50, 30)])
    assert [s.unit.name for s in ordered] == ["A", "B"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 25), min_size=4, max_size=4), min_size=1, max_size=12
    )
)
def test_ranks_follow_totals_and_start_at_one(points):
    standings = [
        standing(U(f"U{i:02d}"), lines(*p), scale=100, bonus_cap=5, deduction_cap=5)
        for i, p in enumerate(points)
    ]
    ordered = rank(standings)
    assert ordered[0].rank == 1
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.total >= after.total
        assert after.rank >= before.rank
        assert (after.rank == before.rank) == after.shared or after.rank > before.rank
    assert all(1 <= s.rank <= len(ordered) for s in ordered)


def test_pickled_standings_share_only_the_very_same_heads():
    """Members whose lines hold the same objects pickle one tuple of them;
    equal maxima written differently (10 and 10.00) stay as written."""
    import pickle

    ten, ten_cents = Decimal(10), Decimal("10.00")
    shared = [Line("I.1", "assessed", ten, Decimal(5)) for _ in range(2)]
    members = [
        standing(U(name), [line], scale=100, bonus_cap=5, deduction_cap=5)
        for name, line in zip("AB", shared, strict=True)
    ]
    members.append(
        standing(
            U("C"),
            [Line("I.1", "assessed", ten_cents, Decimal(5))],
            scale=100,
            bonus_cap=5,
            deduction_cap=5,
        )
    )
    blob = pickle.dumps(members, pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(blob)  # noqa: S301
    assert [str(s.lines[0].max_points) for s in back] == ["10", "10", "10.00"]
    assert back == members
    from pledges.ranking import _heads

    first = _heads(members[0].lines)
    assert _heads(members[1].lines) is first
    assert _heads(members[2].lines) is not first


def test_lines_held_as_tuples_read_and_add_up_as_a_list_of_lines():
    """`Lines` (how computed standings hold their lines) is read as the list
    of the same `Line`s would be, and adds up to the same standing."""
    listed = [*lines("20.25", None, "3E+1"), Line("late", "deduction", 2, 2)]
    held = Lines.of(listed)
    assert held == listed
    assert listed == held
    assert list(held) == listed
    assert len(held) == 4
    assert held[1] == listed[1]
    assert held[-1] == listed[-1]
    assert held[1:3] == listed[1:3]
    assert held != listed[:3]
    options = {"scale": 100, "bonus_cap": 5, "deduction_cap": 5, "bands": STRICT}
    assert standing(U("A"), held, **options) == standing(U("A"), listed, **options)
    assert band_of(Decimal(70), 100, held, STRICT) == band_of(
        Decimal(70), 100, listed, STRICT
    )


def test_a_pickled_standing_comes_back_equal_line_by_line():
    import pickle

    late = Line("late report", "deduction", Decimal("1.5"), Decimal("1.5"))
    first = standing(
        U("A"),
        [*lines("20.25", None, "3E+1", "0.00"), late],
        scale=100,
        bonus_cap=5,
        deduction_cap=5,
    )
    second = standing(U("B"), [], scale=100, bonus_cap=5, deduction_cap=5)
    first.tie_note, first.rank, first.shared = "note", 2, True
    back = pickle.loads(pickle.dumps([first, second]))  # noqa: S301
    assert back == [first, second]
    assert [str(line.points) for line in back[0].lines] == [
        "20.25",
        "None",
        "3E+1",
        "0.00",
        "1.5",
    ]


POINTS = (
    st.none()
    | st.sampled_from(
        [Decimal("0.00"), Decimal("-0.00"), Decimal(0), Decimal("1E+1"), Decimal("2.5")]
    )
    | st.decimals(min_value=-500, max_value=500, places=2)
    | st.decimals(min_value=0, max_value=50, places=0)
)
LINES = st.lists(
    st.tuples(
        st.sampled_from(["indicator", "assessed", "bonus", "deduction"]),
        st.sampled_from([Decimal(0), Decimal(10), Decimal("12.50"), Decimal(40)]),
        POINTS,
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(
    rows=LINES,
    caps=st.tuples(
        st.sampled_from([0, 5, Decimal("7.50"), 100]),
        st.sampled_from([0, 5, Decimal("7.50"), 100]),
    ),
)
def test_standing_adds_up_exactly_as_the_plain_sums(rows, caps):
    """One pass over the lines gives every total the digits and exponent of the
    stated sums (`tests.pledges.standings_reference`), zeros and None included."""
    from tests.pledges.standings_reference import canonical, reference_standing

    lines = [
        Line(f"C{n}", kind, maximum, points)
        for n, (kind, maximum, points) in enumerate(rows)
    ]
    unit = SimpleNamespace(pk=1, name="A")
    options = {"scale": 100, "bonus_cap": caps[0], "deduction_cap": caps[1]}
    got = standing(unit, lines, **options)
    want = reference_standing(unit, lines, **options)
    assert canonical([got]) == canonical([want])
