"""Who may draft, set targets for and sign a term's pledge."""

from clusters.permissions import (
    is_admin,
    is_chair_officer,
    is_province_staff,
    is_unit_officer,
)


def can_draft_pledge(user, term):
    """The chair unit's officers and the authority's admins draft the pledge."""
    return is_admin(user) or is_chair_officer(user, term)


def is_member_officer(user, term):
    """An officer of a unit that is a member of `term` (uses prefetched members)."""
    return is_unit_officer(user) and any(
        m.unit_id == user.unit_id for m in term.memberships.all()
    )


def can_set_target(user, term, unit):
    """Drafters set every member's targets; a member's officer sets its own."""
    return can_draft_pledge(user, term) or (
        is_member_officer(user, term) and user.unit_id == unit.pk
    )


def can_sign(user, term):
    """Each member unit's officer signs for the unit."""
    return is_member_officer(user, term)


def can_edit_report(user, term, unit):
    """A member unit's officers fill in that unit's report, and no one else."""
    return is_member_officer(user, term) and user.unit_id == unit.pk


def can_review_reports(user, term):
    """The chair unit's officers, province staff and admins accept or return
    submitted reports and see who has not submitted."""
    return is_admin(user) or is_province_staff(user) or is_chair_officer(user, term)


def can_view_report(user, term, unit):
    """A report is seen by its own unit's officers and by its reviewers, and by
    every member's officers from the scoring stage on (peers score with the
    evidence in view)."""
    from clusters.models import TermState

    peers_may = term.state not in (
        TermState.PLANNING,
        TermState.PLEDGING,
        TermState.IN_PROGRESS,
        TermState.REPORTING,
    )
    return (
        can_edit_report(user, term, unit)
        or can_review_reports(user, term)
        or (peers_may and is_member_officer(user, term))
    )


def can_peer_score(user, term):
    """Members' officers score the other members while the year is scored."""
    from clusters.models import TermState

    return term.state == TermState.SCORING and is_member_officer(user, term)


def can_extend_deadline(user):
    """Admins grant a unit more time after the deadline."""
    return is_admin(user)


def can_publish_ranking(user, term):
    """Admins, province staff and the chair unit's officers publish the ranking
    and see the draft ranking before it is published."""
    return can_review_reports(user, term)


def can_see_standing(user, term, unit):
    """A member sees its own draft standing; reviewers see everyone's."""
    return can_review_reports(user, term) or (
        is_member_officer(user, term) and user.unit_id == unit.pk
    )
