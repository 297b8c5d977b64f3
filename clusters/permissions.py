"""Who may do what. Role-level predicates live here; which objects a user can
reach at all is decided by the scoped querysets in `selectors` (404 otherwise)."""

from .models import Handover, MemberRole, Role, TermState

# The states a term re-opened after its handover may be in.
_REOPENABLE_STATES = frozenset(
    {TermState.RANKED, TermState.VOTING, TermState.PROPOSING, TermState.DECIDED}
)


def _in_authority(user):
    # `None` is the actor of no one (a service called without a user).
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.authority_id
    )


def is_admin(user):
    """An authority admin: manages units, clusters, terms and users of its authority."""
    return _in_authority(user) and user.role == Role.ADMIN


def is_province_staff(user):
    """Provincial Home Affairs staff: reads everything of its authority."""
    return _in_authority(user) and user.role == Role.PROVINCE_STAFF


def is_unit_officer(user):
    """An officer of one unit: reaches that unit and the clusters it belongs to."""
    return _in_authority(user) and user.role == Role.UNIT_OFFICER and bool(user.unit_id)


def sees_whole_authority(user):
    """Admins and province staff read every cluster, unit and term of their
    authority."""
    return is_admin(user) or is_province_staff(user)


def can_open_unit(user, unit_id):
    """A unit's page is open to admins and province staff of its authority and
    to the unit's own officers (the same rule as `selectors.units_visible_to`)."""
    return sees_whole_authority(user) or (
        is_unit_officer(user) and user.unit_id == unit_id
    )


def can_manage(user):
    """Create and edit units, clusters, terms, memberships and users."""
    return is_admin(user)


def in_authority(user, authority_id):
    """Whether `user` is an active user of the authority `authority_id`: the
    services' scope check (the views reach only the user's own authority)."""
    return _in_authority(user) and user.authority_id == authority_id


def can_manage_authority(user, authority_id):
    """`can_manage` for the authority `authority_id`: an admin of it."""
    return is_admin(user) and in_authority(user, authority_id)


def chair_powers_ended(term):
    """Whether the chair's (and deputy's) powers over `term` have ended: the
    term is closed, or its handover to the next year is recorded (a term
    re-opened after its handover stays without chair powers). Queries the
    handover (once per term object) only from the ranked stage on, the states
    a re-opened term can be in."""
    if term.state == TermState.CLOSED:
        return True
    if term.state not in _REOPENABLE_STATES:
        return False
    try:
        return term.handover_out is not None
    except Handover.DoesNotExist:
        return False


def _holds_role(user, term, role):
    if not is_unit_officer(user) or chair_powers_ended(term):
        return False
    return any(
        m.unit_id == user.unit_id and m.role == role for m in term.memberships.all()
    )


def is_chair_officer(user, term):
    """An officer of the unit chairing `term` holds the chair's powers for it,
    until the handover (or the term's closing) ends them.

    Derived from the term's memberships, never stored on the user, so the powers
    move with the chair. Uses prefetched memberships when present."""
    return _holds_role(user, term, MemberRole.CHAIR)


def is_deputy_officer(user, term):
    """An officer of the deputy chair unit of `term`, until the handover; the
    deputy reviews the chair's own report."""
    return _holds_role(user, term, MemberRole.DEPUTY)


def can_record_handover(user, term):
    """The outgoing chair's officers or an admin record the handover of `term`."""
    return is_admin(user) or is_chair_officer(user, term)
