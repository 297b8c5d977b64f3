"""Chair rotation rules as pure functions over units.

A unit here is anything with `pk`, `name`, `successor` and `is_active_on(day)`.
Eligibility for a year is judged on 1 January of that year."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import RotationPolicy, Unit

PREDICTED_POLICIES = {RotationPolicy.DEPUTY_SUCCEEDS, RotationPolicy.ORDERED}


def _policy_note(policy: str) -> str:
    """Who chooses the chair under a policy that predicts nobody."""
    if policy == RotationPolicy.ELECTED:
        return _("Elected by the members.")
    if policy == RotationPolicy.LEADER_CHAIRS:
        return _("The leading unit of the year (the flag winner) chairs the next year.")
    return _("Appointed by the authority.")


def first_day(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def resolve(unit: Unit | None, day: datetime.date) -> Unit | None:
    """`unit` if active on `day`, else its nearest active successor, else None."""
    seen = set()
    while unit is not None and unit.pk not in seen:
        if unit.is_active_on(day):
            return unit
        seen.add(unit.pk)
        unit = unit.successor
    return None


def rotation_sequence(
    order: Iterable[Unit], members: Iterable[Unit], day: datetime.date
) -> list[Unit]:
    """The units that take turns on `day`: the rotation `order` with each unit
    replaced by its active successor, limited to the active `members`, then the
    active members missing from the order by name. No unit appears twice."""
    eligible: dict[int, Unit] = {}
    for unit in members:
        active = resolve(unit, day)
        if active is not None:
            eligible.setdefault(active.pk, active)
    sequence, placed = [], set()
    for unit in order:
        active = resolve(unit, day)
        if active is not None and active.pk in eligible and active.pk not in placed:
            sequence.append(active)
            placed.add(active.pk)
    rest = sorted((u for pk, u in eligible.items() if pk not in placed), key=_name)
    return sequence + rest


def _name(unit: Unit) -> str:
    return unit.name


def _next_after(
    sequence: Sequence[Unit],
    order: Sequence[Unit],
    after: Unit | None,
    exclude: Collection[int],
) -> Unit | None:
    """The first unit of `sequence` that follows `after` in the rotation (cyclic),
    skipping `exclude`; `after` may have left, its place in `order` then counts."""
    if not sequence:
        return None
    ids = [u.pk for u in sequence]
    start = 0
    if after is not None:
        if after.pk in ids:
            start = ids.index(after.pk) + 1
        else:
            order_ids = [u.pk for u in order]
            if after.pk in order_ids:
                later = order_ids[order_ids.index(after.pk) + 1 :]
                start = next(
                    (ids.index(pk) for pk in later if pk in ids), len(sequence)
                )
    for step in range(len(sequence)):
        unit = sequence[(start + step) % len(sequence)]
        if unit.pk not in exclude:
            return unit
    return None


@dataclass
class YearProposal:
    """Who the policy proposes to chair `year` and to be its deputy."""

    year: int
    chair: Unit | None = None
    deputy: Unit | None = None
    notes: list[str] = field(default_factory=list)
    predicted: bool = True


def propose(
    *,
    policy: str,
    order: Sequence[Unit],
    members: Iterable[Unit],
    history: Sequence[tuple[int, Unit | None, Unit | None]],
    year: int,
) -> YearProposal:
    """Chair and deputy for `year` under `policy`.

    `history` lists (year, chair, deputy) of earlier years, oldest first. A unit
    never chairs two years running unless it is the only eligible member; an
    inactive unit is never proposed; chair and deputy differ."""
    proposal = YearProposal(year=year)
    if policy not in PREDICTED_POLICIES:
        proposal.predicted = False
        proposal.notes.append(_policy_note(policy))
        return proposal
    day = first_day(year)
    sequence = rotation_sequence(order, members, day)
    if not sequence:
        proposal.notes.append(_("No active member can chair."))
        return proposal
    previous_chair = history[-1][1] if history else None
    previous_deputy = history[-1][2] if history else None
    if len(sequence) == 1:
        proposal.chair = sequence[0]
        proposal.notes.append(_("The only active member chairs again."))
        return proposal
    exclude = {previous_chair.pk} if previous_chair is not None else set()
    successor = resolve(previous_deputy, day) if previous_deputy is not None else None
    if (
        policy == RotationPolicy.DEPUTY_SUCCEEDS
        and successor is not None
        and successor.pk not in exclude
        and successor.pk in {u.pk for u in sequence}
    ):
        proposal.chair = successor
    else:
        proposal.chair = _next_after(sequence, order, previous_chair, exclude)
        if policy == RotationPolicy.DEPUTY_SUCCEEDS and previous_deputy is not None:
            proposal.notes.append(
                _("Last year's deputy cannot chair; the next unit in order chairs.")
            )
    # Two or more active members and at most one excluded: someone chairs.
    assert proposal.chair is not None  # noqa: S101
    recent = {proposal.chair.pk}
    if policy == RotationPolicy.DEPUTY_SUCCEEDS:
        window = len(sequence) - 1
        recent |= {chair.pk for _y, chair, _d in history[-window:] if chair is not None}
    proposal.deputy = _next_after(sequence, order, proposal.chair, recent)
    if proposal.deputy is None:
        proposal.deputy = _next_after(
            sequence, order, proposal.chair, {proposal.chair.pk}
        )
    for unit in members:
        active = resolve(unit, day)
        if active is None:
            proposal.notes.append(
                _("%(unit)s is no longer active and is skipped.") % {"unit": unit.name}
            )
        elif active.pk != unit.pk:
            proposal.notes.append(
                _("%(unit)s was merged into %(successor)s, which takes its place.")
                % {"unit": unit.name, "successor": active.name}
            )
    return proposal


def preview(
    *,
    policy: str,
    order: Sequence[Unit],
    members: Iterable[Unit],
    history: Sequence[tuple[int, Unit | None, Unit | None]],
    first_year: int,
    years: int,
) -> list[YearProposal]:
    """Proposals for `years` consecutive years from `first_year`, each year
    assuming the previous proposals were followed."""
    history = list(history)
    proposals = []
    for year in range(first_year, first_year + years):
        proposal = propose(
            policy=policy, order=order, members=members, history=history, year=year
        )
        proposals.append(proposal)
        history.append((year, proposal.chair, proposal.deputy))
    return proposals


def carried_members(
    members: Iterable[Unit], year: int
) -> tuple[list[Unit], list[Unit], list[Unit]]:
    """Members carried into `year`: (kept, removed, added) where inactive units are
    removed and replaced by their active successor when they have one."""
    day = first_day(year)
    kept: list[Unit]
    added: list[Unit]
    kept, removed, added, seen = [], [], [], set()
    for unit in members:
        active = resolve(unit, day)
        if active is None or active.pk != unit.pk:
            removed.append(unit)
        if active is not None and active.pk not in seen:
            seen.add(active.pk)
            (kept if active.pk == unit.pk else added).append(active)
    return kept, removed, added
