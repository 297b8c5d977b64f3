"""Reads shaped for pages, scoped to what the user may reach; no N+1.

Scoping rule: admins and province staff reach everything of their authority; a
unit officer reaches its own unit, the clusters its unit belongs to (in any
year) and their terms. Anything else is not found."""

from django.db.models import Count, Prefetch, Q

from .models import (
    Cluster,
    Handover,
    Membership,
    RotationSlot,
    Term,
    Unit,
    User,
)
from .permissions import is_unit_officer, sees_whole_authority


def units_visible_to(user):
    """Units the user may open."""
    if sees_whole_authority(user):
        return Unit.objects.filter(authority_id=user.authority_id)
    if is_unit_officer(user):
        return Unit.objects.filter(pk=user.unit_id, authority_id=user.authority_id)
    return Unit.objects.none()


def clusters_visible_to(user):
    """Clusters the user may open."""
    if sees_whole_authority(user):
        return Cluster.objects.filter(authority_id=user.authority_id)
    if is_unit_officer(user):
        return Cluster.objects.filter(
            authority_id=user.authority_id,
            pk__in=Membership.objects.filter(unit_id=user.unit_id).values(
                "term__cluster_id"
            ),
        )
    return Cluster.objects.none()


def terms_visible_to(user):
    """Terms of the clusters the user may open."""
    return Term.objects.filter(cluster__in=clusters_visible_to(user))


def memberships_of_term(term):
    return term.memberships.select_related("unit").order_by("unit__name")


def latest_terms(clusters):
    """The latest term of each cluster in `clusters`, with chair and deputy loaded,
    as a dict cluster_id → Term (clusters without a term are absent)."""
    terms = (
        Term.objects.filter(cluster__in=clusters)
        .order_by("cluster_id", "-year")
        .annotate(member_count=Count("memberships"))
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
        )
    )
    latest = {}
    for term in terms:
        latest.setdefault(term.cluster_id, term)
    return latest


def cluster_rows(user, *, kind=None, query=None):
    """Clusters for the list and home pages, each with `.latest_term` set."""
    clusters = clusters_visible_to(user).select_related("authority")
    if kind:
        clusters = clusters.filter(kind=kind)
    if query:
        clusters = clusters.filter(name__icontains=query)
    clusters = list(clusters)
    latest = latest_terms(clusters)
    for cluster in clusters:
        cluster.latest_term = latest.get(cluster.pk)
    return clusters


def cluster_detail(user, pk):
    """A visible cluster with every term (newest first), each with its
    memberships, chair, deputy and handovers loaded. Raises Cluster.DoesNotExist."""
    return (
        clusters_visible_to(user)
        .select_related("authority")
        .prefetch_related(
            Prefetch(
                "terms",
                queryset=Term.objects.order_by("-year")
                .select_related("handover_out__to_unit", "handover_out__from_unit")
                .prefetch_related(
                    Prefetch(
                        "memberships",
                        queryset=Membership.objects.select_related("unit").order_by(
                            "unit__name"
                        ),
                    )
                ),
            ),
            Prefetch("rotation_slots", queryset=_rotation_slots()),
        )
        .get(pk=pk)
    )


def _rotation_slots():
    return RotationSlot.objects.select_related("unit").order_by("position")


def term_detail(user, pk):
    """A visible term with cluster, members and both handovers. Raises
    Term.DoesNotExist."""
    return (
        terms_visible_to(user)
        .select_related(
            "cluster__authority",
            "handover_in__from_unit",
            "handover_in__from_term",
            "handover_out__to_unit",
            "handover_out__to_term",
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by(
                    "unit__name"
                ),
            )
        )
        .get(pk=pk)
    )


def handover_of(term, attr):
    """`term.handover_in` / `handover_out` or None (reverse one-to-one)."""
    try:
        return getattr(term, attr)
    except Handover.DoesNotExist:
        return None


def unit_rows(user, *, kind=None, active=None, query=None, on=None):
    """Units for the list page, filtered by kind, validity on `on`, and name."""
    units = units_visible_to(user).select_related("successor")
    if kind:
        units = units.filter(kind=kind)
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    if active is not None and on is not None:
        current = Q(valid_from__lte=on) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
        units = units.filter(current) if active else units.exclude(current)
    return units.order_by("name")


def unit_detail(user, pk):
    """A visible unit with its memberships (term and cluster), officers and
    predecessors. Raises Unit.DoesNotExist."""
    return (
        units_visible_to(user)
        .select_related("successor", "authority")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("term__cluster").order_by(
                    "-term__year", "term__cluster__name"
                ),
            ),
            Prefetch("officers", queryset=User.objects.order_by("username")),
            "predecessors",
        )
        .get(pk=pk)
    )


def officer_memberships(user):
    """The officer's unit's memberships in the latest term of each of its clusters,
    with the term, cluster and the term's chair and deputy loaded."""
    if not is_unit_officer(user):
        return []
    memberships = (
        Membership.objects.filter(unit_id=user.unit_id)
        .select_related("term__cluster")
        .prefetch_related(
            Prefetch(
                "term__memberships",
                queryset=Membership.objects.select_related("unit"),
            )
        )
        .order_by("term__cluster_id", "-term__year")
    )
    latest = {}
    for membership in memberships:
        latest.setdefault(membership.term.cluster_id, membership)
    return list(latest.values())


def users_of_authority(user, *, query=None, role=None):
    """Users of the admin's authority with their units."""
    users = User.objects.filter(authority_id=user.authority_id).select_related("unit")
    if role:
        users = users.filter(role=role)
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query)
        )
    return users.order_by("username")


def authority_counts(user):
    """How many units, clusters and users the admin's authority has (3 queries)."""
    authority_id = user.authority_id
    return {
        "units": Unit.objects.filter(authority_id=authority_id).count(),
        "clusters": Cluster.objects.filter(authority_id=authority_id).count(),
        "users": User.objects.filter(authority_id=authority_id).count(),
    }
