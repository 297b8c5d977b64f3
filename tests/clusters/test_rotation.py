"""Property-based tests of the rotation invariants."""

import datetime
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from clusters.models import RotationPolicy
from clusters.rotation import carried_members, preview, propose, resolve


@dataclass(eq=False)
class FakeUnit:
    pk: int
    name: str
    valid_to: datetime.date | None = None
    successor: "FakeUnit | None" = None

    def is_active_on(self, day):
        return self.valid_to is None or self.valid_to >= day


def units(n):
    return [FakeUnit(pk=i, name=f"Unit {i:02d}") for i in range(n)]


policies = st.sampled_from([RotationPolicy.DEPUTY_SUCCEEDS, RotationPolicy.ORDERED])


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 12), policy=policies, data=st.data())
def test_every_member_chairs_once_per_full_cycle(n, policy, data):
    members = units(n)
    order = data.draw(st.permutations(members))
    plans = preview(
        policy=policy,
        order=order,
        members=members,
        history=[],
        first_year=2025,
        years=3 * n,
    )
    chairs = [p.chair.pk for p in plans]
    for start in range(len(chairs) - n + 1):
        assert sorted(chairs[start : start + n]) == list(range(n))
    for previous, plan in zip(plans, plans[1:], strict=False):
        assert plan.chair.pk != previous.chair.pk
    assert all(p.deputy is not None and p.deputy.pk != p.chair.pk for p in plans)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(3, 10), policy=policies, data=st.data())
def test_departed_units_are_skipped_and_merged_units_succeeded(n, policy, data):
    members = units(n)
    order = data.draw(st.permutations(members))
    gone = data.draw(st.sampled_from(members))
    gone.valid_to = datetime.date(2026, 6, 30)
    merged = data.draw(st.sampled_from([u for u in members if u is not gone]))
    heir = FakeUnit(pk=100, name="Heir")
    merged.valid_to = datetime.date(2027, 6, 30)
    merged.successor = heir
    plans = preview(
        policy=policy,
        order=order,
        members=members,
        history=[],
        first_year=2025,
        years=2 * n,
    )
    for plan in plans:
        day = datetime.date(plan.year, 1, 1)
        for unit in (plan.chair, plan.deputy):
            assert unit.is_active_on(day)
        assert plan.chair.pk != plan.deputy.pk
        if plan.year >= 2027:
            assert gone.pk not in (plan.chair.pk, plan.deputy.pk)
        if plan.year >= 2028:
            assert merged.pk not in (plan.chair.pk, plan.deputy.pk)
    later = [p.chair.pk for p in plans if p.year >= 2028]
    assert heir.pk in later


def test_deputy_succeeds_the_chair():
    a, b, c, d = units(4)
    plan = propose(
        policy=RotationPolicy.DEPUTY_SUCCEEDS,
        order=[a, b, c, d],
        members=[a, b, c, d],
        history=[(2024, a, c)],
        year=2025,
    )
    assert (plan.chair, plan.deputy) == (c, d)


def test_ordered_ignores_the_deputy():
    a, b, c, d = units(4)
    plan = propose(
        policy=RotationPolicy.ORDERED,
        order=[a, b, c, d],
        members=[a, b, c, d],
        history=[(2024, a, c)],
        year=2025,
    )
    assert (plan.chair, plan.deputy) == (b, c)


def test_only_member_chairs_again_without_deputy():
    (a,) = units(1)
    plan = propose(
        policy=RotationPolicy.ORDERED,
        order=[a],
        members=[a],
        history=[(2024, a, None)],
        year=2025,
    )
    assert (plan.chair, plan.deputy) == (a, None)


def test_elected_and_appointed_predict_nothing():
    a, b = units(2)
    for policy in (RotationPolicy.ELECTED, RotationPolicy.APPOINTED):
        plan = propose(
            policy=policy, order=[a, b], members=[a, b], history=[], year=2025
        )
        assert (plan.chair, plan.deputy, plan.predicted) == (None, None, False)


def test_carried_members_replace_merged_units():
    a, b, c = units(3)
    heir = FakeUnit(pk=9, name="Heir")
    b.valid_to, b.successor = datetime.date(2025, 6, 30), heir
    c.valid_to = datetime.date(2025, 6, 30)
    kept, removed, added = carried_members([a, b, c], 2026)
    assert (kept, removed, added) == ([a], [b, c], [heir])


def test_resolve_survives_successor_cycles():
    a, b = units(2)
    a.valid_to = b.valid_to = datetime.date(2020, 1, 1)
    a.successor, b.successor = b, a
    assert resolve(a, datetime.date(2025, 1, 1)) is None
