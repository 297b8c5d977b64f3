"""Who may do what. Role-level predicates live here; which objects a user can
reach at all is decided by the scoped querysets in `selectors` (404 otherwise)."""

from .models import MemberRole, Role


def _in_authority(user):
    return bool(user.is_authenticated and user.is_active and user.authority_id)


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


def can_manage(user):
    """Create and edit units, clusters, terms, memberships and users."""
    return is_admin(user)


def is_chair_officer(user, term):
    """An officer of the unit chairing `term` holds the chair's powers for it.

    Derived from the term's memberships, never stored on the user, so the powers
    move with the chair. Uses prefetched memberships when present."""
    if not is_unit_officer(user):
        return False
    return any(
        m.unit_id == user.unit_id and m.role == MemberRole.CHAIR
        for m in term.memberships.all()
    )


def can_record_handover(user, term):
    """The outgoing chair's officers or an admin record the handover of `term`."""
    return is_admin(user) or is_chair_officer(user, term)
