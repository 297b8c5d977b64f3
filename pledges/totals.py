"""How the members' figures of one indicator (or campaign figure) add up to a
cluster total — the one place that decides it.

A per-unit share (“%”, or an indicator whose cluster total is the mean or none)
is averaged or not totalled, never summed: eight members at 98 % make 98 %, not
783 %. Every page, workbook and document that shows a total of members' figures
asks `how_to_total` and `combine`."""

from decimal import Decimal

from .models import Aggregation

PERCENT_UNITS = {"%", "phần trăm", "percent", "tỷ lệ %", "tỉ lệ %"}


def is_percent(unit_of_measure):
    """Whether `unit_of_measure` is a percentage (“%”, “% of plan”…)."""
    text = (unit_of_measure or "").strip().casefold()
    return text in PERCENT_UNITS or text.startswith("%")


def how_to_total(unit_of_measure, aggregation=Aggregation.SUM):
    """`Aggregation.SUM`, `MEAN` or `NONE` for figures in `unit_of_measure`
    whose declared cluster total is `aggregation`: a declared mean or none
    stands; a sum of percentages becomes a mean."""
    if aggregation in (Aggregation.MEAN, Aggregation.NONE):
        return Aggregation(aggregation)
    if is_percent(unit_of_measure):
        return Aggregation.MEAN
    return Aggregation.SUM


def indicator_total(indicator):
    """`how_to_total` for an Indicator."""
    return how_to_total(indicator.unit_of_measure, indicator.aggregation)


def combine(values, how):
    """The cluster total of `values` (None ignored) under `how`, or None when
    there is none (no value, or `Aggregation.NONE`)."""
    values = [v for v in values if v is not None]
    if not values or how == Aggregation.NONE:
        return None
    whole = sum((Decimal(v) for v in values), Decimal(0))
    if how == Aggregation.MEAN:
        return whole / len(values)
    return whole
