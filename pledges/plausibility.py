"""Plausibility of a reported indicator value: warnings shown beside the field
and before sending, never refusals — a unit may really have done 400 % of its
plan. Pure functions of the plan, last year's actual and the value.

Three checks, each direction-aware through `scoring.achievement` (plan / actual
when lower is better):
- achievement above `HIGH_ACHIEVEMENT` or below `LOW_ACHIEVEMENT` % of plan;
- a value at least `LAST_YEAR_FACTOR` times last year's actual, or at most a
  `LAST_YEAR_FACTOR`th of it;
- a value that is implausible while the same digits a thousand times smaller
  or larger would be plausible: a thousands separator typed by mistake
  (“12.345.678” where the plan is 58.000, or “58,000” read as 58)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import format_number

from .scoring import achievement

HIGH_ACHIEVEMENT = Decimal(300)
LOW_ACHIEVEMENT = Decimal(10)
LAST_YEAR_FACTOR = Decimal(10)
SEPARATOR_FACTOR = Decimal(1000)

ACHIEVEMENT = "achievement"
LAST_YEAR = "last_year"
SEPARATOR = "separator"


@dataclass(frozen=True)
class Caution:
    """One reason to look at a value again: `code` (ACHIEVEMENT, LAST_YEAR or
    SEPARATOR) and the message shown to the officer."""

    code: str
    message: str


def _plausible_achievement(achieved):
    return (
        achieved is not None
        and achieved.is_finite()
        and LOW_ACHIEVEMENT <= achieved <= HIGH_ACHIEVEMENT
    )


def _achievement_warning(direction, planned, actual):
    achieved = achievement(direction, planned, actual)
    if achieved is None or not achieved.is_finite():
        return None
    if LOW_ACHIEVEMENT <= achieved <= HIGH_ACHIEVEMENT:
        return None
    return Caution(
        ACHIEVEMENT,
        _("Check again: %(percent)s %% of plan?")
        % {"percent": format_number(achieved, 1)},
    )


def _last_year_warning(last_actual, actual):
    if last_actual is None or actual is None or last_actual <= 0:
        return None
    last, value = Decimal(last_actual), Decimal(actual)
    if value >= last * LAST_YEAR_FACTOR:
        message = _("Check again: %(times)s times last year's actual (%(last)s)?") % {
            "times": format_number(value / last, 1),
            "last": format_number(last),
        }
    elif value * LAST_YEAR_FACTOR <= last:
        message = _(
            "Check again: only %(percent)s %% of last year's actual (%(last)s)?"
        ) % {
            "percent": format_number(value / last * 100, 1),
            "last": format_number(last),
        }
    else:
        return None
    return Caution(LAST_YEAR, message)


def _separator_warning(direction, planned, actual):
    if planned is None or actual is None or actual == 0:
        return None
    value = Decimal(actual)
    if _plausible_achievement(achievement(direction, planned, value)):
        return None
    for meant in (value / SEPARATOR_FACTOR, value * SEPARATOR_FACTOR):
        if _plausible_achievement(achievement(direction, planned, meant)):
            return Caution(
                SEPARATOR,
                _(
                    "Did you mean %(meant)s? A dot separates thousands and a "
                    "comma decimals: 1.234,5."
                )
                % {"meant": format_number(meant.normalize())},
            )
    return None


def value_warnings(*, direction, planned, last_actual, actual):
    """The warnings about `actual` against `planned` and `last_actual` (any may
    be None: a check without its figure is skipped), most telling first."""
    if actual is None:
        return []
    found = [
        _achievement_warning(direction, planned, actual),
        _separator_warning(direction, planned, actual),
        _last_year_warning(last_actual, actual),
    ]
    return [w for w in found if w is not None]


def indicator_warnings(indicator, actual):
    """`value_warnings` for an indicator row of `selectors.report_rows` (its
    `target` with plan and last year's actual) and a value."""
    target = indicator.target
    return value_warnings(
        direction=indicator.direction,
        planned=target.planned if target else None,
        last_actual=target.last_actual if target else None,
        actual=actual,
    )
