"""Reads shaped for pages, scoped to what the user may reach; no N+1.

Scoping rule: admins and province staff reach everything of their authority; a
unit officer reaches its own unit, the clusters its unit belongs to (in any
year) and their terms. Anything else is not found."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.collation import VietnameseOrderedRows, vi_sorted

from . import rotation, wording
from .models import (
    Cluster,
    Handover,
    MemberRole,
    Membership,
    RotationPolicy,
    RotationSlot,
    Term,
    TermState,
    Unit,
    User,
)
from .permissions import is_unit_officer, sees_whole_authority


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Units the user may open."""
    if sees_whole_authority(user):
        # Staff of an authority (sees_whole_authority).
        assert user.authority_id is not None  # noqa: S101
        return Unit.objects.filter(authority_id=user.authority_id)
    if is_unit_officer(user):
        # An officer of a unit of an authority (is_unit_officer).
        assert user.authority_id is not None  # noqa: S101
        assert user.unit_id is not None  # noqa: S101
        return Unit.objects.filter(pk=user.unit_id, authority_id=user.authority_id)
    return Unit.objects.none()


def clusters_visible_to(user: User) -> QuerySet[Cluster]:
    """Clusters the user may open."""
    if sees_whole_authority(user):
        # Staff of an authority (sees_whole_authority).
        assert user.authority_id is not None  # noqa: S101
        return Cluster.objects.filter(authority_id=user.authority_id)
    if is_unit_officer(user):
        # An officer of a unit of an authority (is_unit_officer).
        assert user.authority_id is not None  # noqa: S101
        assert user.unit_id is not None  # noqa: S101
        return Cluster.objects.filter(
            authority_id=user.authority_id,
            pk__in=Membership.objects.filter(unit_id=user.unit_id).values(
                "term__cluster_id"
            ),
        )
    return Cluster.objects.none()


def terms_visible_to(user: User) -> QuerySet[Term]:
    """Terms of the clusters the user may open."""
    return Term.objects.filter(cluster__in=clusters_visible_to(user))


def memberships_of_term(term: Term) -> list[Membership]:
    return vi_sorted(term.memberships.select_related("unit"), key=lambda m: m.unit.name)


def newest_of_their_clusters(terms: QuerySet[Term]) -> QuerySet[Term]:
    """`terms` kept to those that are their cluster's latest year."""
    newest = Term.objects.filter(cluster=OuterRef("cluster")).order_by("-year")
    return terms.filter(pk=Subquery(newest.values("pk")[:1]))


def latest_terms(clusters: Iterable[Cluster]) -> dict[int, Term]:
    """The latest term of each cluster in `clusters`, with its member count and
    its chair and deputy loaded (its `memberships` hold only those two), as a
    dict cluster_id → Term (clusters without a term are absent). Two queries
    whatever the number of years."""
    terms = (
        newest_of_their_clusters(Term.objects.filter(cluster__in=clusters))
        .annotate(member_count=Count("memberships"))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    role__in=[MemberRole.CHAIR, MemberRole.DEPUTY]
                ).select_related("unit"),
            )
        )
    )
    return {term.cluster_id: term for term in terms}


def cluster_rows(
    user: User, *, kind: str | None = None, query: str | None = None
) -> QuerySet[Cluster]:
    """The clusters `user` sees, by name, for the list and home pages; give
    the ones shown to `with_latest_terms`."""
    clusters = clusters_visible_to(user).select_related("authority")
    if kind:
        clusters = clusters.filter(kind=kind)
    if query:
        clusters = clusters.filter(name__icontains=query)
    return clusters.order_by("name", "pk")


def with_latest_terms(clusters: Iterable[Cluster]) -> list[Cluster]:
    """`clusters` as a list, each with `.latest_term` set (`latest_terms`)."""
    rows = list(clusters)
    latest = latest_terms(rows)
    for cluster in rows:
        cluster.latest_term = latest.get(cluster.pk)  # type: ignore[attr-defined]
    return rows


def cluster_detail(user: User, pk: int) -> Cluster:
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


def _rotation_slots() -> QuerySet[RotationSlot]:
    return RotationSlot.objects.select_related("unit").order_by("position")


def term_detail(user: User, pk: int) -> Term:
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


def term_reopenings(term: Term) -> list[Any]:
    """Every re-opening of `term` (a history entry that took it from `closed`
    back), oldest first, as history records with `history_user`: when, by whom
    and why. One query whatever the length of the history."""
    records = list(
        term.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    )
    return [
        record
        for before, record in zip(records, records[1:], strict=False)
        if before.state == TermState.CLOSED and record.state != TermState.CLOSED
    ]


def handover_of(term: Term, attr: str) -> Handover | None:
    """`term.handover_in` / `handover_out` or None (reverse one-to-one)."""
    try:
        return getattr(term, attr)
    except Handover.DoesNotExist:
        return None


def unit_rows(
    user: User,
    *,
    kind: str | None = None,
    active: bool | None = None,
    query: str | None = None,
    on: datetime.date | None = None,
) -> VietnameseOrderedRows[Unit]:
    """Units for the list page, filtered by kind, validity on `on`, and name,
    in Vietnamese alphabetical order (`core.collation`), read as objects a
    page at a time."""
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
    return VietnameseOrderedRows(units)


def unit_detail(user: User, pk: int) -> Unit:
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


def officer_memberships(user: User) -> list[Membership]:
    """The officer's unit's memberships in the latest term of each of its clusters,
    with the term, cluster and the term's chair and deputy loaded."""
    if not is_unit_officer(user):
        return []
    assert user.unit_id is not None  # noqa: S101 (an officer has a unit)
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
    latest: dict[int, Membership] = {}
    for membership in memberships:
        latest.setdefault(membership.term.cluster_id, membership)
    return list(latest.values())


def users_of_authority(
    user: User, *, query: str | None = None, role: str | None = None
) -> QuerySet[User]:
    """Users of the admin's authority with their units."""
    # The stubs refuse None in a lookup; Django reads it as IS NULL.
    users = User.objects.filter(
        authority_id=user.authority_id  # type: ignore[misc]
    ).select_related("unit")
    if role:
        users = users.filter(role=role)
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query)
        )
    return users.order_by("username")


class AuthorityCounts(TypedDict):
    units: int
    clusters: int
    users: int


def authority_counts(user: User) -> AuthorityCounts:
    """How many units, clusters and users the admin's authority has (3 queries)."""
    authority_id = user.authority_id
    # The stubs refuse None in a lookup; Django reads it as IS NULL.
    return {
        "units": Unit.objects.filter(
            authority_id=authority_id  # type: ignore[misc]
        ).count(),
        "clusters": Cluster.objects.filter(
            authority_id=authority_id  # type: ignore[misc]
        ).count(),
        "users": User.objects.filter(
            authority_id=authority_id  # type: ignore[misc]
        ).count(),
    }


# Rotation, rollover and handover -------------------------------------------


def _history_of(
    cluster: Cluster, before_year: int | None = None
) -> tuple[list[tuple[int, Unit | None, Unit | None]], list[Term]]:
    """(year, chair, deputy) of the cluster's terms, oldest first."""
    terms = cluster.terms.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
    ).order_by("year")
    if before_year is not None:
        terms = terms.filter(year__lt=before_year)
    return [(t.year, t.chair, t.deputy) for t in terms], list(terms)


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def first_year_proposal(
    cluster: Cluster, year: int
) -> tuple[list[Unit], Unit | None, Unit | None]:
    """For the first year of a cluster without any term: the active units of
    its rotation order as members, with the chair and deputy its policy
    proposes from that order — (units, chair, deputy); ([], None, None) without
    an order or once a year exists."""
    if cluster.terms.exists():
        return [], None, None
    order = _rotation_order(cluster)
    day = rotation.first_day(year)
    units = []
    for unit in order:
        active = rotation.resolve(unit, day)
        if active is not None and active not in units:
            units.append(active)
    if not units:
        return [], None, None
    proposal = rotation.propose(
        policy=cluster.rotation_policy,
        order=order,
        members=units,
        history=[],
        year=year,
    )
    return units, proposal.chair, proposal.deputy


def _rotation_order(cluster: Cluster) -> list[Unit]:
    return [
        slot.unit
        for slot in RotationSlot.objects.filter(cluster=cluster)
        .select_related("unit__successor__successor")
        .order_by("position")
    ]


def _members_with_successors(term: Term) -> list[Unit]:
    return [
        m.unit
        for m in term.memberships.select_related("unit__successor__successor").order_by(
            "unit__name"
        )
    ]


def rotation_preview(
    cluster: Cluster, *, years: int = 8, first_year: int | None = None
) -> tuple[Term | None, list[rotation.YearProposal], list[Unit]]:
    """Who the current policy proposes for the `years` after the latest term,
    assuming today's members and rotation order. Before any year is opened the
    units of the rotation order are the members and the preview starts at
    `first_year` (this year by default): the order alone is enough. Returns
    (latest term or None, proposals, members missing from the order)."""
    history, terms = _history_of(cluster)
    order = _rotation_order(cluster)
    latest = terms[-1] if terms else None
    if latest is None and not order:
        return None, [], []
    members = _members_with_successors(latest) if latest else list(order)
    proposals = rotation.preview(
        policy=cluster.rotation_policy,
        order=order,
        members=members,
        history=history,
        first_year=latest.year + 1 if latest else first_year or _this_year(),
        years=years,
    )
    in_order = {u.pk for u in order}
    missing = [u for u in members if u.pk not in in_order]
    return latest, proposals, missing


@dataclass
class RolloverProposal:
    """What opening the year after a term would create."""

    year: int
    kept: list[Unit]
    removed: list[Unit]
    added: list[Unit]
    chair: Unit | None
    deputy: Unit | None
    notes: list[str]
    source: str  # "policy", "vote", "ranking" or "none"

    @property
    def units(self) -> list[Unit]:
        return [*self.kept, *self.added]


def rollover_proposal(term: Term) -> RolloverProposal:
    """Members carried over (inactive units replaced by successors) and the chair
    and deputy proposed by the cluster's policy, or by the closed chair election
    of `term` under the elected policy."""
    cluster = term.cluster
    year = term.year + 1
    kept, removed, added = rotation.carried_members(
        _members_with_successors(term), year
    )
    history, _terms = _history_of(cluster, before_year=year)
    proposal = rotation.propose(
        policy=cluster.rotation_policy,
        order=_rotation_order(cluster),
        members=[*kept, *added],
        history=history,
        year=year,
    )
    chair, deputy, source = proposal.chair, proposal.deputy, "policy"
    notes = list(proposal.notes)
    if cluster.rotation_policy == RotationPolicy.ELECTED:
        chair, deputy = elected_chair_and_deputy(term)
        source = "vote" if chair else "none"
        if chair is None:
            notes.append(
                wording.for_kind(
                    cluster,
                    _("No closed chair election yet: choose the chair below."),
                    pgettext(
                        "block", "No closed chair election yet: choose the chair below."
                    ),
                )
            )
    elif cluster.rotation_policy == RotationPolicy.LEADER_CHAIRS:
        chair, deputy = leading_units(term, [*kept, *added])
        source = "ranking" if chair else "none"
        if chair is None:
            notes.append(
                _("No published ranking of the year yet: choose the chair below.")
            )
    elif not proposal.predicted:
        source = "none"
    return RolloverProposal(
        year=year,
        kept=kept,
        removed=removed,
        added=added,
        chair=chair,
        deputy=deputy,
        notes=notes,
        source=source,
    )


# Who led a term: functions term -> its units, leading first (the flag
# winner, then the published ranking), empty when not known. Higher apps
# register theirs in `AppConfig.ready`: pledges its published ranking.
LEADERS: list[Callable[[Term], list[Unit]]] = []


def leading_units(
    term: Term, members: Sequence[Unit]
) -> tuple[Unit | None, Unit | None]:
    """Chair and deputy for the year after `term` under the policy “the
    leading unit chairs”: the first and second of the first registered source
    (`LEADERS`) that knows the order, limited to `members` of the next year
    (a merged unit's successor takes its place); (None, None) when no source
    knows it."""
    day = rotation.first_day(term.year + 1)
    allowed = {u.pk: u for u in members}
    for source in LEADERS:
        ordered = []
        for unit in source(term):
            active = rotation.resolve(unit, day)
            if active is not None and active.pk in allowed and active not in ordered:
                ordered.append(allowed[active.pk])
        if ordered:
            return ordered[0], (ordered[1] if len(ordered) > 1 else None)
    return None, None


# Who elects a cluster's chair: functions term -> (chair, deputy) of the year
# after the term, (None, None) without a closed election. The awards app, whose
# votes hold chair elections, registers its own in `AwardsConfig.ready`.
CHAIR_ELECTIONS: list[Callable[[Term], tuple[Unit | None, Unit | None]]] = []


def elected_chair_and_deputy(term: Term) -> tuple[Unit | None, Unit | None]:
    """Chair and deputy elected for the year after `term` by the first
    registered election (`CHAIR_ELECTIONS`) that elected a chair, or
    (None, None)."""
    for election in CHAIR_ELECTIONS:
        chair, deputy = election(term)
        if chair is not None:
            return chair, deputy
    return None, None


@dataclass
class ChecklistItem:
    label: str
    done: bool
    mandatory: bool
    url: str = ""
    url_name: str = ""  # what `clusters.links.can_open` checks for the viewer

    @property
    def blocks(self) -> bool:
        return self.mandatory and not self.done


def handover_checklist(term: Term) -> list[ChecklistItem]:
    """What is still open in `term` before its chair hands over, computed from
    the data. Mandatory open items block the handover (an admin may override)."""
    next_term = (
        Term.objects.filter(cluster_id=term.cluster_id, year=term.year + 1)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
        )
        .first()
    )
    items = [
        ChecklistItem(
            _("The year %(year)s is opened") % {"year": term.year + 1},
            next_term is not None,
            True,
            "" if next_term else reverse("term_rollover", args=[term.pk]),
            "term_rollover",
        ),
        ChecklistItem(
            wording.for_kind(
                term,
                _("The next year has a chair"),
                pgettext("block", "The next year has a chair"),
            ),
            next_term is not None and next_term.chair is not None,
            True,
            reverse("term_edit", args=[next_term.pk]) if next_term else "",
            "term_edit",
        ),
        ChecklistItem(
            _("The awards of the year are decided"),
            term.state in (TermState.DECIDED, TermState.CLOSED),
            True,
            reverse("term_detail", args=[term.pk]),
            "term_detail",
        ),
    ]
    items.append(
        ChecklistItem(
            _(
                "Hand over the rotating flag (cờ luân lưu) at the conference, "
                "and tick it when recording the handover"
            ),
            Handover.objects.filter(from_term=term, flag_handed_over=True).exists(),
            False,
        )
    )
    open_votes = term.votes.filter(state="open").count()
    items.append(
        ChecklistItem(
            _("Every vote of the year is closed"),
            open_votes == 0,
            True,
            reverse("term_detail", args=[term.pk]),
            "term_detail",
        )
    )
    if next_term is not None:
        member_ids = [m.unit_id for m in next_term.memberships.all()]
        with_officer = set(
            User.objects.filter(unit_id__in=member_ids, is_active=True).values_list(
                "unit_id", flat=True
            )
        )
        items.append(
            ChecklistItem(
                _("Every member of the next year has an officer account"),
                set(member_ids) <= with_officer,
                False,
                reverse("user_list"),
                "user_list",
            )
        )
    return items


def next_term(term: Term) -> Term | None:
    """The cluster's year after `term`, or None."""
    return Term.objects.filter(cluster_id=term.cluster_id, year=term.year + 1).first()


def membership_in_reach(user: User, pk: int) -> Membership:
    """A membership of a term `user` sees, with its term and unit. Raises
    Membership.DoesNotExist."""
    return Membership.objects.select_related("term", "unit").get(
        pk=pk, term__in=terms_visible_to(user)
    )


@dataclass
class RotationSettings:
    """The rotation page's data: the order and the units that may join it."""

    slots: list  # RotationSlot with its unit, in order
    in_order: object  # queryset of the units in the order
    addable: object  # queryset of the authority's active units not in it


def rotation_settings(cluster: Cluster) -> RotationSettings:
    """The cluster's rotation order and the choices of the rotation page
    (1 query for the order; the choices are lazy querysets)."""
    slots = list(_rotation_slots().filter(cluster=cluster))
    unit_ids = [s.unit_id for s in slots]
    return RotationSettings(
        slots=slots,
        in_order=Unit.objects.filter(pk__in=unit_ids),
        addable=Unit.objects.filter(
            authority_id=cluster.authority_id, valid_to__isnull=True
        ).exclude(pk__in=unit_ids),
    )


def cluster_with_authority(user: User, pk: int) -> Cluster:
    """A cluster `user` sees, with its authority. Raises Cluster.DoesNotExist."""
    return clusters_visible_to(user).select_related("authority").get(pk=pk)


def latest_term(cluster: Cluster) -> Term | None:
    """`cluster`'s latest term (the highest year), or None before its first."""
    return cluster.terms.order_by("-year").first()
