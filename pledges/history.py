"""Reads over the years: a member's results in the earlier terms of its
cluster (a fixed number of queries whatever the number of years, terms or
members), and the shape of an authority's recent years (`AuthorityYear`, read
by pledges.dashboard)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clusters.models import BAND_LABELS, Term

from .models import RankingSnapshot


@dataclass
class MemberYear:
    """One year of a member: its total, rank and band in the published ranking,
    or None with a `note` saying why there is none."""

    year: int
    scale: int
    total: str | None = None
    rank: int | None = None
    members: int = 0
    band: str = ""
    note: str = ""

    @property
    def band_label(self):
        return BAND_LABELS.get(self.band, "")


@dataclass
class AuthorityYear:
    """One year of an authority: how many terms, how many of them published,
    and the members of the published ones by band."""

    year: int
    terms: int
    published: int = 0
    bands: list = field(default_factory=list)


def _latest_snapshots(snapshots):
    latest = {}
    for snapshot in snapshots.order_by("term_id", "-number"):
        latest.setdefault(snapshot.term_id, snapshot)
    return latest


def member_history(term, unit_id):
    """`unit_id`'s total, rank and band in each earlier term of `term`'s
    cluster, oldest first (2 queries)."""
    terms = list(
        Term.objects.filter(cluster_id=term.cluster_id, year__lt=term.year)
        .order_by("year")
        .only("pk", "year", "total_points")
    )
    latest = _latest_snapshots(
        RankingSnapshot.objects.filter(term__in=[t.pk for t in terms]).only(
            "term", "number", "rows"
        )
    )
    years = []
    for earlier in terms:
        entry = MemberYear(year=earlier.year, scale=earlier.total_points)
        snapshot = latest.get(earlier.pk)
        row = None
        if snapshot is not None:
            row = next((r for r in snapshot.rows if r.get("unit_id") == unit_id), None)
        if snapshot is None:
            entry.note = _("not published")
        elif row is None:
            entry.note = _("not a member")
        else:
            entry.total = row.get("total")
            entry.rank = row.get("rank")
            entry.members = len(snapshot.rows)
            entry.band = row.get("band", "")
            if entry.total is None:
                entry.note = _("not published")
        years.append(entry)
    return years
