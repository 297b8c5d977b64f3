"""Who a campaign reaches. One definition, used as SQL (lists, checks) and in
Python over prefetched rows (statistics, points):

- `all`: every unit that is a member of a cluster or block of the authority in
  a year of the campaign's period;
- `clusters`: every unit that is a member of one of the chosen clusters or
  blocks in a year of the period;
- `units`: the chosen units."""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractYear

from clusters.models import Membership, Unit

from .models import Campaign, CampaignScope


def _in_period(prefix="term__"):
    return {
        f"{prefix}year__gte": ExtractYear(OuterRef("start_date")),
        f"{prefix}year__lte": ExtractYear(OuterRef("end_date")),
    }


def in_scope_q(unit_id):
    """A filter on Campaign: campaigns whose scope includes the unit `unit_id`."""
    member_any = Exists(
        Membership.objects.filter(
            unit_id=unit_id,
            term__cluster__authority_id=OuterRef("authority_id"),
            **_in_period(),
        )
    )
    member_chosen = Exists(
        Membership.objects.filter(
            unit_id=unit_id,
            term__cluster_id__in=Campaign.clusters.through.objects.filter(
                campaign_id=OuterRef(OuterRef("pk"))
            ).values("cluster_id"),
            **_in_period(),
        )
    )
    chosen_unit = Exists(
        Campaign.units.through.objects.filter(
            campaign_id=OuterRef("pk"), unit_id=unit_id
        )
    )
    return (
        (Q(scope=CampaignScope.ALL) & Q(member_any))
        | (Q(scope=CampaignScope.CLUSTERS) & Q(member_chosen))
        | (Q(scope=CampaignScope.UNITS) & Q(chosen_unit))
    )


def units_in_scope(campaign):
    """The units `campaign` reaches, by name (1 query)."""
    if campaign.scope == CampaignScope.UNITS:
        return Unit.objects.filter(campaigns=campaign).order_by("name")
    conditions = {
        "memberships__term__cluster__authority_id": campaign.authority_id,
        "memberships__term__year__gte": campaign.start_date.year,
        "memberships__term__year__lte": campaign.end_date.year,
    }
    if campaign.scope == CampaignScope.CLUSTERS:
        conditions["memberships__term__cluster__campaigns"] = campaign
    return Unit.objects.filter(**conditions).distinct().order_by("name")


def is_in_scope(campaign, unit):
    """Whether `campaign` reaches `unit` (1 query)."""
    return Campaign.objects.filter(pk=campaign.pk).filter(in_scope_q(unit.pk)).exists()


def memberships(authority_id, first_year, last_year):
    """(unit id, cluster id, year) of every membership of the authority's terms
    between the two years (1 query), for `reached`."""
    return list(
        Membership.objects.filter(
            term__cluster__authority_id=authority_id,
            term__year__gte=first_year,
            term__year__lte=last_year,
        ).values_list("unit_id", "term__cluster_id", "term__year")
    )


def reached(campaign, rows, years=None):
    """The unit ids `campaign` reaches among `rows` from `memberships`, counting
    only `years` (default: the campaign's period). Uses the campaign's
    prefetched `clusters` and `units`."""
    if campaign.scope == CampaignScope.UNITS:
        return {unit.pk for unit in campaign.units.all()}
    period = set(campaign.years) & set(years or campaign.years)
    clusters = (
        {cluster.pk for cluster in campaign.clusters.all()}
        if campaign.scope == CampaignScope.CLUSTERS
        else None
    )
    return {
        unit_id
        for unit_id, cluster_id, year in rows
        if year in period and (clusters is None or cluster_id in clusters)
    }
