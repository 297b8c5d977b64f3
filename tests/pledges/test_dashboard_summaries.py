"""The province dashboard read from per-term summary rows (pledges.dashboard):
flat query count in clusters and years, published rankings decoded once per
publication, and a write making only its own term's summary stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import TermState
from pledges import dashboard
from pledges.models import RankingSnapshot, Report, ReportState, TermSummary
from tests.clusters.factories import (
    AuthorityFactory,
    ClusterFactory,
    MembershipFactory,
    TermFactory,
)
from tests.pledges.conftest import publish_ranking

# Committed writes, as in production: inside one transaction a term's version
# is raised once and refreshed summaries are used but not stored.
pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2024
BANDS = ["excellent", "good", "good", "complete", "not_complete"]


def _province(clusters, years, staff_user):
    """An authority with `clusters` clusters, each with a term in each of the
    `years` years up to YEAR: five members, reports in every state, and for the
    closed years a published ranking stored directly (as the demo and the
    benchmark data store theirs)."""
    authority = AuthorityFactory()
    for c in range(clusters):
        cluster = ClusterFactory(authority=authority, name=f"Cụm {c:02}")
        for year in range(YEAR - years + 1, YEAR + 1):
            closed = year < YEAR
            term = TermFactory(
                cluster=cluster,
                year=year,
                state=TermState.CLOSED if closed else TermState.REPORTING,
            )
            units = [MembershipFactory(term=term).unit for _ in range(5)]
            for unit, state in zip(
                units, ["draft", "submitted", "accepted", "returned"], strict=False
            ):
                Report.objects.create(term=term, unit=unit, state=state)
            if closed:
                RankingSnapshot.objects.create(
                    term=term,
                    number=1,
                    published_by=staff_user,
                    rows=[
                        {"unit": u.name, "rank": n + 1, "band": band}
                        for n, (u, band) in enumerate(zip(units, BANDS, strict=True))
                    ],
                )
    return authority


def _queries(authority):
    with CaptureQueriesContext(connection) as captured:
        rows, history = dashboard.dashboard(authority.pk, YEAR)
    return len(captured), captured, rows, history


def test_query_count_is_flat_in_clusters_and_years(world):
    staff = world.users["staff"]
    counts = []
    for clusters, years in ((2, 2), (10, 4)):
        authority = _province(clusters, years, staff)
        cold, _c, rows, history = _queries(authority)
        warm, captured, again, _h = _queries(authority)
        assert len(rows) == clusters
        assert [r["bands"] for r in again] == [r["bands"] for r in rows]
        # Warm: nothing written, and no published ranking's rows read.
        sql = " ".join(q["sql"] for q in captured).lower()
        assert "insert" not in sql
        assert "update" not in sql
        assert '"rows"' not in sql
        earlier = {entry.year: entry for entry in history}[YEAR - 1]
        assert (earlier.terms, earlier.published) == (clusters, clusters)
        assert earlier.bands == [
            ("excellent", clusters),
            ("good", 2 * clusters),
            ("complete", clusters),
            ("not_complete", clusters),
        ]
        counts.append((cold, warm))
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]


def test_rows_count_reports_members_and_peer_scores(world):
    authority = _province(1, 1, world.users["staff"])
    (row,) = dashboard.dashboard(authority.pk, YEAR)[0]
    assert row["members"] == 5
    assert (row["submitted"], row["returned"], row["draft"]) == (2, 1, 1)
    assert row["published"] is None
    assert row["leaders"] == []


def test_a_write_makes_only_its_own_term_stale(world):
    authority = _province(3, 2, world.users["staff"])
    rows, _history = dashboard.dashboard(authority.pk, YEAR)
    before = dict(TermSummary.objects.values_list("term_id", "computed_at"))
    changed = rows[0]["term_id"]
    report = Report.objects.get(term_id=changed, state=ReportState.DRAFT)
    report.state = ReportState.SUBMITTED
    report.save()
    rows, _history = dashboard.dashboard(authority.pk, YEAR)
    assert (rows[0]["submitted"], rows[0]["draft"]) == (3, 0)
    after = dict(TermSummary.objects.values_list("term_id", "computed_at"))
    moved = {pk for pk in after if after[pk] != before.get(pk)}
    assert moved == {changed}


def test_publishing_stores_the_summary_of_its_term(world, scored):
    publish_ranking(world.term, world.users["admin"])
    summary = TermSummary.objects.get(term=world.term)
    snapshot = RankingSnapshot.objects.get(term=world.term)
    assert summary.published_number == snapshot.number
    assert sum(summary.bands.values()) == len(snapshot.rows) == 3
    assert summary.leaders == [r["unit"] for r in snapshot.rows if r["rank"] == 1]
    with CaptureQueriesContext(connection) as captured:
        rows, _history = dashboard.dashboard(world.authority.pk, YEAR)
    assert '"rows"' not in " ".join(q["sql"] for q in captured)
    row = next(r for r in rows if r["term_id"] == world.term.pk)
    assert row["leaders"] == summary.leaders
    assert row["published"] == snapshot.number


def test_the_page_shows_the_summaries(world, login, scored):
    publish_ranking(world.term, world.users["admin"])
    html = (
        login(world.users["staff"])
        .get(reverse("province_dashboard"), {"year": YEAR})
        .content.decode()
    )
    leader = TermSummary.objects.get(term=world.term).leaders[0]
    assert leader in html
    assert "<svg" in html


def test_inside_a_transaction_summaries_are_used_but_not_stored(world):
    from django.db import transaction

    authority = _province(2, 1, world.users["staff"])
    with transaction.atomic():
        rows, _history = dashboard.dashboard(authority.pk, YEAR)
        assert [r["members"] for r in rows] == [5, 5]
        assert not TermSummary.objects.filter(term__cluster__authority=authority)
    dashboard.dashboard(authority.pk, YEAR)
    assert TermSummary.objects.filter(term__cluster__authority=authority).count() == 2


def test_the_page_lists_the_clusters_a_page_at_a_time(world, login, monkeypatch):
    from core import views as core_views

    monkeypatch.setattr(core_views, "PAGE_SIZE", 2)
    for name in ("Cụm Y", "Cụm Z"):
        TermFactory(
            cluster=ClusterFactory(authority=world.authority, name=name), year=YEAR
        )
    rows, _history = dashboard.dashboard(world.authority.pk, YEAR)
    names = [row["name"] for row in rows]
    assert len(names) >= 3
    client = login(world.users["staff"])
    pages = [
        client.get(
            reverse("province_dashboard"), {"year": YEAR, "page": number}
        ).content.decode()
        for number in (1, 2)
    ]
    for html, start in zip(pages, (0, 2), strict=True):
        shown = [name for name in names if f">{name}</a>" in html]
        assert shown == names[start : start + 2]
    assert f"year={YEAR}&amp;page=2" in pages[0]


def test_earlier_years_are_cached_until_a_write_in_one_of_them(world, settings):
    """With a working cache the earlier years' figures are read from it while
    nothing of theirs changed, and follow a new publication in one of them."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    staff = world.users["staff"]
    authority = _province(2, 3, staff)
    dashboard.dashboard(authority.pk, YEAR)
    count, captured, _rows, history = _queries(authority)
    sql = " ".join(q["sql"] for q in captured).lower()
    assert "sum(" not in sql  # the earlier years came from the cache
    earlier = {entry.year: entry for entry in history}[YEAR - 1]
    assert earlier.bands[0] == ("excellent", 2)
    term = RankingSnapshot.objects.filter(term__cluster__authority=authority).first()
    RankingSnapshot.objects.create(
        term_id=term.term_id,
        number=2,
        published_by=staff,
        rows=[{"unit": "A", "rank": 1, "band": "excellent"}] * 5,
    )
    _count, _captured, _rows, history = _queries(authority)
    moved = {entry.year: entry for entry in history}[term.term.year]
    assert moved.bands[0] == ("excellent", 6)
    assert count < _count
    cache.clear()
