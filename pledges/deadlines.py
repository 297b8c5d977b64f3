"""The report deadline rule, in one place: a unit submits until the term's
`report_deadline`, or until the end of a later extension granted to it
(`DeadlineExtension`); a submission after the term's deadline is late.

Pure functions of dates, so the submission service, the report list and the
officers' to-do list apply the same rule to data they have already read."""

import datetime


def last_day_to_submit(
    deadline: datetime.date | None, extended_until: datetime.date | None = None
) -> datetime.date | None:
    """The last day a unit may submit: the term's `deadline`, or the unit's
    extension when it ends later; None when the term sets no deadline."""
    if extended_until is not None and (deadline is None or extended_until > deadline):
        return extended_until
    return deadline


def may_submit(
    deadline: datetime.date | None,
    extended_until: datetime.date | None,
    today: datetime.date,
) -> bool:
    """True while `today` is on or before the last day to submit."""
    last = last_day_to_submit(deadline, extended_until)
    return last is None or today <= last


def is_late(deadline: datetime.date | None, today: datetime.date) -> bool:
    """True when a submission on `today` is after the term's own deadline (an
    extension lets a unit submit, but the report is still marked late)."""
    return deadline is not None and today > deadline


def is_overdue(
    deadline: datetime.date | None,
    extended_until: datetime.date | None,
    today: datetime.date,
) -> bool:
    """True when a report still to be submitted can no longer be submitted
    (the last day to submit has passed)."""
    return not may_submit(deadline, extended_until, today)
