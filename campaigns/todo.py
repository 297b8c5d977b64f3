"""The campaigns app's “Việc cần làm” (see `clusters.todo`) and its home-page
panels (see `clusters.panels`).

A unit's officer is asked for the campaign reports its stage takes and that are
due — a deadline within `DUE_WITHIN_DAYS`, passed, or the report's own review
stage — or that came back for changes; province staff and admins for the
reports waiting for their review and for running campaigns whose period has
ended (to move them to the final review). Two queries whatever the number of
campaigns."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters import todo
from clusters.permissions import is_unit_officer, sees_whole_authority

from . import selectors, services
from .models import CampaignReport, CampaignState, ReportKind, ReportState
from .permissions import can_file_report, can_manage_campaigns

DUE_WITHIN_DAYS = 30
ORDER = 200  # after the year's own steps
# The review stage in which each kind of report is the one being collected.
COLLECTED_IN = {
    ReportKind.MIDTERM: CampaignState.MIDTERM_REVIEW,
    ReportKind.FINAL: CampaignState.FINAL_REVIEW,
}


def _expected(campaign, kind, today):
    """Whether `kind` of report of `campaign` is due now: the stage takes it
    and its deadline is near or passed, or the stage collects it."""
    if campaign.state not in services.FILING_STATES[kind]:
        return False
    if COLLECTED_IN.get(kind) == campaign.state:
        return True
    deadline = services.deadline_of(campaign, kind)
    return deadline is not None and deadline <= today + datetime.timedelta(
        days=DUE_WITHIN_DAYS
    )


def unit_items(user, today):
    """The campaign reports the officer's unit should file now (2 queries)."""
    campaigns = list(
        selectors.campaigns_visible_to(user)
        .filter(state__in=selectors.RUNNING_STATES)
        .order_by("final_deadline", "end_date", "title")
    )
    if not campaigns or not can_file_report(user, user.unit):
        return []
    mine = {
        (r.campaign_id, r.kind): r
        for r in CampaignReport.objects.filter(
            unit_id=user.unit_id, campaign__in=campaigns
        )
    }
    group = _("Campaigns")
    items = []
    for campaign in campaigns:
        for kind in ReportKind:
            report = mine.get((campaign.pk, kind))
            url = reverse("campaign_report", args=[campaign.pk, user.unit_id, kind])
            deadline = services.deadline_of(campaign, kind)
            names = {"kind": kind.label, "campaign": campaign.title}
            if report is not None and report.state == ReportState.RETURNED:
                items.append(
                    todo.Item(
                        _("Correct the %(kind)s returned for “%(campaign)s”") % names,
                        url,
                        group=group,
                        deadline=deadline,
                        urgency=todo.OVERDUE,
                        note=_("returned for changes"),
                        order=ORDER,
                    )
                )
            elif (report is None or report.state == ReportState.DRAFT) and _expected(
                campaign, kind, today
            ):
                items.append(
                    todo.Item(
                        _("File the %(kind)s of “%(campaign)s”") % names,
                        url,
                        group=group,
                        deadline=deadline,
                        urgency=todo.urgency_of(deadline, today),
                        order=ORDER,
                    )
                )
    return items


def staff_items(user, today):
    """Campaign reports waiting for review and running campaigns whose period
    has ended (1 query)."""
    if not can_manage_campaigns(user):
        return []
    campaigns = list(
        selectors.campaigns_visible_to(user)
        .filter(state__in=selectors.RUNNING_STATES)
        .annotate(
            waiting=Count("reports", filter=Q(reports__state=ReportState.SUBMITTED))
        )
        .order_by("end_date", "title")
    )
    group = _("Campaigns")
    items = []
    for campaign in campaigns:
        if campaign.waiting:
            items.append(
                todo.Item(
                    _("Review the reports on “%(campaign)s”")
                    % {"campaign": campaign.title},
                    reverse("campaign_review", args=[campaign.pk, "final"]),
                    group=group,
                    count=campaign.waiting,
                    order=ORDER,
                )
            )
        if campaign.state != CampaignState.FINAL_REVIEW and campaign.end_date < today:
            items.append(
                todo.Item(
                    _("“%(campaign)s” has ended: move it to the final review")
                    % {"campaign": campaign.title},
                    reverse("campaign_detail", args=[campaign.pk]),
                    group=group,
                    deadline=campaign.end_date,
                    urgency=todo.DUE,
                    order=ORDER + 1,
                )
            )
    return items


def provider(user, today):
    """`clusters.todo` provider of the campaigns app."""
    if is_unit_officer(user):
        return unit_items(user, today)
    if sees_whole_authority(user):
        return staff_items(user, today)
    return []


# Home-page panels ------------------------------------------------------------


def home_panel(request, obj):
    """The running campaigns of the officer's unit, or the staff's overview."""
    user = request.user
    if is_unit_officer(user):
        return "campaigns/_home_unit.html", {"my_campaigns": selectors.unit_home(user)}
    if sees_whole_authority(user):
        waiting, running = selectors.staff_home(user)
        return "campaigns/_home_staff.html", {
            "campaigns_waiting": waiting,
            "campaigns_running": running,
        }
    return None
