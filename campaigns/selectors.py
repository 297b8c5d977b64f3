"""Reads of the campaigns app shaped for pages, scoped to the user's reach, in a
constant number of queries whatever the number of campaigns and units."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet

from clusters.models import Membership, Term, Unit, User
from clusters.permissions import is_unit_officer, sees_whole_authority
from pledges.models import Aggregation, Criterion
from pledges.totals import combine, how_to_total

from . import scope as scoping
from .models import (
    Campaign,
    CampaignAttachment,
    CampaignFigure,
    CampaignKind,
    CampaignMetric,
    CampaignReport,
    CampaignReview,
    CampaignRule,
    CampaignState,
    Exemplar,
    ReportEvidence,
    ReportKind,
    ReportState,
    ReviewStage,
)

RUNNING_STATES = (
    CampaignState.LAUNCHED,
    CampaignState.MIDTERM_REVIEW,
    CampaignState.FINAL_REVIEW,
)
KIND_ORDER = [CampaignKind.REGULAR, CampaignKind.THEMED, CampaignKind.AD_HOC]
STAGE_KIND = {
    ReviewStage.MIDTERM: ReportKind.MIDTERM,
    ReviewStage.FINAL: ReportKind.FINAL,
}


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Campaigns the user may open: every campaign of the authority for staff
    and admins; for an officer, the launched campaigns that reach its unit."""
    if sees_whole_authority(user):
        # Staff of an authority (sees_whole_authority).
        assert user.authority_id is not None  # noqa: S101
        return Campaign.objects.filter(authority_id=user.authority_id)
    if is_unit_officer(user):
        # An officer of a unit of an authority (is_unit_officer).
        assert user.authority_id is not None  # noqa: S101
        return (
            Campaign.objects.filter(authority_id=user.authority_id)
            .exclude(state=CampaignState.DRAFT)
            .filter(scoping.in_scope_q(user.unit_id))
        )
    return Campaign.objects.none()


def campaign_years(user: User) -> list[int]:
    """The years any visible campaign runs in, newest first (1 query)."""
    years: set[int] = set()
    for start, end in campaigns_visible_to(user).values_list(
        "start_date__year", "end_date__year"
    ):
        years.update(range(start, end + 1))
    return sorted(years, reverse=True)


def campaign_rows(
    user: User,
    *,
    kind: str | None = None,
    year: int | None = None,
    state: str | None = None,
    scope: str | None = None,
    query: str = "",
) -> list[Campaign]:
    """Campaigns for the list page with their counts of chosen clusters and units
    and of reports waiting for review; for an officer, `.my_reports` {kind:
    report} of its unit (2 queries)."""
    campaigns = campaigns_visible_to(user)
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if state:
        campaigns = campaigns.filter(state=state)
    if scope:
        campaigns = campaigns.filter(scope=scope)
    if year:
        campaigns = campaigns.filter(
            start_date__year__lte=year, end_date__year__gte=year
        )
    if query:
        campaigns = campaigns.filter(
            Q(title__icontains=query) | Q(decision_number__icontains=query)
        )
    rows: list[Campaign] = list(
        campaigns.annotate(
            cluster_count=Count("clusters", distinct=True),
            unit_count=Count("units", distinct=True),
            waiting=Count(
                "reports",
                filter=Q(reports__state=ReportState.SUBMITTED),
                distinct=True,
            ),
        ).order_by("-start_date", "title")
    )
    mine: dict[int, dict[str, CampaignReport]] = {}
    if is_unit_officer(user):
        assert user.unit_id is not None  # noqa: S101 (an officer has a unit)
        for report in CampaignReport.objects.filter(
            unit_id=user.unit_id, campaign__in=[c.pk for c in rows]
        ):
            mine.setdefault(report.campaign_id, {})[report.kind] = report
    for campaign in rows:
        campaign.my_reports = mine.get(campaign.pk, {})  # type: ignore[attr-defined]
    return rows


def campaign_detail(user: User, pk: int) -> Campaign:
    """A visible campaign with its figures, attachments, chosen clusters and
    units. Raises Campaign.DoesNotExist."""
    return (
        campaigns_visible_to(user)
        .select_related("authority", "created_by")
        .prefetch_related(
            Prefetch("metrics", queryset=CampaignMetric.objects.order_by("position")),
            "attachments",
            "clusters",
            "units",
        )
        .get(pk=pk)
    )


@dataclass
class MatrixRow:
    unit: Unit
    reports: dict  # kind → CampaignReport
    in_scope: bool = True

    def cells(self) -> list[CampaignReport | None]:
        return [self.reports.get(kind) for kind in ReportKind.values]


@dataclass
class Participation:
    rows: list
    counts: dict  # kind → Counter of states ("none" when not filed)
    sums: list  # (metric, accepted total, total with those awaiting review)
    exemplars: list
    stage_kind: str
    extra: dict = field(default_factory=dict)


def participation(campaign: Campaign, stage: str = ReviewStage.FINAL) -> Participation:
    """The participation matrix of `campaign` (every unit it reaches × its
    registration, mid-term and final report with their states, plus units that
    reported but are no longer in scope), report counts by state, the figures
    of the stage's reports added up (accepted, and with those awaiting review),
    and the exemplars put forward in them (5 queries)."""
    stage_kind = STAGE_KIND[ReviewStage(stage)]
    units = list(scoping.units_in_scope(campaign))
    reports = list(
        CampaignReport.objects.filter(campaign=campaign).select_related(
            "unit", "updated_by"
        )
    )
    by_unit: dict[int, dict[str, CampaignReport]] = {}
    for report in reports:
        by_unit.setdefault(report.unit_id, {})[report.kind] = report
    rows = [MatrixRow(unit, by_unit.get(unit.pk, {})) for unit in units]
    in_scope = {unit.pk for unit in units}
    outside = {r.unit.pk: r.unit for r in reports if r.unit_id not in in_scope}
    rows.extend(
        MatrixRow(unit, by_unit[unit.pk], in_scope=False)
        for unit in sorted(outside.values(), key=lambda u: u.name)
    )
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in ReportKind.values}
    for row in rows:
        for kind in ReportKind.values:
            of_kind = row.reports.get(kind)
            counts[kind][of_kind.state if of_kind else "none"] += 1
    metrics = list(campaign.metrics.order_by("position", "id"))
    values: dict[int, list[tuple[str, Decimal | None]]] = {}
    for metric_id, state, value in CampaignFigure.objects.filter(
        report__campaign=campaign,
        report__kind=stage_kind,
        report__state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
    ).values_list("metric_id", "report__state", "value"):
        values.setdefault(metric_id, []).append((state, value))
    sums = []
    for metric in metrics:
        how = how_to_total(metric.unit_of_measure)
        metric.averaged = how == Aggregation.MEAN  # type: ignore[attr-defined]
        figures = values.get(metric.pk, [])
        accepted = [v for state, v in figures if state == ReportState.ACCEPTED]
        sums.append(
            (
                metric,
                combine(accepted, how) or Decimal(0),
                combine([v for _state, v in figures], how) or Decimal(0),
            )
        )
    exemplars = list(
        Exemplar.objects.filter(
            report__campaign=campaign,
            report__kind=stage_kind,
            report__state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
        )
        .select_related("report__unit")
        .order_by("report__unit__name", "id")
    )
    return Participation(rows, counts, sums, exemplars, stage_kind)


def reviews_of(campaign: Campaign) -> dict[str, CampaignReview]:
    """{stage: CampaignReview} of `campaign` (1 query)."""
    return {
        review.stage: review for review in campaign.reviews.select_related("updated_by")
    }


def campaign_proposals(campaign: Campaign) -> list[Any] | None:
    """The award proposals made for `campaign`, or None while the awards app has
    no proposals linked to campaigns (1 query)."""
    try:
        proposal = apps.get_model("awards", "Proposal")
    except LookupError:
        return None
    if not any(f.name == "campaign" for f in proposal._meta.get_fields()):
        return None
    return list(proposal.objects.filter(campaign=campaign).order_by("-pk"))


# Home page -----------------------------------------------------------------


def unit_home(user: User) -> list[Campaign]:
    """For an officer: the running campaigns that reach its unit, each with
    `.my_reports` {kind: report} (2 queries)."""
    campaigns = list(
        campaigns_visible_to(user)
        .filter(state__in=RUNNING_STATES)
        .order_by("final_deadline", "end_date", "title")
    )
    mine: dict[int, dict[str, CampaignReport]] = {}
    # The stubs refuse None in a lookup; Django reads it as IS NULL.
    for report in CampaignReport.objects.filter(
        unit_id=user.unit_id,  # type: ignore[misc]
        campaign__in=[c.pk for c in campaigns],
    ):
        mine.setdefault(report.campaign_id, {})[report.kind] = report
    for campaign in campaigns:
        campaign.my_reports = mine.get(campaign.pk, {})  # type: ignore[attr-defined]
    return campaigns


def staff_home(user: User) -> tuple[list[Campaign], int]:
    """For staff and admins: the campaigns with reports waiting for review, and
    how many campaigns are running (1 query)."""
    campaigns = list(
        campaigns_visible_to(user)
        .filter(state__in=RUNNING_STATES)
        .annotate(
            waiting=Count("reports", filter=Q(reports__state=ReportState.SUBMITTED))
        )
        .order_by("-waiting", "title")
    )
    return [c for c in campaigns if c.waiting], len(campaigns)


# Statistics of a year --------------------------------------------------------


@dataclass
class StatRow:
    """A cluster or a unit: how many campaigns of each kind reached it and how
    many final reports were accepted out of those expected."""

    subject: object
    by_kind: dict = field(default_factory=lambda: dict.fromkeys(KIND_ORDER, 0))
    accepted: int = 0
    expected: int = 0
    clusters: list = field(default_factory=list)
    members: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def kinds(self) -> list[int]:
        return [self.by_kind[kind] for kind in KIND_ORDER]


@dataclass
class _Named:
    pk: int
    name: str
    kind: str = ""


def year_statistics(authority_id: int, year: int) -> dict[str, Any]:
    """The campaigns of the authority carried out in `year` (launched, period
    overlapping the year) counted by kind, per cluster or block (campaigns that
    reached at least one of its members that year) and per unit, with the final
    reports accepted against those expected (5 queries)."""
    campaigns = list(
        Campaign.objects.filter(
            authority_id=authority_id,
            start_date__year__lte=year,
            end_date__year__gte=year,
        )
        .exclude(state=CampaignState.DRAFT)
        .prefetch_related("clusters", "units")
        .order_by("kind", "start_date", "title")
    )
    rows = list(
        Membership.objects.filter(
            term__cluster__authority_id=authority_id, term__year=year
        ).values_list(
            "unit_id",
            "unit__name",
            "term__cluster_id",
            "term__cluster__name",
            "term__cluster__kind",
        )
    )
    accepted = set(
        CampaignReport.objects.filter(
            campaign__in=[c.pk for c in campaigns],
            kind=ReportKind.FINAL,
            state=ReportState.ACCEPTED,
        ).values_list("campaign_id", "unit_id")
    )
    scope_rows = [(u, c, year) for u, _n, c, _cn, _ck in rows]
    units: dict[int, StatRow]
    clusters: dict[int, StatRow]
    members_of: dict[int, set[int]]
    units, clusters, members_of = {}, {}, {}
    for unit_id, unit_name, cluster_id, cluster_name, cluster_kind in rows:
        units.setdefault(unit_id, StatRow(_Named(unit_id, unit_name)))
        clusters.setdefault(
            cluster_id, StatRow(_Named(cluster_id, cluster_name, cluster_kind))
        )
        members_of.setdefault(cluster_id, set()).add(unit_id)
        units[unit_id].clusters.append(cluster_name)
    by_kind: dict[str, int] = dict.fromkeys(KIND_ORDER, 0)
    for campaign in campaigns:
        by_kind[campaign.kind] += 1
        reached = scoping.reached(campaign, scope_rows, years=[year])
        campaign.reached_count = len(reached)  # type: ignore[attr-defined]
        campaign.accepted_count = sum(  # type: ignore[attr-defined]
            1 for unit_id in reached if (campaign.pk, unit_id) in accepted
        )
        for unit in campaign.units.all():
            units.setdefault(unit.pk, StatRow(_Named(unit.pk, unit.name)))
        for unit_id in reached:
            row = units[unit_id]
            row.by_kind[campaign.kind] += 1
            row.expected += 1
            row.accepted += (campaign.pk, unit_id) in accepted
        for cluster_id, members in members_of.items():
            hit = reached & members
            if hit:
                row = clusters[cluster_id]
                row.by_kind[campaign.kind] += 1
                row.expected += len(hit)
                row.accepted += sum(1 for u in hit if (campaign.pk, u) in accepted)
    for cluster_id, row in clusters.items():
        row.members = len(members_of[cluster_id])
    return {
        "campaigns": campaigns,
        "by_kind": by_kind,
        "total": len(campaigns),
        "clusters": sorted(
            clusters.values(), key=lambda r: (r.subject.kind, r.subject.name)
        ),
        "units": sorted(units.values(), key=lambda r: r.subject.name),
    }


# Campaigns counted by pledge criteria ------------------------------------------


def rules_of_term(term: Term) -> dict[int, CampaignRule]:
    """{criterion id: CampaignRule} of the term's pledge (1 query)."""
    return {
        rule.criterion_id: rule
        for rule in CampaignRule.objects.filter(criterion__pledge__term=term)
    }


def counted_campaigns(
    term: Term,
) -> tuple[dict[int, CampaignRule], dict[tuple[int, int], list[Campaign]]]:
    """For each criterion of the term's pledge that counts campaigns and each
    member unit: the campaigns counted — launched, period overlapping the term's
    year, reaching the unit, of a kind the rule counts, with the unit's final
    report accepted. Returns (rules by criterion id, {(unit id, criterion id):
    [campaigns]}) in at most 7 queries."""
    rules = {
        rule.criterion_id: rule
        for rule in CampaignRule.objects.filter(
            criterion__pledge__term=term
        ).select_related("criterion")
    }
    if not rules:
        return {}, {}
    campaigns = list(
        Campaign.objects.filter(
            authority__clusters=term.cluster_id,
            start_date__year__lte=term.year,
            end_date__year__gte=term.year,
        )
        .exclude(state=CampaignState.DRAFT)
        .prefetch_related("clusters", "units")
        .order_by("start_date", "title")
    )
    members = set(
        Membership.objects.filter(term=term).values_list("unit_id", flat=True)
    )
    first = min((c.start_date.year for c in campaigns), default=term.year)
    last = max((c.end_date.year for c in campaigns), default=term.year)
    rows = list(
        Membership.objects.filter(
            unit_id__in=members,
            term__cluster__authority__clusters=term.cluster_id,
            term__year__gte=first,
            term__year__lte=last,
        ).values_list("unit_id", "term__cluster_id", "term__year")
    )
    accepted = set(
        CampaignReport.objects.filter(
            campaign__in=[c.pk for c in campaigns],
            unit_id__in=members,
            kind=ReportKind.FINAL,
            state=ReportState.ACCEPTED,
        ).values_list("campaign_id", "unit_id")
    )
    reached = {c.pk: scoping.reached(c, rows) for c in campaigns}
    counted = {}
    for criterion_id, rule in rules.items():
        for unit_id in members:
            counted[(unit_id, criterion_id)] = [
                c
                for c in campaigns
                if rule.counts(c.kind)
                and unit_id in reached[c.pk]
                and (c.pk, unit_id) in accepted
            ]
    return rules, counted


def campaign_points(term: Term) -> dict[tuple[int, int], Decimal]:
    """{(unit id, criterion id): points} for every member of `term` and every
    criterion of its pledge that counts campaigns: points per counted campaign
    (see `counted_campaigns`), capped at the criterion's maximum. Empty when no
    criterion counts campaigns. A constant number of queries (at most 7)."""
    rules, counted = counted_campaigns(term)
    return {
        (unit_id, criterion_id): min(
            rules[criterion_id].points_per_campaign * len(found),
            rules[criterion_id].criterion.max_points,
        )
        for (unit_id, criterion_id), found in counted.items()
    }


# Lookups of the campaign pages ------------------------------------------------


def reports_of_unit(campaign: Campaign, unit_id: int) -> dict[str, CampaignReport]:
    """{kind: report} of the unit `unit_id` in `campaign` (1 query)."""
    return {
        r.kind: r
        for r in CampaignReport.objects.filter(campaign=campaign, unit_id=unit_id)
    }


def unit_report(campaign: Campaign, unit: Unit, kind: str) -> CampaignReport | None:
    """The unit's report of `kind` in `campaign` with its editors, or None."""
    return (
        CampaignReport.objects.filter(campaign=campaign, unit=unit, kind=kind)
        .select_related("updated_by", "reviewed_by")
        .first()
    )


def unit_of_authority(authority_id: int, pk: int) -> Unit:
    """The unit `pk` of the authority. Raises Unit.DoesNotExist."""
    return Unit.objects.get(pk=pk, authority_id=authority_id)


def attachment_visible_to(user: User, pk: int) -> CampaignAttachment:
    """A file of a campaign `user` sees, with its campaign. Raises
    CampaignAttachment.DoesNotExist."""
    return CampaignAttachment.objects.select_related("campaign").get(
        pk=pk, campaign__in=campaigns_visible_to(user)
    )


def evidence_visible_to(user: User, pk: int) -> ReportEvidence:
    """A report's file of a campaign `user` sees, with its report's unit and
    campaign (whether the user may see that report is a permission). Raises
    ReportEvidence.DoesNotExist."""
    return ReportEvidence.objects.select_related(
        "report__unit", "report__campaign"
    ).get(pk=pk, report__campaign__in=campaigns_visible_to(user))


class CountedRow(NamedTuple):
    """One member's line on a criterion's campaigns page."""

    unit: Unit
    campaigns: list[Campaign]
    points: Decimal


def criterion_in_term(term: Term, pk: int) -> Criterion:
    """The criterion `pk` of `term`'s pledge with its pledge and section.
    Raises Criterion.DoesNotExist."""
    return Criterion.objects.select_related("pledge", "section").get(
        pk=pk, pledge__term=term
    )


def counted_rows(
    term: Term,
    criterion: Criterion,
    rule: CampaignRule,
    counted: dict[tuple[int, int], list[Campaign]],
    *,
    unit_ids: Iterable[int] | None = None,
) -> list[CountedRow]:
    """The members of `term` by name (only those in `unit_ids` unless it is
    None) with the campaigns `criterion` counts for them (`counted_campaigns`)
    and the points, capped at the criterion's maximum (1 query)."""
    rows = []
    for membership in term.memberships.select_related("unit").order_by("unit__name"):
        if unit_ids is not None and membership.unit_id not in unit_ids:
            continue
        found = counted.get((membership.unit_id, criterion.pk), [])
        points = min(rule.points_per_campaign * len(found), criterion.max_points)
        rows.append(CountedRow(membership.unit, found, points))
    return rows
