"""What campaigns add to the pledges app's standings (`pledges.standings`):
points per counted campaign on the criteria that count campaigns
(`selectors.campaign_points`), those criteria marked as scored from campaigns
rather than by people, and which campaign writes change which terms' standings.
Registered by `CampaignsConfig.ready`."""

from django.db.models import Q

from clusters.models import Term
from pledges import standings
from pledges.models import Criterion

from .models import Campaign, CampaignReport, CampaignRule, ReportKind
from .selectors import campaign_points

# Only the terms whose pledge counts campaigns take campaign points.
_COUNTING = Q(pledge__criteria__campaign_rule__isnull=False)


def rule_criteria(pledge):
    """Ids of `pledge`'s criteria that count campaigns (1 query)."""
    return CampaignRule.objects.filter(criterion__pledge=pledge).values_list(
        "criterion_id", flat=True
    )


def _terms_of_campaign(campaign):
    return (
        Term.objects.filter(_COUNTING, cluster__authority_id=campaign.authority_id)
        .values_list("pk", flat=True)
        .distinct()
    )


def _terms_of_report(report):
    if report.kind != ReportKind.FINAL:
        return []
    return (
        Term.objects.filter(
            _COUNTING,
            cluster__authority__campaigns=report.campaign_id,
            memberships__unit_id=report.unit_id,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _terms_of_rule(rule):
    return Criterion.objects.filter(pk=rule.criterion_id).values_list(
        "pledge__term_id", flat=True
    )


def register():
    standings.register_criterion_points(campaign_points)
    standings.register_scored_elsewhere(rule_criteria)
    standings.watch(Campaign, _terms_of_campaign, m2m=("clusters", "units"))
    standings.watch(CampaignReport, _terms_of_report)
    standings.watch(CampaignRule, _terms_of_rule)
