"""How members' figures add up to a cluster total: a per-unit
percentage is averaged, an indicator without a cluster total shows none, and
every page asks `pledges.totals` (“640” was the total of a % target)."""

from decimal import Decimal

import pytest

from pledges import selectors
from pledges.models import Aggregation, Indicator
from pledges.totals import combine, how_to_total, is_percent
from tests.pledges.conftest import set_all_targets


@pytest.mark.parametrize(
    ("unit", "declared", "expected"),
    [
        ("tỷ đồng", Aggregation.SUM, Aggregation.SUM),
        ("%", Aggregation.SUM, Aggregation.MEAN),
        (" % ", Aggregation.SUM, Aggregation.MEAN),
        ("% kế hoạch", Aggregation.SUM, Aggregation.MEAN),
        ("người", Aggregation.MEAN, Aggregation.MEAN),
        ("%", Aggregation.NONE, Aggregation.NONE),
        ("người", Aggregation.NONE, Aggregation.NONE),
    ],
)
def test_how_to_total_never_sums_a_percentage(unit, declared, expected):
    assert how_to_total(unit, declared) == expected


def test_combine():
    values = [Decimal(80), None, Decimal(90)]
    assert combine(values, Aggregation.SUM) == Decimal(170)
    assert combine(values, Aggregation.MEAN) == Decimal(85)
    assert combine(values, Aggregation.NONE) is None
    assert combine([None], Aggregation.SUM) is None
    assert not is_percent("tỷ đồng")


def test_targets_grid_averages_a_percentage_target(world, pledge):
    Indicator.objects.filter(pledge=pledge, code="CT2").update(unit_of_measure="%")
    set_all_targets(pledge, world.users["admin"], Decimal(80))
    _members, indicators, _targets, totals = selectors.targets_grid(pledge)
    by_code = {i.code: totals[i.pk] for i in indicators}
    assert by_code == {"CT1": Decimal(240), "CT2": Decimal(80)}


def test_cluster_totals_average_a_percentage_and_hide_none(world, pledge):
    Indicator.objects.filter(pledge=pledge, code="CT2").update(unit_of_measure="%")
    set_all_targets(pledge, world.users["admin"], Decimal(80))
    rows = {
        r["indicator"].code: r
        for r in selectors.cluster_totals(world.term, include_drafts=True).rows
    }
    assert rows["CT1"]["plan"] == Decimal(240)
    assert rows["CT2"]["plan"] == Decimal(80)
    assert rows["CT2"]["show_total"] is True
    Indicator.objects.filter(pledge=pledge, code="CT2").update(
        aggregation=Aggregation.NONE
    )
    rows = {
        r["indicator"].code: r
        for r in selectors.cluster_totals(world.term, include_drafts=True).rows
    }
    assert rows["CT2"]["show_total"] is False
