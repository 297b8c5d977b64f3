"""Every write of the clusters app: one function per use case, atomic, audited.

Each function takes keyword arguments and the acting user, validates domain rules,
raises `DomainError` with a translated message when a rule is broken, and records
the actor in the change history."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audited_delete, audited_save
from core.errors import DomainError
from core.transitions import Workflow

from . import selectors
from .models import (
    Authority,
    Cluster,
    Handover,
    MemberRole,
    Membership,
    Role,
    RotationPolicy,
    RotationSlot,
    Term,
    TermState,
    Unit,
    User,
    clean_bands,
    next_period_label,
)
from .permissions import (
    can_manage_authority,
    can_record_handover,
    in_authority,
    is_admin,
    is_province_staff,
)

# Sent inside the transaction of `term_open_next_year` with `previous`, `term` and
# `actor`, so later parts of the cycle (the pledge) are copied atomically.
term_opened_from_previous = Signal()

# Checks other apps register for entering a state: each takes the term and
# returns a refusal message, or None when the move may go ahead.
TRANSITION_GUARDS: dict[str, list[Callable[[Term], str | None]]] = {}

# What other apps set up for a new authority (the award catalogue): functions
# taking the authority and the actor, run in `authority_create`'s transaction.
AUTHORITY_SETUP: list[Callable[[Authority, User | None], object]] = []

# Settings a new year takes over from the year before (term_open_next_year).
CARRIED_SETTINGS = (
    "total_points",
    "assessed_method",
    "bonus_cap",
    "deduction_cap",
    "late_deduction",
    "bands",
    "nomination_quorum_numerator",
    "nomination_quorum_denominator",
    "nomination_threshold_numerator",
    "nomination_threshold_denominator",
    "nomination_seats",
)

# Settings that change the year's scores: final once the ranking is published.
SCORING_SETTINGS = (
    "total_points",
    "assessed_method",
    "bonus_cap",
    "deduction_cap",
    "late_deduction",
    "bands",
)

# The scale, caps and band table are the year's rules: editable
# until scoring starts, fixed from then on.
SCORING_RULES = (
    "total_points",
    "bonus_cap",
    "deduction_cap",
    "late_deduction",
    "bands",
)
RULES_FIXED_STATES = {
    TermState.SCORING,
    TermState.REPLY,
    TermState.RANKED,
    TermState.VOTING,
    TermState.PROPOSING,
    TermState.DECIDED,
    TermState.CLOSED,
}

# The yearly cycle: each state's allowed next states.
TERM_TRANSITIONS = {
    TermState.PLANNING: {TermState.PLEDGING},
    TermState.PLEDGING: {TermState.IN_PROGRESS},
    TermState.IN_PROGRESS: {TermState.REPORTING},
    TermState.REPORTING: {TermState.SCORING},
    TermState.SCORING: {TermState.REPLY},
    TermState.REPLY: {TermState.RANKED},
    TermState.RANKED: {TermState.VOTING},
    TermState.VOTING: {TermState.PROPOSING},
    TermState.PROPOSING: {TermState.DECIDED},
    TermState.DECIDED: {TermState.CLOSED},
    TermState.CLOSED: set(),
}
TERM_WORKFLOW = Workflow(TERM_TRANSITIONS)
# Re-opening a closed term (`term_reopen`) and closing one by its handover,
# from whatever state an admin's override allows (`handover_record`): moves
# outside the yearly cycle, each with its own service and rules.
REOPEN_WORKFLOW = Workflow({TermState.CLOSED: {TermState.DECIDED}})
HANDOVER_WORKFLOW = Workflow(
    {state: {TermState.CLOSED} for state in TermState if state != TermState.CLOSED}
)


def _require_admin(actor: User | None, authority_id: int | None) -> None:
    """Refuse (DomainError) anyone but an admin of the authority `authority_id`:
    the services' side of `permissions.can_manage`, which guards the views."""
    if not can_manage_authority(actor, authority_id):
        raise DomainError(
            _(
                "Only an admin of the authority manages its units, clusters, "
                "terms, members and users."
            )
        )


def _check_same_authority(authority: Authority, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.authority_id != authority.pk:
            raise DomainError(
                _("%(object)s belongs to another authority.") % {"object": obj}
            )


# From these states on, a term's scores, results (report contents, evidence),
# objections and pledge are final: republishing the ranking is
# the only correction.
RESULTS_FINAL_STATES = frozenset(
    {
        TermState.RANKED,
        TermState.VOTING,
        TermState.PROPOSING,
        TermState.DECIDED,
        TermState.CLOSED,
    }
)
# What a service is about to write, for `term_require_writable`.
TERM_DATA = "term"  # memberships, settings, deadlines, votes, proposals…
TERM_RESULTS = "results"  # scores, results, evidence, objections, the pledge


def term_results_final(term: Term) -> bool:
    """True once `term`'s scores, results, objections and pledge are read-only."""
    return term.state in RESULTS_FINAL_STATES


def term_require_writable(term: Term | int, *, what: str = TERM_DATA) -> str:
    """Refuse (DomainError) a write of `what` into `term` (a Term or its pk).

    The one guard of the term's state, called first by every service that
    writes term data: nothing of a closed term changes (until an admin re-opens
    it, `term_reopen`), and from `ranked` on the results (`TERM_RESULTS`) are
    read-only too. The state is read again under a row lock (PostgreSQL), so a
    write racing a transition either finishes before it or sees the new state.
    Returns the term's current state."""
    pk = term.pk if isinstance(term, Term) else term
    state, year = (
        Term.objects.select_for_update(no_key=True)
        .values_list("state", "year")
        .get(pk=pk)
    )
    if state == TermState.CLOSED:
        raise DomainError(
            _(
                "The year %(year)s is closed: nothing of it can change unless an "
                "admin re-opens it."
            )
            % {"year": year}
        )
    if what == TERM_RESULTS and state in RESULTS_FINAL_STATES:
        raise DomainError(
            _(
                "The results of %(year)s are published: scores, results, "
                "objections and the pledge can only be viewed now."
            )
            % {"year": year}
        )
    return state


# Authorities ---------------------------------------------------------------


@transaction.atomic
def authority_create(*, actor: User | None, **fields: Any) -> Authority:
    """Create an authority (a tenant) with what every app sets up for a new
    one (`AUTHORITY_SETUP`), in one transaction. `actor` may be None for the
    installer's first authority."""
    authority = audited_save(Authority(**fields), actor)
    for setup in AUTHORITY_SETUP:
        setup(authority, actor)
    return authority


# Units ---------------------------------------------------------------------


def unit_create(*, actor: User, authority: Authority, **fields: Any) -> Unit:
    """Create a unit of `authority`; refuses a successor from another authority.
    Only an admin of `authority` acts (`_require_admin`), as in every service
    below that changes units, clusters, terms, members, the rotation or users."""
    _require_admin(actor, authority.pk)
    unit = Unit(authority=authority, **fields)
    _check_same_authority(authority, unit.successor)
    with transaction.atomic():
        return audited_save(unit, actor)


@transaction.atomic
def unit_update(*, unit: Unit, actor: User, **fields: Any) -> Unit:
    """Change a unit's fields; refuses making it its own successor."""
    _require_admin(actor, unit.authority_id)
    for name, value in fields.items():
        setattr(unit, name, value)
    _check_same_authority(unit.authority, unit.successor)
    if unit.successor_id and unit.successor_id == unit.pk:
        raise DomainError(_("A unit cannot be its own successor."), field="successor")
    if unit.valid_to and unit.valid_to < unit.valid_from:
        raise DomainError(
            _("The end date cannot be before the start date."), field="valid_to"
        )
    return audited_save(unit, actor)


@transaction.atomic
def unit_deactivate(
    *,
    unit: Unit,
    actor: User,
    valid_to: datetime.date | None = None,
    successor: Unit | None = None,
) -> Unit:
    """End a unit's validity (today by default), optionally naming its successor."""
    fields: dict[str, datetime.date | Unit] = {
        "valid_to": valid_to or timezone.localdate()
    }
    if successor is not None:
        fields["successor"] = successor
    return unit_update(unit=unit, actor=actor, **fields)


def unit_has_history(unit: Unit) -> bool:
    """True when terms, users or other units refer to `unit`, so it must stay."""
    return (
        unit.memberships.exists()
        or unit.officers.exists()
        or unit.predecessors.exists()
        or Handover.objects.filter(from_unit=unit).exists()
        or Handover.objects.filter(to_unit=unit).exists()
    )


@transaction.atomic
def unit_delete(*, unit: Unit, actor: User) -> None:
    """Delete a unit entered by mistake; refuses a unit with history."""
    _require_admin(actor, unit.authority_id)
    if unit_has_history(unit):
        raise DomainError(
            _(
                "%(unit)s has history (terms, users or successors) and cannot be "
                "deleted. Deactivate it instead."
            )
            % {"unit": unit}
        )
    audited_delete(unit, actor)


# Clusters ------------------------------------------------------------------


@transaction.atomic
def cluster_create(*, actor: User, authority: Authority, **fields: Any) -> Cluster:
    """Create a cluster or block of `authority`."""
    _require_admin(actor, authority.pk)
    cluster = Cluster(authority=authority, **fields)
    try:
        with transaction.atomic():
            return audited_save(cluster, actor)
    except IntegrityError as error:
        raise DomainError(_("A cluster with this name already exists.")) from error


@transaction.atomic
def cluster_update(*, cluster: Cluster, actor: User, **fields: Any) -> Cluster:
    """Change a cluster's name, kind, founding decision, description or status."""
    _require_admin(actor, cluster.authority_id)
    for name, value in fields.items():
        setattr(cluster, name, value)
    try:
        with transaction.atomic():
            return audited_save(cluster, actor)
    except IntegrityError as error:
        raise DomainError(_("A cluster with this name already exists.")) from error


# Terms and memberships -----------------------------------------------------


@transaction.atomic
def term_create(
    *,
    cluster: Cluster,
    year: int,
    actor: User,
    units: Iterable[Unit] = (),
    chair: Unit | None = None,
    deputy: Unit | None = None,
    **fields: Any,
) -> Term:
    """Open `year` for `cluster` with `units` as members and optional chair/deputy.

    Refuses a second term for the same cluster and year, units of another
    authority, and a chair or deputy who is not among `units` or who is the same."""
    _require_admin(actor, cluster.authority_id)
    if Term.objects.filter(cluster=cluster, year=year).exists():
        raise DomainError(
            _("%(cluster)s already has a term for %(year)s.")
            % {"cluster": cluster, "year": year},
            field="year",
        )
    _check_same_authority(cluster.authority, *units, chair, deputy)
    _check_period(year, fields.get("starts_on"), fields.get("ends_on"))
    if "bands" in fields:
        fields["bands"] = _valid_bands(fields["bands"])
    try:
        with transaction.atomic():
            term = audited_save(Term(cluster=cluster, year=year, **fields), actor)
    except IntegrityError as error:  # opened by someone else just now
        raise DomainError(
            _("%(cluster)s already has a term for %(year)s.")
            % {"cluster": cluster, "year": year},
            field="year",
        ) from error
    for unit in units:
        audited_save(Membership(term=term, unit=unit), actor)
    if chair or deputy:
        term_set_officers(term=term, chair=chair, deputy=deputy, actor=actor)
    return term


def _valid_bands(value: Any) -> Any:
    try:
        return clean_bands(value)
    except ValidationError as error:
        raise DomainError(error.messages[0], field="bands") from error


def _setting_differs(term: Term, name: str, value: Any) -> bool:
    if name == "bands":
        return clean_bands(term.bands) != value
    return getattr(term, name) != value


@transaction.atomic
def term_update(*, term: Term, actor: User, **fields: Any) -> Term:
    """Change a term's deadlines or settings; refuses a closed term, an invalid
    band table, and changes of the scale, caps or bands from scoring on."""
    term = (
        Term.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .get(pk=term.pk)
    )
    changes_scoring = any(
        getattr(term, name) != value
        for name, value in fields.items()
        if name in SCORING_SETTINGS
    )
    term_require_writable(term, what=TERM_RESULTS if changes_scoring else TERM_DATA)
    _require_admin(actor, term.cluster.authority_id)
    if "bands" in fields:
        fields["bands"] = _valid_bands(fields["bands"])
    changed_rules = [
        name
        for name in SCORING_RULES
        if name in fields and _setting_differs(term, name, fields[name])
    ]
    if changed_rules and term.state in RULES_FIXED_STATES:
        raise DomainError(
            _(
                "The scale, the bonus and deduction caps and the classification "
                "bands are fixed once scoring has started."
            )
        )
    for name, value in fields.items():
        setattr(term, name, value)
    _check_period(term.year, term.starts_on, term.ends_on)
    return audited_save(term, actor)


def _check_period(
    year: int, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> None:
    """A term's dates: it starts before it ends and its year falls within
    them (a school year 2024–2025 is the term of 2024 or of 2025)."""
    if starts_on is None or ends_on is None:
        return
    if starts_on >= ends_on:
        raise DomainError(_("The term must start before it ends."), field="ends_on")
    if not starts_on.year <= year <= ends_on.year:
        raise DomainError(
            _("The term's dates must include the year %(year)s.") % {"year": year},
            field="starts_on",
        )


@transaction.atomic
def term_set_officers(
    *,
    term: Term,
    chair: Unit | None,
    deputy: Unit | None,
    actor: User,
    reason: str | None = None,
) -> Term:
    """Make `chair` the chair and `deputy` the deputy (or none) of `term`.

    Both must be members of the term and differ; refuses a closed term and
    anyone but an admin of its authority."""
    term = (
        Term.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .get(pk=term.pk)
    )
    term_require_writable(term)
    _require_admin(actor, term.cluster.authority_id)
    if chair is not None and deputy is not None and chair.pk == deputy.pk:
        raise DomainError(
            _("The chair and the deputy chair must be different units."),
            field="deputy",
        )
    memberships = {m.unit_id: m for m in term.memberships.select_for_update()}
    wanted = {}
    for role, unit, field in (
        (MemberRole.CHAIR, chair, "chair"),
        (MemberRole.DEPUTY, deputy, "deputy"),
    ):
        if unit is None:
            continue
        if unit.pk not in memberships:
            raise DomainError(
                _("%(unit)s is not a member of this term.") % {"unit": unit},
                field=field,
            )
        wanted[unit.pk] = role
    # Demote first so the one-chair / one-deputy constraints hold at every step.
    for unit_id, membership in memberships.items():
        if (
            membership.role != MemberRole.MEMBER
            and wanted.get(unit_id) != membership.role
        ):
            membership.role = MemberRole.MEMBER
            audited_save(membership, actor, reason, update_fields=["role"])
    for unit_id, role in wanted.items():
        membership = memberships[unit_id]
        if membership.role != role:
            membership.role = role
            audited_save(membership, actor, reason, update_fields=["role"])
    return term


@transaction.atomic
def term_update_with_officers(
    *, term: Term, actor: User, chair: Unit | None, deputy: Unit | None, **fields: Any
) -> Term:
    """The term form's save, all or nothing: its settings (`term_update`) and
    its chair and deputy (`term_set_officers`), with the same refusals."""
    term_update(term=term, actor=actor, **fields)
    return term_set_officers(term=term, chair=chair, deputy=deputy, actor=actor)


@transaction.atomic
def membership_add(*, term: Term, unit: Unit, actor: User) -> Membership:
    """Add `unit` to `term`; refuses duplicates, other authorities, closed terms
    and anyone but an admin of the term's authority."""
    term_require_writable(term)
    _require_admin(actor, term.cluster.authority_id)
    _check_same_authority(term.cluster.authority, unit)
    if term.memberships.filter(unit=unit).exists():
        raise DomainError(
            _("%(unit)s is already a member of this term.") % {"unit": unit},
            field="unit",
        )
    return audited_save(Membership(term=term, unit=unit), actor)


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member; refuses the chair or deputy (reassign first), closed
    terms and anyone but an admin of the term's authority."""
    term_require_writable(membership.term_id)
    _require_admin(actor, membership.term.cluster.authority_id)
    if membership.role != MemberRole.MEMBER:
        raise DomainError(
            _("%(unit)s is the %(role)s of this term; assign another unit first.")
            % {"unit": membership.unit, "role": membership.get_role_display()}
        )
    audited_delete(membership, actor)


@transaction.atomic
def term_transition(
    *, term: Term, to_state: str, actor: User, reason: str | None = None
) -> Term:
    """Move `term` to `to_state` if the yearly cycle allows it from its state.

    Locks the term row first and checks inside the lock, so of two moves at
    once the second sees the first's result. A closed term moves only back to
    `decided`, which is `term_reopen` (an admin, with a reason).

    Only an admin of the term's authority moves it (`permissions.can_manage`),
    except that province staff's publishing of the ranking moves it to
    `ranked` (`pledges.services.ranking_publish`; the `ranked` guard refuses
    the move without a published ranking)."""
    term = TERM_WORKFLOW.lock(term, related=("cluster",))
    if term.state == TermState.CLOSED and to_state == REOPEN_STATE:
        return term_reopen(term=term, actor=actor, reason=reason)
    authority_id = term.cluster.authority_id
    publishing = to_state == TermState.RANKED and (
        is_province_staff(actor) and in_authority(actor, authority_id)
    )
    term_require_writable(term)
    if not publishing:
        _require_admin(actor, authority_id)
    return TERM_WORKFLOW.move(
        term,
        to_state,
        actor=actor,
        reason=reason,
        guards=TRANSITION_GUARDS.get(to_state, []),
    )


# A re-opened year goes back to `decided`: the awards stay decided, the
# handover stays recorded, and closing again is the normal `decided → closed`.
REOPEN_STATE = TermState.DECIDED


@transaction.atomic
def term_reopen(*, term: Term, actor: User, reason: str | None) -> Term:
    """Re-open a closed term (back to `decided`): only an admin of its
    authority, with a reason, which the history keeps with the actor and time
    (shown on the term page, see `selectors.term_reopenings`).

    Locks the term row first; refuses (DomainError) a term that is not closed,
    so of two admins re-opening at once the second is told it is open."""
    term = REOPEN_WORKFLOW.lock(term, related=("cluster",))
    if not can_manage_authority(actor, term.cluster.authority_id):
        raise DomainError(_("Only an admin can re-open a closed term."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for re-opening the term."), field="reason")
    if term.state != TermState.CLOSED:
        raise DomainError(
            _("The year %(year)s is not closed; there is nothing to re-open.")
            % {"year": term.year}
        )
    return REOPEN_WORKFLOW.move(term, REOPEN_STATE, actor=actor, reason=reason)


@transaction.atomic
def handover_record(
    *,
    from_term: Term,
    to_term: Term,
    actor: User,
    date: datetime.date,
    place: str,
    occasion: str,
    note: str = "",
    flag_handed_over: bool = False,
    override_reason: str = "",
) -> Handover:
    """Record the chair passing from `from_term` to the next year's `to_term`
    (and whether the rotating flag passed with it) and close `from_term`.

    Refuses terms of different clusters or years that do not follow each other,
    terms without a chair and a second handover. While mandatory checklist steps
    are open it refuses, unless an admin overrides with a reason. Only the
    outgoing chair's officers and the authority's admins record it
    (`permissions.can_record_handover`)."""
    from_term = HANDOVER_WORKFLOW.lock(from_term, related=("cluster",))
    if to_term.cluster_id != from_term.cluster_id or to_term.year != from_term.year + 1:
        raise DomainError(
            _("A handover goes from a term to the same cluster's next year.")
        )
    if Handover.objects.filter(from_term=from_term).exists():
        raise DomainError(_("The handover of this term is already recorded."))
    term_require_writable(from_term)
    if not (
        can_record_handover(actor, from_term)
        and in_authority(actor, from_term.cluster.authority_id)
    ):
        raise DomainError(
            _("Only the chair unit's officers or an admin record the handover.")
        )
    from_unit, to_unit = from_term.chair, to_term.chair
    if from_unit is None or to_unit is None:
        raise DomainError(_("Both terms need a chair before the handover."))
    checklist = selectors.handover_checklist(from_term)
    open_steps = [item for item in checklist if item.blocks]
    override_reason = (override_reason or "").strip()
    if open_steps and (not is_admin(actor) or not override_reason):
        raise DomainError(
            _("Mandatory steps are still open: %(steps)s.")
            % {"steps": "; ".join(str(item.label) for item in open_steps)}
        )
    handover = audited_save(
        Handover(
            from_term=from_term,
            to_term=to_term,
            from_unit=from_unit,
            to_unit=to_unit,
            date=date,
            place=place,
            occasion=occasion,
            note=note,
            flag_handed_over=bool(flag_handed_over),
        ),
        actor,
        override_reason or None,
    )
    HANDOVER_WORKFLOW.move(
        from_term, TermState.CLOSED, actor=actor, reason=override_reason or None
    )
    return handover


def _shift_year(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def term_open_next_year(
    *,
    term: Term,
    actor: User,
    units: Iterable[Unit],
    chair: Unit | None,
    deputy: Unit | None,
    reason: str = "",
) -> Term:
    """Open the year after `term` with `units` as members and the given chair and
    deputy; settings are carried over and deadlines shifted by a year.

    Refuses when that year exists, a unit is inactive on 1 January, the chair
    chaired `term` (unless it is the only member), chair and deputy are not
    members or are the same, or they differ from the policy's proposal without
    a reason. Sends `term_opened_from_previous` in the same transaction."""
    # Two roll-overs of one year at once: the second waits for the first's
    # lock here, then finds the year open and is told so.
    term = (
        Term.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .get(pk=term.pk)
    )
    _require_admin(actor, term.cluster.authority_id)
    year = term.year + 1
    if Term.objects.filter(cluster_id=term.cluster_id, year=year).exists():
        raise DomainError(
            _("The year %(year)s of this cluster is already open.") % {"year": year}
        )
    units = list(units)
    if not units:
        raise DomainError(_("Choose the members of the new year."), field="units")
    day = datetime.date(year, 1, 1)
    inactive = [u.name for u in units if not u.is_active_on(day)]
    if inactive:
        raise DomainError(
            _("These units are not active on 01/01/%(year)s: %(units)s.")
            % {"year": year, "units": ", ".join(inactive)},
            field="units",
        )
    previous_chair = term.chair
    if (
        chair is not None
        and previous_chair is not None
        and chair.pk == previous_chair.pk
        and len(units) > 1
        # The leading unit chairs next year, even when it chaired this one.
        and term.cluster.rotation_policy != RotationPolicy.LEADER_CHAIRS
    ):
        raise DomainError(
            _("%(unit)s chaired %(year)s and cannot chair two years running.")
            % {"unit": chair, "year": term.year},
            field="chair",
        )
    proposal = selectors.rollover_proposal(term)
    differs = (chair, deputy) != (proposal.chair, proposal.deputy)
    reason = (reason or "").strip()
    if differs and proposal.chair is not None and not reason:
        raise DomainError(
            _("Give a reason for choosing another chair or deputy than proposed."),
            field="reason",
        )
    new_term = term_create(
        cluster=term.cluster,
        year=year,
        actor=actor,
        units=units,
        chair=chair,
        deputy=deputy,
        label=next_period_label(term.period_label),
        starts_on=_shift_year(term.period_start),
        ends_on=_shift_year(term.period_end),
        report_deadline=_shift_year(term.report_deadline),
        reply_deadline=_shift_year(term.reply_deadline),
        **{name: getattr(term, name) for name in CARRIED_SETTINGS},
    )
    if reason:
        record = new_term.history.latest()
        record.history_change_reason = reason
        record.save(update_fields=["history_change_reason"])
    term_opened_from_previous.send(
        sender=Term, previous=term, term=new_term, actor=actor
    )
    return new_term


# Rotation ------------------------------------------------------------------


@transaction.atomic
def cluster_set_rotation_policy(
    *, cluster: Cluster, policy: str, reason: str, actor: User
) -> Cluster:
    """Change the rotation policy from the next year to open, with a reason."""
    _require_admin(actor, cluster.authority_id)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for changing the policy."), field="reason")
    if policy == cluster.rotation_policy:
        raise DomainError(_("This policy is already in force."), field="policy")
    latest = cluster.terms.order_by("-year").values_list("year", flat=True).first()
    cluster.rotation_policy = policy
    cluster.rotation_policy_since = latest + 1 if latest else timezone.localdate().year
    return audited_save(
        cluster,
        actor,
        reason.strip(),
        update_fields=["rotation_policy", "rotation_policy_since"],
    )


def _write_order(cluster: Cluster, units: Sequence[Unit], actor: User) -> None:
    slots = {
        s.unit_id: s
        for s in RotationSlot.objects.select_for_update().filter(cluster=cluster)
    }
    wanted = {unit.pk: position for position, unit in enumerate(units, start=1)}
    for unit_id, slot in slots.items():
        if unit_id not in wanted:
            audited_delete(slot, actor)
    moving = [
        s for uid, s in slots.items() if uid in wanted and s.position != wanted[uid]
    ]
    # Park moving slots out of the way so the unique position holds at each step.
    RotationSlot.objects.filter(pk__in=[s.pk for s in moving]).update(
        position=F("position") + 10000
    )
    for slot in moving:
        slot.position = wanted[slot.unit_id]
        audited_save(slot, actor, update_fields=["position"])
    for unit in units:
        if unit.pk not in slots:
            audited_save(
                RotationSlot(cluster=cluster, unit=unit, position=wanted[unit.pk]),
                actor,
            )


def rotation_order(cluster: Cluster) -> list[Unit]:
    return [
        s.unit
        for s in cluster.rotation_slots.select_related("unit").order_by("position")
    ]


@transaction.atomic
def rotation_add(*, cluster: Cluster, unit: Unit, actor: User) -> None:
    """Append `unit` to the cluster's rotation order; refuses duplicates."""
    _require_admin(actor, cluster.authority_id)
    _check_same_authority(cluster.authority, unit)
    order = rotation_order(cluster)
    if unit in order:
        raise DomainError(
            _("%(unit)s is already in the rotation order.") % {"unit": unit}
        )
    _write_order(cluster, [*order, unit], actor)


@transaction.atomic
def rotation_remove(*, cluster: Cluster, unit: Unit, actor: User) -> None:
    """Take `unit` out of the rotation order."""
    _require_admin(actor, cluster.authority_id)
    _write_order(cluster, [u for u in rotation_order(cluster) if u != unit], actor)


@transaction.atomic
def rotation_move(*, cluster: Cluster, unit: Unit, offset: int, actor: User) -> None:
    """Move `unit` up (offset -1) or down (+1) in the rotation order."""
    _require_admin(actor, cluster.authority_id)
    order = rotation_order(cluster)
    if unit not in order:
        raise DomainError(_("%(unit)s is not in the rotation order.") % {"unit": unit})
    index = order.index(unit)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        _write_order(cluster, order, actor)


# Users ---------------------------------------------------------------------


def _check_user_fields(authority: Authority, role: str, unit: Unit | None) -> None:
    if role == Role.UNIT_OFFICER and unit is None:
        raise DomainError(_("A unit officer needs a unit."), field="unit")
    _check_same_authority(authority, unit)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    **fields: Any,
) -> User:
    """Create a user of the actor's authority with a password the admin sets."""
    _require_admin(actor, getattr(actor, "authority_id", None))
    _check_user_fields(actor.authority, role, unit)  # type: ignore[arg-type]
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    user = User(
        username=username,
        authority=actor.authority,
        role=role,
        unit=unit,
        **fields,
    )
    user.set_password(password)
    return audited_save(user, actor)


@transaction.atomic
def user_update(*, user: User, actor: User, **fields: Any) -> User:
    """Change a user's name, contact, role, unit or active flag.

    Refuses an admin deactivating or demoting themself, and anyone but an
    admin of the user's authority."""
    _require_admin(actor, user.authority_id)
    if user.pk == actor.pk and (
        fields.get("is_active") is False or fields.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise DomainError(_("You cannot deactivate or demote your own account."))
    for name, value in fields.items():
        setattr(user, name, value)
    _check_user_fields(actor.authority, user.role, user.unit)  # type: ignore[arg-type]
    return audited_save(user, actor)


@transaction.atomic
def user_set_password(*, user: User, actor: User, password: str) -> User:
    """Set a new password for `user` (an admin's reset)."""
    _require_admin(actor, user.authority_id)
    user.set_password(password)
    return audited_save(
        user, actor, reason="password reset", update_fields=["password"]
    )
