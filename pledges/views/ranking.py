"""HTTP only for scoring results: the ranking (draft and published), a member's
explained standing, cluster totals, and the public pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clusters.permissions import sees_whole_authority
from clusters.views import reaches_authority
from core.errors import DomainError
from core.formatting import whole_number
from core.views import found_or_404, paged, require

from .. import charts, history, ranking, selectors, services
from ..permissions import (
    can_publish_ranking,
    can_record_absence,
    can_see_draft_ranking,
    can_see_standing,
)
from ..standings import term_ranking_rows
from .pledge import term_in_reach


@require_GET
@require(reaches_authority)
def term_ranking(request, pk):
    term = term_in_reach(request, pk, member_units=False)
    published = selectors.published_ranking(term)
    sees_draft = can_see_draft_ranking(request.user, term)
    draft = term_ranking_rows(term) if sees_draft else None
    return render(
        request,
        "pledges/ranking.html",
        {
            "term": term,
            "published": published,
            "published_chart": published
            and charts.ranking_chart(
                term,
                charts.published_entries(published.rows),
                chart_id="published-chart",
            ),
            "versions": selectors.ranking_versions(term) if published else [],
            "draft": draft,
            "draft_chart": draft
            and charts.ranking_chart(
                term, charts.standing_entries(draft), chart_id="draft-chart"
            ),
            "sees_draft": sees_draft,
            "can_publish": can_publish_ranking(request.user, term),
        },
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def ranking_publish(request, pk):
    """Province staff publish (or correct) the ranking: the page lists what
    becomes final and public and what still blocks; POST publishes. Staff also
    record here why a member's report is missing."""
    term = term_in_reach(request, pk)
    if not can_publish_ranking(request.user, term):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "absence":
                unit = next(
                    (
                        m.unit
                        for m in term.memberships.all()
                        if m.unit_id == whole_number(request.POST.get("unit"))
                    ),
                    None,
                )
                if unit is None:
                    raise DomainError(_("Choose a member of this year."))
                services.report_absence_record(
                    term=term,
                    unit=unit,
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("The absence of the report of %(unit)s was recorded.")
                    % {"unit": unit.name},
                )
                return redirect("ranking_publish", pk=term.pk)
            snapshot = services.ranking_publish(
                term=term,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                expected=whole_number(request.POST.get("expected")) or 0,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("ranking_publish", pk=term.pk)
        if snapshot.number == 1:
            messages.success(request, _("The ranking was published."))
        else:
            messages.success(request, _("The correction was published."))
        return redirect("term_ranking", pk=term.pk)
    check = selectors.publish_check(term)
    return render(
        request,
        "pledges/ranking_publish.html",
        {
            "term": term,
            "check": check,
            "draft": term_ranking_rows(term),
            "can_record_absence": can_record_absence(request.user, term),
        },
    )


@require_GET
@require(reaches_authority)
def rank_detail(request, pk, unit_pk):
    """One member's standing explained: points by criterion with the evidence
    and comments behind them, the spread of the other members, and the gap to
    the rank above."""
    term = term_in_reach(request, pk, member_units=False)
    membership = next((m for m in term.memberships.all() if m.unit_id == unit_pk), None)
    if membership is None:
        raise Http404
    if not can_see_standing(request.user, term, membership.unit):  # one unit read
        raise PermissionDenied
    standings = selectors.term_standings(term)
    mine = next((s for s in standings if s.unit.pk == unit_pk), None)
    if mine is None:  # no pledge yet: nothing to explain
        raise Http404
    others = [s for s in standings if s.unit.pk != unit_pk]
    backing = selectors.rank_evidence(term, membership.unit)
    spread = charts.spread_rows(mine, others)
    outline = selectors.tree_outline(selectors.pledge_of_term(term))
    years = history.member_history(term, unit_pk)
    above = next((s for s in reversed(standings) if s.total > mine.total), None)
    return render(
        request,
        "pledges/rank_detail.html",
        {
            "term": term,
            "standing": mine,
            "spread": [
                (level, line, low, middle, high, backing.get(line.code))
                for level, line, low, middle, high in ranking.breakdown(
                    outline, spread, others
                )
            ],
            "spread_chart": charts.spread_chart(spread, chart_id="spread-chart"),
            "history": years,
            "history_chart": years
            and charts.history_chart(years, chart_id="history-chart"),
            "gap": (above.total - mine.total) if above else None,
            "above": above,
        },
    )


@require_GET
@require(reaches_authority)
def cluster_totals(request, pk):
    term = term_in_reach(request, pk)
    # Members see other units' figures once submitted; staff see
    # every report, drafts included, and the page says which.
    if sees_whole_authority(request.user):
        totals = selectors.cluster_totals(term, include_drafts=True)
    else:
        totals = selectors.cluster_totals(term, viewer_unit_id=request.user.unit_id)
    return render(
        request,
        "pledges/cluster_totals.html",
        {"term": term, "rows": totals.rows, "totals": totals},
    )


@login_not_required
@require_GET
def public_rankings(request):
    """Every published ranking, newest year first, 50 a page (no login)."""
    page, query_string = paged(request, selectors.published_terms())
    return render(
        request,
        "pledges/public_rankings.html",
        {"terms": page.object_list, "page": page, "query_string": query_string},
    )


@login_not_required
@require_GET
def public_ranking(request, pk):
    """The latest published version of a term's ranking (or an earlier one,
    `?v=<number>`), with every correction and its reason (no login)."""
    term = found_or_404(selectors.published_term, pk)
    versions = selectors.ranking_versions(term)
    wanted = whole_number(request.GET.get("v")) if request.GET.get("v") else None
    published = selectors.published_ranking(term, wanted)
    if published is None:
        raise Http404
    return render(
        request,
        "pledges/public_ranking.html",
        {
            "term": term,
            "published": published,
            "published_chart": charts.ranking_chart(
                term,
                charts.published_entries(published.rows),
                chart_id="published-chart",
            ),
            "versions": versions,
            "latest": versions[0]["number"],
            "rows": selectors.cluster_totals(term).rows,
        },
    )
