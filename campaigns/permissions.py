"""Who may do what with campaigns. Which campaigns a user reaches at all is
decided by `selectors.campaigns_visible_to` (404 otherwise): staff and admins
reach every campaign of their authority, an officer the launched campaigns
whose scope includes its unit."""

from clusters.permissions import (
    is_admin,
    is_chair_officer,
    is_province_staff,
    is_unit_officer,
    sees_whole_authority,
)


def can_manage_campaigns(user):
    """Province staff and admins create, launch, edit, review and close
    campaigns of their authority."""
    return sees_whole_authority(user)


def can_file_report(user, unit):
    """The unit's own officers file its registration and reports (the campaign
    must reach the unit: checked by the service and by visibility)."""
    return is_unit_officer(user) and user.unit_id == unit.pk


def can_view_report(user, unit):
    """A campaign report is seen by its unit's officers and by staff and admins."""
    return can_file_report(user, unit) or can_manage_campaigns(user)


def can_review_reports(user):
    """Province staff and admins accept or return the units' reports."""
    return can_manage_campaigns(user)


def can_configure_rule(user, term):
    """Admins, province staff and the chair unit's officers make a criterion of
    the term's pledge count campaigns (while the pledge is a draft)."""
    return is_admin(user) or is_province_staff(user) or is_chair_officer(user, term)
