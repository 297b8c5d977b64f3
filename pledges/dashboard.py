"""The province dashboard, read from per-term summary rows (models.TermSummary).

A term's summary holds what the dashboard shows of it: members, reports by
state, peer scores given and, of its latest published ranking, the version,
the leaders and the members in each classification band. The dashboard reads
the terms of the five years up to the chosen one with their summaries and the
committed data versions of those terms (clusters.versions); a summary taken at
an older version, or before the latest publication, is recomputed for all such
terms together (`refresh`) and stored. So a read costs the same few queries
whatever the number of clusters and years, a write makes only its own term's
summary stale, and a published ranking's rows are decoded once per publication
(by `ranking_publish`, which stores the summary of its term), not on every read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery

from clusters.models import Membership, Term
from clusters.versions import term_key
from core import versions

from .models import RankingSnapshot, Report, Score, TermSummary

BAND_ORDER = ["excellent", "good", "complete", "not_complete"]
HISTORY_YEARS = 5

_COUNTS = ("members", "submitted", "returned", "draft", "peer_scores")
_FIELDS = (*_COUNTS, "version", "published_number", "leaders", "bands")


class DashboardRow(TypedDict):
    """One cluster's or block's row of `dashboard`."""

    term: Term
    submitted: int
    returned: int
    draft: int
    peer_scores: int
    published: int | None
    leaders: list[str]
    bands: list[tuple[str, int]]


def _latest_number() -> Subquery:
    return Subquery(
        RankingSnapshot.objects.filter(term=OuterRef("pk"))
        .order_by("-number")
        .values("number")[:1]
    )


def _is_stale(
    summary: Mapping[str, Any] | None, version: int, latest_number: int | None
) -> bool:
    return (
        summary is None
        or summary["version"] != version
        or summary["published_number"] != latest_number
    )


def refresh(
    terms: Mapping[int, tuple[int, int | None, dict[str, Any] | None]],
    *,
    rows: Mapping[int, list[dict[str, Any]]] | None = None,
    store: bool = True,
) -> dict[int, dict[str, Any]]:
    """Recompute and store the summaries of `terms` ({term id: (version,
    latest published number or None, stored summary dict or None)}); returns
    {term id: summary dict}. Counts are taken after the versions were read, so
    a summary is never newer-labelled than its counts. Bands and leaders are
    read from the latest snapshot only when it is not the one the stored
    summary has (`rows`: {term id: rows} already in hand). A fixed number of
    queries whatever the number of terms; nothing stored unless `store`."""
    if not terms:
        return {}
    ids = list(terms)
    members = dict(
        Membership.objects.filter(term_id__in=ids)
        .values_list("term_id")
        .annotate(n=Count("id"))
    )
    by_state: dict[int, dict[str, int]] = {}
    for term_id, state, n in (
        Report.objects.filter(term_id__in=ids)
        .values_list("term_id", "state")
        .annotate(n=Count("id"))
    ):
        by_state.setdefault(term_id, {})[state] = n
    peer = dict(
        Score.objects.filter(report__term_id__in=ids, kind="peer")
        .values_list("report__term_id")
        .annotate(n=Count("id"))
    )
    rows = dict(rows or {})
    to_decode = [
        pk
        for pk, (_version, number, stored) in terms.items()
        if number is not None
        and pk not in rows
        and (stored is None or stored["published_number"] != number)
    ]
    if to_decode:
        rows.update(
            RankingSnapshot.objects.filter(
                term_id__in=to_decode, number=Subquery(_latest_of_term())
            ).values_list("term_id", "rows")
        )
    summaries, objects = {}, []
    # In the order of the keys, so that two readers refreshing the same terms
    # lock their rows in the same order (no deadlock between upserts).
    for pk, (version, number, stored) in sorted(terms.items()):
        states = by_state.get(pk, {})
        summary = {
            "version": version,
            "members": members.get(pk, 0),
            "submitted": states.get("submitted", 0) + states.get("accepted", 0),
            "returned": states.get("returned", 0),
            "draft": states.get("draft", 0),
            "peer_scores": peer.get(pk, 0),
            "published_number": number,
            "leaders": [],
            "bands": {},
        }
        if number is not None:
            if pk in rows:
                summary["leaders"], summary["bands"] = _published(rows[pk])
            else:  # the stored summary already has this publication
                summary["leaders"] = stored["leaders"]
                summary["bands"] = stored["bands"]
        summaries[pk] = summary
        objects.append(TermSummary(term_id=pk, **summary))
    if not store:
        return summaries
    TermSummary.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["term"],
        update_fields=[*_FIELDS, "computed_at"],
    )
    return summaries


def _latest_of_term() -> QuerySet[RankingSnapshot, Any]:
    return (
        RankingSnapshot.objects.filter(term_id=OuterRef("term_id"))
        .order_by("-number")
        .values("number")[:1]
    )


def _published(
    snapshot_rows: Iterable[Mapping[str, Any]],
) -> tuple[list[str], dict[str, int]]:
    """(leaders, {band: members}) of a published ranking's rows."""
    bands = dict.fromkeys(BAND_ORDER, 0)
    leaders = []
    for row in snapshot_rows:
        if row.get("band") in bands:
            bands[row["band"]] += 1
        if row.get("rank") == 1:
            leaders.append(row["unit"])
    return leaders, bands


def store_publication(term: Term, snapshot: RankingSnapshot) -> None:
    """Store `term`'s summary for its new published ranking `snapshot` (called
    by `ranking_publish`, in its transaction). The bands and leaders are final;
    the counts are labelled with no version (-1), so the next dashboard read
    takes them again: a later write in the same transaction raises no version
    (core.versions raises a scope once per transaction) and would otherwise
    leave them behind unnoticed."""
    stored = TermSummary.objects.filter(term_id=term.pk).values(*_FIELDS).first()
    refresh({term.pk: (-1, snapshot.number, stored)}, rows={term.pk: snapshot.rows})


def dashboard(
    authority_id: int, year: int, kind: str | None = None
) -> tuple[list[DashboardRow], list[tuple[int, list[tuple[str, int]]]]]:
    """(rows, history) of an authority's dashboard: a row for every cluster and
    block with a term in `year` (the term, with `member_count`; reports
    submitted, returned and in draft; peer scores given; the latest published
    ranking's version or None, its leaders and its members by band) and, for
    the five years up to `year`, the members by band over every term's latest
    published ranking. 4 queries when every summary is current, a few more
    for the terms whose data changed since; never a snapshot decoded for a
    summary already taken."""
    window = Term.objects.filter(
        cluster__authority_id=authority_id,
        year__gt=year - HISTORY_YEARS,
        year__lte=year,
    )
    if kind:
        window = window.filter(cluster__kind=kind)
    current = list(
        window.filter(year=year)
        .select_related("cluster")
        .annotate(latest_number=_latest_number())
        .order_by("cluster__kind", "cluster__name")
    )
    earlier = list(
        window.exclude(year=year)
        .annotate(latest_number=_latest_number())
        .values_list("pk", "year", "latest_number")
    )
    years = {t.pk: year for t in current}
    years.update({pk: y for pk, y, _n in earlier})
    latest = {t.pk: t.latest_number for t in current}
    latest.update({pk: n for pk, _y, n in earlier})
    stored = {
        row["term_id"]: row
        # The window as a subquery: no list of ids to prepare and send.
        for row in TermSummary.objects.filter(term__in=window.values("pk")).values(
            "term_id", *_FIELDS
        )
    }
    found = versions.read([term_key(pk) for pk in years])
    current_versions = {pk: found[term_key(pk)] for pk in years}
    stale = {
        pk: (current_versions[pk], latest[pk], stored.get(pk))
        for pk in years
        if _is_stale(stored.get(pk), current_versions[pk], latest[pk])
    }
    # Inside a transaction a later write of the same term raises no version
    # (core.versions): what is computed there is used, not stored.
    in_transaction = transaction.get_connection().in_atomic_block
    summaries = {**stored, **refresh(stale, store=not in_transaction)}
    rows: list[DashboardRow] = []
    for term in current:
        summary = summaries[term.pk]
        term.member_count = summary["members"]
        bands = summary["bands"]
        rows.append(
            {
                "term": term,
                "submitted": summary["submitted"],
                "returned": summary["returned"],
                "draft": summary["draft"],
                "peer_scores": summary["peer_scores"],
                "published": summary["published_number"],
                "leaders": summary["leaders"],
                "bands": [(band, bands.get(band, 0)) for band in BAND_ORDER],
            }
        )
    counts = {
        y: dict.fromkeys(BAND_ORDER, 0)
        for y in range(year - HISTORY_YEARS + 1, year + 1)
    }
    for pk, summary in summaries.items():
        if pk in years:
            for band, n in summary["bands"].items():
                if band in counts[years[pk]]:
                    counts[years[pk]][band] += n
    history = [(y, [(b, counts[y][b]) for b in BAND_ORDER]) for y in sorted(counts)]
    return rows, history
