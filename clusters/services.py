"""Every write of the clusters app: one function per use case, atomic, audited.

Each function takes keyword arguments and the acting user, validates domain rules,
raises `DomainError` with a translated message when a rule is broken, and records
the actor in the change history."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Cluster,
    Handover,
    MemberRole,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
    User,
)


class DomainError(Exception):
    """A business rule refused the operation; the message is for the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


# The yearly cycle (DESIGN.md §3): each state's allowed next states.
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


def _save(obj, actor, reason=None, **kwargs):
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.save(**kwargs)
    return obj


def _delete(obj, actor, reason=None):
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.delete()


def _check_same_authority(authority, *objects):
    for obj in objects:
        if obj is not None and obj.authority_id != authority.pk:
            raise DomainError(
                _("%(object)s belongs to another authority.") % {"object": obj}
            )


def _check_term_editable(term):
    if term.state == TermState.CLOSED:
        raise DomainError(_("The term is closed; re-open it before changing it."))


# Units ---------------------------------------------------------------------


def unit_create(*, actor, authority, **fields):
    """Create a unit of `authority`; refuses a successor from another authority."""
    unit = Unit(authority=authority, **fields)
    _check_same_authority(authority, unit.successor)
    with transaction.atomic():
        return _save(unit, actor)


@transaction.atomic
def unit_update(*, unit, actor, **fields):
    """Change a unit's fields; refuses making it its own successor."""
    for name, value in fields.items():
        setattr(unit, name, value)
    _check_same_authority(unit.authority, unit.successor)
    if unit.successor_id and unit.successor_id == unit.pk:
        raise DomainError(_("A unit cannot be its own successor."), field="successor")
    if unit.valid_to and unit.valid_to < unit.valid_from:
        raise DomainError(
            _("The end date cannot be before the start date."), field="valid_to"
        )
    return _save(unit, actor)


@transaction.atomic
def unit_deactivate(*, unit, actor, valid_to=None, successor=None):
    """End a unit's validity (today by default), optionally naming its successor."""
    fields = {"valid_to": valid_to or timezone.localdate()}
    if successor is not None:
        fields["successor"] = successor
    return unit_update(unit=unit, actor=actor, **fields)


def unit_has_history(unit):
    """True when terms, users or other units refer to `unit`, so it must stay."""
    return (
        unit.memberships.exists()
        or unit.officers.exists()
        or unit.predecessors.exists()
        or Handover.objects.filter(from_unit=unit).exists()
        or Handover.objects.filter(to_unit=unit).exists()
    )


@transaction.atomic
def unit_delete(*, unit, actor):
    """Delete a unit entered by mistake; refuses a unit with history."""
    if unit_has_history(unit):
        raise DomainError(
            _(
                "%(unit)s has history (terms, users or successors) and cannot be "
                "deleted. Deactivate it instead."
            )
            % {"unit": unit}
        )
    _delete(unit, actor)


# Clusters ------------------------------------------------------------------


@transaction.atomic
def cluster_create(*, actor, authority, **fields):
    """Create a cluster or block of `authority`."""
    cluster = Cluster(authority=authority, **fields)
    try:
        with transaction.atomic():
            return _save(cluster, actor)
    except IntegrityError as error:
        raise DomainError(_("A cluster with this name already exists.")) from error


@transaction.atomic
def cluster_update(*, cluster, actor, **fields):
    """Change a cluster's name, kind, founding decision, description or status."""
    for name, value in fields.items():
        setattr(cluster, name, value)
    try:
        with transaction.atomic():
            return _save(cluster, actor)
    except IntegrityError as error:
        raise DomainError(_("A cluster with this name already exists.")) from error


# Terms and memberships -----------------------------------------------------


@transaction.atomic
def term_create(*, cluster, year, actor, units=(), chair=None, deputy=None, **fields):
    """Open `year` for `cluster` with `units` as members and optional chair/deputy.

    Refuses a second term for the same cluster and year, units of another
    authority, and a chair or deputy who is not among `units` or who is the same."""
    if Term.objects.filter(cluster=cluster, year=year).exists():
        raise DomainError(
            _("%(cluster)s already has a term for %(year)s.")
            % {"cluster": cluster, "year": year},
            field="year",
        )
    _check_same_authority(cluster.authority, *units, chair, deputy)
    term = _save(Term(cluster=cluster, year=year, **fields), actor)
    for unit in units:
        _save(Membership(term=term, unit=unit), actor)
    if chair or deputy:
        term_set_officers(term=term, chair=chair, deputy=deputy, actor=actor)
    return term


@transaction.atomic
def term_update(*, term, actor, **fields):
    """Change a term's deadlines or settings; refuses a closed term."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    _check_term_editable(term)
    for name, value in fields.items():
        setattr(term, name, value)
    return _save(term, actor)


@transaction.atomic
def term_set_officers(*, term, chair, deputy, actor, reason=None):
    """Make `chair` the chair and `deputy` the deputy (or none) of `term`.

    Both must be members of the term and differ; refuses a closed term."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    _check_term_editable(term)
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
            _save(membership, actor, reason, update_fields=["role"])
    for unit_id, role in wanted.items():
        membership = memberships[unit_id]
        if membership.role != role:
            membership.role = role
            _save(membership, actor, reason, update_fields=["role"])
    return term


@transaction.atomic
def membership_add(*, term, unit, actor):
    """Add `unit` to `term`; refuses duplicates, other authorities, closed terms."""
    _check_term_editable(term)
    _check_same_authority(term.cluster.authority, unit)
    if term.memberships.filter(unit=unit).exists():
        raise DomainError(
            _("%(unit)s is already a member of this term.") % {"unit": unit},
            field="unit",
        )
    return _save(Membership(term=term, unit=unit), actor)


@transaction.atomic
def membership_remove(*, membership, actor):
    """Remove a member; refuses the chair or deputy (reassign first) and closed
    terms."""
    _check_term_editable(membership.term)
    if membership.role != MemberRole.MEMBER:
        raise DomainError(
            _("%(unit)s is the %(role)s of this term; assign another unit first.")
            % {"unit": membership.unit, "role": membership.get_role_display()}
        )
    _delete(membership, actor)


@transaction.atomic
def term_transition(*, term, to_state, actor, reason=None):
    """Move `term` to `to_state` if the yearly cycle allows it from its state.

    Re-opening a closed term (back to `decided`) is allowed to admins with a reason."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    reopening = term.state == TermState.CLOSED and to_state == TermState.DECIDED
    if reopening:
        if actor.role != Role.ADMIN:
            raise DomainError(_("Only an admin can re-open a closed term."))
        if not (reason or "").strip():
            raise DomainError(
                _("Give a reason for re-opening the term."), field="reason"
            )
    elif to_state not in TERM_TRANSITIONS[TermState(term.state)]:
        raise DomainError(
            _("A term cannot move from “%(from)s” to “%(to)s”.")
            % {
                "from": TermState(term.state).label,
                "to": TermState(to_state).label,
            }
        )
    term.state = to_state
    return _save(term, actor, reason, update_fields=["state"])


@transaction.atomic
def handover_record(*, from_term, to_term, actor, date, place, occasion, note=""):
    """Record the chair passing from `from_term` to the next year's `to_term`
    and close `from_term`.

    Refuses terms of different clusters or years that do not follow each other,
    terms without a chair, a second handover, and a term not yet decided."""
    from_term = Term.objects.select_for_update().get(pk=from_term.pk)
    if to_term.cluster_id != from_term.cluster_id or to_term.year != from_term.year + 1:
        raise DomainError(
            _("A handover goes from a term to the same cluster's next year.")
        )
    if Handover.objects.filter(from_term=from_term).exists():
        raise DomainError(_("The handover of this term is already recorded."))
    if from_term.state != TermState.DECIDED:
        raise DomainError(
            _(
                "The handover is recorded once the awards are decided "
                "(state “%(state)s”)."
            )
            % {"state": TermState.DECIDED.label}
        )
    from_unit, to_unit = from_term.chair, to_term.chair
    if from_unit is None or to_unit is None:
        raise DomainError(_("Both terms need a chair before the handover."))
    handover = _save(
        Handover(
            from_term=from_term,
            to_term=to_term,
            from_unit=from_unit,
            to_unit=to_unit,
            date=date,
            place=place,
            occasion=occasion,
            note=note,
        ),
        actor,
    )
    term_transition(term=from_term, to_state=TermState.CLOSED, actor=actor)
    return handover


# Users ---------------------------------------------------------------------


def _check_user_fields(authority, role, unit):
    if role == Role.UNIT_OFFICER and unit is None:
        raise DomainError(_("A unit officer needs a unit."), field="unit")
    _check_same_authority(authority, unit)


@transaction.atomic
def user_create(*, actor, username, password, role, unit=None, **fields):
    """Create a user of the actor's authority with a password the admin sets."""
    _check_user_fields(actor.authority, role, unit)
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
    return _save(user, actor)


@transaction.atomic
def user_update(*, user, actor, **fields):
    """Change a user's name, contact, role, unit or active flag.

    Refuses an admin deactivating or demoting themself."""
    if user.pk == actor.pk and (
        fields.get("is_active") is False or fields.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise DomainError(_("You cannot deactivate or demote your own account."))
    for name, value in fields.items():
        setattr(user, name, value)
    _check_user_fields(actor.authority, user.role, user.unit)
    return _save(user, actor)


@transaction.atomic
def user_set_password(*, user, actor, password):
    """Set a new password for `user` (an admin's reset)."""
    user.set_password(password)
    return _save(user, actor, reason="password reset", update_fields=["password"])
