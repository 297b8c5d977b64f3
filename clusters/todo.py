"""“Việc cần làm”: what each viewer should do next, for the home page.

Apps depend one way (clusters ← pledges ← campaigns ← awards), so this module
only keeps a registry: each app registers a provider in `AppConfig.ready`.
A provider is `provider(user, today) -> list[Item]`, computed from the data in
a number of queries that does not grow with the number of clusters or terms,
and offers only links the viewer may follow (the predicate the target view
checks, see `clusters.links`).

`items_for(user, today)` collects every provider's items, most urgent first,
and `groups(items)` groups them by the role in which the viewer holds them (a
unit officer may chair one cluster and be a member of another)."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions
from .models import Cluster, MemberRole, Membership, Role, Term, TermState
from .selectors import newest_of_their_clusters

# Urgency, most urgent first: overdue (a deadline has passed or a report came
# back), due (a deadline within `SOON_DAYS`), open (work to do) and info (a
# step waiting for someone else, shown so the viewer knows where things are).
OVERDUE, DUE, OPEN, INFO = "overdue", "due", "open", "info"
URGENCY_ORDER = {OVERDUE: 0, DUE: 1, OPEN: 2, INFO: 3}
URGENCY_LABELS = {
    OVERDUE: gettext_lazy("overdue"),
    DUE: gettext_lazy("due soon"),
    OPEN: gettext_lazy("to do"),
    INFO: gettext_lazy("for information"),
}
SOON_DAYS = 7
# Once a year's awards are under way its chair hands over to the next year,
# which the admin opens first (see `selectors.handover_checklist`).
NEXT_YEAR_DUE_STATES = (TermState.PROPOSING, TermState.DECIDED, TermState.CLOSED)

_PROVIDERS = []


@dataclass(frozen=True)
class Item:
    """One task: `label` names it, `url` is the exact page where it is done.
    `count` is how many things wait there (None: a single task); `done` out of
    `total` is progress (e.g. peer scores given, 7/10, `progress_label` saying
    of what: “scored”, “signed”…); `deadline` the last
    day, if any; `group` the role in which the viewer holds it (e.g. “Chair —
    <cluster> 2024”), `order` the step of the year it belongs to."""

    label: str
    url: str
    group: str = ""
    count: int | None = None
    done: int | None = None
    total: int | None = None
    deadline: datetime.date | None = None
    urgency: str = OPEN
    note: str = ""
    order: int = 0
    progress_label: str = ""

    @property
    def urgency_label(self):
        return URGENCY_LABELS[self.urgency]

    @property
    def has_progress(self):
        return self.total is not None


def register(provider):
    """Add `provider(user, today) -> list[Item]` (once; re-registering the same
    function, as a second `ready()` would, keeps one)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def urgency_of(deadline, today, *, overdue=False):
    """OVERDUE when `overdue` or the deadline has passed, DUE within
    `SOON_DAYS` of it, OPEN otherwise (and without a deadline)."""
    if overdue or (deadline is not None and deadline < today):
        return OVERDUE
    if deadline is not None and (deadline - today).days <= SOON_DAYS:
        return DUE
    return OPEN


def items_for(user, today):
    """Every provider's items for `user`, most urgent first, then by deadline
    and by the step of the year."""
    if not (user.is_authenticated and user.is_active):
        return []
    items = [item for provider in _PROVIDERS for item in provider(user, today)]
    return sorted(
        items,
        key=lambda item: (
            URGENCY_ORDER[item.urgency],
            item.deadline or datetime.date.max,
            item.order,
        ),
    )


@dataclass
class Group:
    """A group's items; `more` of them are left out of `items` (`groups`)."""

    label: str
    items: list
    more: int = 0


def groups(items, *, shown=None):
    """`items` grouped by `Item.group`, groups in the order of their most
    urgent item, items keeping their order; with `shown`, each group keeps
    its first `shown` items and counts the others in `more`."""
    found = {}
    for item in items:
        found.setdefault(item.group, Group(item.group, [])).items.append(item)
    if shown is not None:
        for group in found.values():
            group.more = max(len(group.items) - shown, 0)
            del group.items[shown:]
    return list(found.values())


def year_label(term):
    """“<cluster>, <the term's label>” for an item's label or group: “Cụm 1,
    năm 2024”, “Khối 2, năm học 2024–2025”."""
    return _("%(cluster)s, %(period)s") % {
        "cluster": term.cluster.name,
        "period": term.page_phrase,
    }


def term_group(role, term):
    """The group of a unit officer's items in `term`: its title there (which
    follows the cluster's kind, e.g. “Trưởng khối”) and the year."""
    from . import wording

    return f"{capfirst(wording.role_title(role, term.cluster))} — {year_label(term)}"


def role_group(role):
    """The group of an admin's or province staff's items: the role's name."""
    return capfirst(Role(role).label)


# The clusters app's own items ------------------------------------------------


def _admin_items(user, today):
    """Years to open, chairs to set and officer accounts without a unit
    (5 queries whatever the number of clusters and years, each reading only
    the terms it names)."""
    authority_id = user.authority_id
    group = role_group(Role.ADMIN)
    items = []
    for cluster in Cluster.objects.filter(
        authority_id=authority_id, terms__isnull=True
    ).order_by("name"):
        items.append(
            Item(
                _("Open the first year of %(cluster)s") % {"cluster": cluster.name},
                reverse("cluster_detail", args=[cluster.pk]),
                group=group,
                order=1,
            )
        )
    terms = Term.objects.filter(cluster__authority_id=authority_id).select_related(
        "cluster"
    )
    due = newest_of_their_clusters(terms).filter(state__in=NEXT_YEAR_DUE_STATES)
    for term in sorted(due, key=lambda t: t.cluster.name):
        items.append(
            Item(
                _("Open the next year (%(label)s) of %(cluster)s")
                % {"label": term.next_page_label, "cluster": term.cluster.name},
                reverse("term_rollover", args=[term.pk]),
                group=group,
                order=2,
            )
        )
    # Open years older than their cluster's latest.
    later = Term.objects.filter(cluster=OuterRef("cluster"), year__gt=OuterRef("year"))
    latest_and_earlier = (
        terms.exclude(state=TermState.CLOSED)
        .filter(Exists(later))
        .order_by("cluster_id", "-year")
    )
    for term in latest_and_earlier:
        items.append(
            Item(
                _("Finish the year %(year)s: a later year is already open")
                % {"year": year_label(term)},
                reverse("term_detail", args=[term.pk]),
                group=group,
                urgency=DUE,
                order=2,
            )
        )
    for term in (
        Term.objects.filter(cluster__authority_id=authority_id)
        .exclude(state=TermState.CLOSED)
        .exclude(memberships__role=MemberRole.CHAIR)
        .select_related("cluster")
        .order_by("cluster__name", "year")
    ):
        items.append(
            Item(
                _("Set the chair of %(year)s") % {"year": year_label(term)},
                reverse("term_edit", args=[term.pk]),
                group=group,
                urgency=DUE,
                order=3,
            )
        )
    without_account = (
        Membership.objects.filter(term__cluster__authority_id=authority_id)
        .exclude(term__state=TermState.CLOSED)
        .exclude(unit__officers__is_active=True)
        .values("unit_id")
        .distinct()
        .count()
    )
    if without_account:
        items.append(
            Item(
                _("Create officer accounts for the member units that have none"),
                reverse("user_list") + "?role=" + Role.UNIT_OFFICER,
                group=group,
                count=without_account,
                order=4,
            )
        )
    return items


def _handover_items(user, today):
    """The chair's handover, once the awards are under way (1 query). The
    officer's unit chairs these years and none is handed over or closed yet,
    so the officer holds the chair's powers (`permissions.can_record_handover`)."""
    return [
        Item(
            _("Hand over the chair to the next year"),
            reverse("term_handover", args=[m.term_id]),
            group=term_group(MemberRole.CHAIR, m.term),
            order=110,
        )
        for m in Membership.objects.filter(
            unit_id=user.unit_id,
            role=MemberRole.CHAIR,
            term__state__in=(TermState.PROPOSING, TermState.DECIDED),
            term__handover_out__isnull=True,
        ).select_related("term__cluster")
    ]


def provider(user, today):
    """`clusters.todo` provider of the clusters app itself."""
    if permissions.is_admin(user):
        return _admin_items(user, today)
    if permissions.is_unit_officer(user):
        return _handover_items(user, today)
    return []
