"""The province dashboard, read from per-term summary rows (models.TermSummary).

A term's summary holds what the dashboard shows of it: members, reports by
state, peer scores given and, of its latest published ranking, the version,
the leaders and the members in each classification band. The dashboard reads
the terms of the chosen year with their summaries and the committed data
versions of those terms (clusters.versions); a summary taken at an older
version, or before the latest publication, is recomputed for all such terms
together (`refresh`) and stored. The four earlier years of its history are
summed in SQL from their summaries, checked likewise, and cached by the
authority's versions of those years, so a write in the chosen year leaves
them alone. So a read costs the same few queries whatever the number of
clusters and years, a write makes only its own term's summary stale, and a
published ranking's rows are decoded once per publication (by
`ranking_publish`, which stores the summary of its term), not on every read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, cast

from django.db import transaction
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from clusters.models import Membership, Term
from clusters.versions import dashboard_version, term_version_of
from core import cache

from .history import AuthorityYear
from .models import RankingSnapshot, Report, Score, TermSummary

BAND_ORDER = ["excellent", "good", "complete", "not_complete"]
HISTORY_YEARS = 5

_COUNTS = ("members", "submitted", "returned", "draft", "peer_scores")
_FIELDS = (*_COUNTS, "version", "published_number", "leaders", "bands")
_SHOWN = (*_COUNTS, "published_number", "leaders", "bands")


class DashboardRow(TypedDict):
    """One cluster's or block's row of `dashboard`: its term of the year (id,
    state), the cluster's name and sample flag, and the term's summary."""

    term_id: int
    name: str
    is_sample: bool
    state: str
    members: int
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
                # (without one the term was in `to_decode`: its rows are in hand)
                kept = cast(dict[str, Any], stored)
                summary["leaders"] = kept["leaders"]
                summary["bands"] = kept["bands"]
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


def _stale(
    terms: QuerySet[Term, Any],
) -> tuple[list[tuple[int, int, int, int | None]], dict[int, dict[str, Any]]]:
    """([(term id, year, data version, latest published number)] of `terms`
    whose stored summary is missing or older than their data or their latest
    publication, {term id: stored summary} of these): the versions are
    compared in SQL, the stored summaries read only for the stale terms."""
    stale = list(
        terms.annotate(
            data_version=term_version_of(OuterRef("pk")),
            latest_number=_latest_number(),
            stored_version=Coalesce(F("summary__version"), Value(-2)),
            stored_number=Coalesce(F("summary__published_number"), Value(-1)),
        )
        .filter(
            ~Q(stored_version=F("data_version"))
            | ~Q(stored_number=Coalesce(F("latest_number"), Value(-1)))
        )
        .order_by()
        .values_list("pk", "year", "data_version", "latest_number")
    )
    return stale, _stored([pk for pk, _y, _v, _n in stale])


def _stored(term_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{term id: stored summary} of `term_ids` (no query when there are none)."""
    return {
        row["term_id"]: row
        for row in TermSummary.objects.filter(term_id__in=term_ids).values(
            "term_id", *_FIELDS
        )
    }


def _refresh_stale(
    stale: list[tuple[int, int, int, int | None]], stored: Mapping[int, Any]
) -> dict[int, dict[str, Any]]:
    """{term id: fresh summary} of the `stale` terms (from `_stale`), stored
    unless inside a transaction."""
    # Inside a transaction a later write of the same term raises no version
    # (core.versions): what is computed there is used, not stored.
    return refresh(
        {pk: (version, number, stored.get(pk)) for pk, _y, version, number in stale},
        store=not transaction.get_connection().in_atomic_block,
    )


def _earlier_years(in_window: Mapping[str, Any]) -> dict[int, list[int]]:
    """{year: [terms, published, *members by band in BAND_ORDER]} of the terms
    matching the lookups `in_window`, from their summaries (the stale ones
    refreshed first); the bands are summed in SQL. A fixed number of queries
    whatever the number of terms and years."""
    stale, stored = _stale(Term.objects.filter(**in_window))
    fresh = _refresh_stale(stale, stored)
    years: dict[int, list[int]] = {}
    for term_year, *sums in (
        # The lookups through the summary's term: one join, no subquery of ids.
        TermSummary.objects.filter(**{f"term__{k}": v for k, v in in_window.items()})
        .exclude(term_id__in=[pk for pk, _y, _v, _n in stale])
        .values_list("term__year")
        .annotate(
            terms=Count("term_id"),
            published=Count("term_id", filter=Q(published_number__isnull=False)),
            **{
                f"n_{band}": Sum(Cast(KT(f"bands__{band}"), IntegerField()))
                for band in BAND_ORDER
            },
        )
        .order_by()
    ):
        years[term_year] = [n or 0 for n in sums]
    for pk, term_year, _version, number in stale:
        _add(years, term_year, number, fresh[pk]["bands"])
    return years


def _add(
    years: dict[int, list[int]],
    year: int,
    number: int | None,
    bands: Mapping[str, int],
) -> None:
    """Count one term of `year` (latest published number `number`, members
    by band `bands`) into `years` ({year: [terms, published, *bands]})."""
    sums = years.setdefault(year, [0] * (2 + len(BAND_ORDER)))
    sums[0] += 1
    sums[1] += number is not None
    for index, band in enumerate(BAND_ORDER, start=2):
        sums[index] += bands.get(band, 0)


def dashboard(
    authority_id: int, year: int, kind: str | None = None
) -> tuple[list[DashboardRow], list[AuthorityYear]]:
    """(rows, history) of an authority's dashboard: a row for every cluster and
    block with a term in `year` (`DashboardRow`: the term's id and state, the
    cluster's name and sample flag; members; reports submitted, returned and
    in draft; peer scores given; the latest published ranking's version or
    None, its leaders and its members by band) and, for each of the five
    years up to `year` in which it has terms (`AuthorityYear`, oldest first):
    how many, how many with a published ranking, and the members by band
    over their latest published rankings, so that a year without any
    published ranking is told apart from one whose members were all
    classified "not complete".

    The year's terms are read with their summaries and data versions in one
    query, and the stale ones refreshed. The earlier years' figures are
    cached (core.cache) by the authority's versions of those years
    (clusters.versions, raised with every write of their terms); when these
    moved, the earlier summaries are checked and refreshed likewise and their
    bands summed in SQL, never read row by row. 4 queries when nothing
    changed, a few more for the terms whose data changed since; no snapshot
    is decoded for a summary already taken."""
    of_kind: dict[str, Any] = {"cluster__authority_id": authority_id}
    if kind:
        of_kind["cluster__kind"] = kind
    earlier = list(range(year - HISTORY_YEARS + 1, year))
    years = cache.derived(
        f"dashboard-years:{authority_id}:{kind or ''}:{year}",
        lambda: _earlier_years({**of_kind, "year__in": earlier}),
        # As text without spaces: a tuple's repr would make an invalid key
        # for some cache backends (Django's CacheKeyWarning).
        version=lambda: "-".join(map(str, dashboard_version(authority_id, earlier))),
    )
    # Plain values, no model objects: the page shows 50 of possibly hundreds.
    current = list(
        Term.objects.filter(**of_kind, year=year)
        .annotate(
            data_version=term_version_of(OuterRef("pk")),
            latest_number=_latest_number(),
        )
        .order_by("cluster__kind", "cluster__name")
        .values_list(
            "pk",
            "cluster__name",
            "cluster__is_sample",
            "state",
            "data_version",
            "latest_number",
            "summary__version",
            *[f"summary__{name}" for name in _SHOWN],
        )
    )
    summaries = [dict(zip(_SHOWN, row[7:], strict=True)) for row in current]
    stale = [
        (pk, year, version, number)
        for (pk, _n, _s, _st, version, number, stored_version, *_f), summary in zip(
            current, summaries, strict=True
        )
        if stored_version != version or summary["published_number"] != number
    ]
    fresh = _refresh_stale(stale, _stored([pk for pk, _y, _v, _n in stale]))
    years = {y: list(sums) for y, sums in years.items()}
    rows: list[DashboardRow] = []
    for (pk, name, is_sample, state, _v, number, _sv, *_f), stored in zip(
        current, summaries, strict=True
    ):
        summary = fresh.get(pk, stored)
        _add(years, year, number, summary["bands"])
        rows.append(
            {
                "term_id": pk,
                "name": name,
                "is_sample": is_sample,
                "state": state,
                "members": summary["members"],
                "submitted": summary["submitted"],
                "returned": summary["returned"],
                "draft": summary["draft"],
                "peer_scores": summary["peer_scores"],
                "published": summary["published_number"],
                "leaders": summary["leaders"],
                "bands": [(b, summary["bands"].get(b, 0)) for b in BAND_ORDER],
            }
        )
    history = [
        AuthorityYear(
            year=y,
            terms=years[y][0],
            published=years[y][1],
            bands=list(zip(BAND_ORDER, years[y][2:], strict=True)),
        )
        for y in sorted(years)
    ]
    return rows, history
