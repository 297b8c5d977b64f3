"""HTTP only for scoring results: the ranking (draft and published), a member's
explained standing, cluster totals, and the public pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.models import Term
from clusters.services import DomainError
from clusters.views import reaches_authority, require

from .. import selectors, services
from ..permissions import can_publish_ranking, can_see_standing
from .pledge import term_in_reach


@require_GET
@require(reaches_authority)
def term_ranking(request, pk):
    term = term_in_reach(request, pk)
    published = selectors.published_ranking(term)
    can_publish = can_publish_ranking(request.user, term)
    return render(
        request,
        "pledges/ranking.html",
        {
            "term": term,
            "published": published,
            "draft": selectors.term_standings(term) if can_publish else None,
            "previous": selectors.previous_ranks(term) if can_publish else {},
            "can_publish": can_publish,
        },
    )


@require_POST
@require(reaches_authority)
def ranking_publish(request, pk):
    term = term_in_reach(request, pk)
    if not can_publish_ranking(request.user, term):
        raise PermissionDenied
    try:
        services.ranking_publish(
            term=term, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ranking was published."))
    return redirect("term_ranking", pk=term.pk)


@require_GET
@require(reaches_authority)
def rank_detail(request, pk, unit_pk):
    """One member's standing explained: points by criterion with the evidence
    and comments behind them, the spread of the other members, and the gap to
    the rank above."""
    term = term_in_reach(request, pk)
    membership = next((m for m in term.memberships.all() if m.unit_id == unit_pk), None)
    if membership is None:
        raise Http404
    if not can_see_standing(request.user, term, membership.unit):
        raise PermissionDenied
    standings = selectors.term_standings(term)
    mine = next(s for s in standings if s.unit.pk == unit_pk)
    others = [s for s in standings if s.unit.pk != unit_pk]
    backing = selectors.rank_evidence(term, membership.unit)
    spread = []
    for index, line in enumerate(mine.lines):
        values = sorted(
            s.lines[index].points for s in others if s.lines[index].points is not None
        )
        spread.append(
            (
                line,
                values[0] if values else None,
                values[-1] if values else None,
                backing.get(line.code),
            )
        )
    above = next((s for s in reversed(standings) if s.total > mine.total), None)
    return render(
        request,
        "pledges/rank_detail.html",
        {
            "term": term,
            "standing": mine,
            "spread": spread,
            "gap": (above.total - mine.total) if above else None,
            "above": above,
        },
    )


@require_GET
@require(reaches_authority)
def cluster_totals(request, pk):
    term = term_in_reach(request, pk)
    return render(
        request,
        "pledges/cluster_totals.html",
        {"term": term, "rows": selectors.cluster_totals(term)},
    )


@login_not_required
@require_GET
def public_rankings(request):
    """Every published ranking, newest year first (no login)."""
    terms = (
        Term.objects.filter(rankings__isnull=False)
        .select_related("cluster__authority")
        .distinct()
        .order_by("-year", "cluster__name")
    )
    return render(request, "pledges/public_rankings.html", {"terms": terms})


@login_not_required
@require_GET
def public_ranking(request, pk):
    term = get_object_or_404(
        Term.objects.select_related("cluster__authority"), pk=pk, rankings__isnull=False
    )
    return render(
        request,
        "pledges/public_ranking.html",
        {
            "term": term,
            "published": selectors.published_ranking(term),
            "rows": selectors.cluster_totals(term),
        },
    )
