"""The demo's clock: the acts of the seed's past years happen on their
own dates, not on the day the demo is loaded.

The services stamp their acts with `django.utils.timezone.now()` (history,
submission and vote times, model defaults). `demo_clock(moment)` makes that
clock start at `moment` and advance one second a call while the block runs, so
the 2023 vote is held before its decision of 17/01/2024 and every timestamp
keeps its order. Only the demo loader uses it; it is never active in a request.
"""

import datetime
import itertools
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def demo_clock(moment):
    """Within the block, `timezone.now()` (and `localdate()`) reads `moment`
    (a naive local time or an aware one) plus one second a call."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    start = moment.astimezone(datetime.UTC)
    ticks = itertools.count()
    real = timezone.datetime

    class _DemoDateTime(real):
        @classmethod
        def now(cls, tz=None):
            value = start + datetime.timedelta(seconds=next(ticks))
            return value.astimezone(tz) if tz else value.replace(tzinfo=None)

    timezone.datetime = _DemoDateTime
    try:
        yield
    finally:
        timezone.datetime = real


def on_day(day, hour=8):
    """`demo_clock` from `hour` o'clock (local time) of the date `day`."""
    return demo_clock(datetime.datetime.combine(day, datetime.time(hour)))
