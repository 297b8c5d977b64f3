"""The benchmark data generator: seeded, tiny here, and as large as it says."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from awards.models import Grant
from clusters.models import Authority, Membership, Role, Term, TermState, User
from pledges.models import (
    Criterion,
    Indicator,
    IndicatorResult,
    RankingSnapshot,
    Report,
    Score,
    SelfScore,
    Target,
)

pytestmark = pytest.mark.django_db

TINY = ["--clusters", "2", "--members", "3", "--criteria", "4", "--indicators", "2"]


def test_bench_data_generates_what_it_promises():
    call_command("bench_data", *TINY, "--years", "2", "--year", "2025")
    authority = Authority.objects.get(name__startswith="Đo hiệu năng")
    terms = Term.objects.filter(cluster__authority=authority)
    assert terms.filter(year=2025, state=TermState.SCORING).count() == 2
    assert terms.filter(year=2024, state=TermState.CLOSED).count() == 2
    assert Membership.objects.filter(term__in=terms).count() == 2 * 2 * 3
    # 4 criteria: 1 with the 2 indicators, 3 assessed by people.
    assert Criterion.objects.filter(pledge__term__in=terms).count() == 4 * 4
    assert Indicator.objects.filter(pledge__term__in=terms).count() == 4 * 2
    assert Target.objects.filter(indicator__pledge__term__in=terms).count() == 4 * 6
    assert Report.objects.filter(term__in=terms).count() == 4 * 3
    assert IndicatorResult.objects.filter(report__term__in=terms).count() == 4 * 6
    assert SelfScore.objects.filter(report__term__in=terms).count() == 4 * 3 * 3
    # 3 peer scorers asked, but only 2 other members in a cluster of 3.
    assert Score.objects.filter(report__term__in=terms).count() == 4 * 3 * 3 * 2
    assert RankingSnapshot.objects.filter(term__year=2024).count() == 2
    # Each closed year's decision: the flag to the first, certificates to two.
    grants = Grant.objects.filter(authority=authority).order_by("year", "pk")
    assert [g.award_form.code for g in grants] == ["co-tinh", "bk-tinh", "bk-tinh"] * 2
    first = RankingSnapshot.objects.filter(term__year=2024).first()
    assert grants.filter(year=2024, unit__name=first.rows[0]["unit"]).exists()
    officers = User.objects.filter(authority=authority, role=Role.UNIT_OFFICER)
    assert officers.count() == 2 * 3
    assert User.objects.get(username="bench-staff").check_password("bench")


def test_bench_data_closed_years_can_be_fewer_and_it_runs_once():
    call_command(
        "bench_data", *TINY, "--years", "3", "--closed-clusters", "1", "--year", "2025"
    )
    assert Term.objects.filter(year=2025).count() == 2
    assert Term.objects.filter(year__lt=2025).count() == 2
    with pytest.raises(CommandError, match="already"):
        call_command("bench_data", *TINY)


def test_bench_data_is_refused_without_permission(settings, monkeypatch):
    settings.DEMO_ALLOWED = False
    monkeypatch.delenv("BENCH_ALLOW", raising=False)
    with pytest.raises(CommandError, match="refused"):
        call_command("bench_data", *TINY)


def test_bench_data_authorities_member_ranges_and_a_large_term():
    call_command(
        "bench_data", "--authorities", "2", "--clusters", "3", "--members", "2-4",
        "--criteria", "4", "--indicators", "2", "--years", "2", "--year", "2025",
        "--large-term", "6",
    )  # fmt: skip
    first, second = Authority.objects.filter(name__startswith="Đo hiệu năng").order_by(
        "pk"
    )
    assert second.name.startswith(first.name)
    sizes = sorted(
        Term.objects.filter(cluster__authority=second, year=2025)
        .annotate(n=Count("memberships"))
        .values_list("n", flat=True)
    )
    assert sizes == [2, 3, 4]
    # The large term: one more cluster of the first authority, current year only.
    large = Term.objects.get(cluster__name__startswith="Cụm thi đua lớn")
    assert (large.cluster.authority, large.year, large.memberships.count()) == (
        first,
        2025,
        6,
    )
    assert Term.objects.filter(cluster__authority=first).count() == 3 * 2 + 1
    assert (
        User.objects.filter(username__in=["bench-staff", "bench-staff-02"]).count() == 2
    )
    assert RankingSnapshot.objects.filter(term__cluster__authority=second).count() == 3


@pytest.mark.django_db(transaction=True)  # committed writes raise versions
def test_bench_harness_measures_every_page_in_process():
    """The in-process half of `bench` on tiny data: every key page answers,
    its SQL floor is taken right after a write that raises its term's data
    version (the server half runs under `make bench`)."""
    from bench.management.commands.bench import Command, write
    from clusters.versions import term_key
    from core import versions

    call_command("bench_data", *TINY, "--years", "2", "--year", "2025")
    command = Command()
    authority = Authority.objects.get(name__startswith="Đo hiệu năng")
    pages = command.pages(authority)
    assert [p["name"] for p in pages] == [
        "term ranking",
        "rank page",
        "province dashboard",
        "report form",
        "award registry",
        "public ranking",
    ]
    assert command.elsewhere != command.largest
    key = term_key(command.largest.pk)
    before = versions.read([key])[key]
    write(command.largest)
    assert versions.read([key])[key] == before + 1
    for page in pages:
        assert command.query_count(page) > 0
        sql, total, cpu = command.sql_floor(page, 1)
        assert 0 < sql <= total  # each statement timed, none rounded to 0 ms
        assert cpu > 0
        page.update(
            queries=1, sql_floor=sql, cold_inprocess=total, cold_cpu=cpu,
            warm=(1.0, 2.0), loaded=(1.0, 2.0, 0), cold=(3.0, 4.0),
            elsewhere=(1.0, 2.0, 0, 5),
            same=(1.0, 2.0, 0, 5),
        )  # fmt: skip
    # The standings computed alone: the largest term and the other cluster's.
    terms = command.standings_terms(authority)
    assert terms == [command.largest, command.elsewhere]
    command.computations = [(t, *command.standings_floor(t, 1)) for t in terms]
    for _term, members, sql, total, cpu in command.computations:
        assert members == 3
        assert 0 < sql <= total
        assert cpu > 0
    # The report: one row per page under a header of as many columns, then
    # one row per computation, with the load average before and after the run.
    command.load_before, command.workers, command.rss = (1.0, 1.0, 1.0), 1, [99.0]
    command.fixed = {True: (4.0, 5.0), False: (2.0, 3.0)}
    options = {"clients": 8, "requests": 25, "floor_runs": 1, "cold_runs": 1}
    report = command.report(authority, pages, {**options, "write_every": 0.5})
    tables = [
        [line for line in block.splitlines() if line.startswith("|")]
        for block in report.split("\n\n")
    ]
    pages_table, computations_table = [t for t in tables if t]
    for table, rows in ((pages_table, pages), (computations_table, terms)):
        assert len(table) == 2 + len(rows)
        assert len({line.count("|") for line in table}) == 1
    assert "load average (1/5/15 min) before the run 1.0/1.0/1.0, after" in report
    assert "visitor p50/p95 2.0 / 3.0 ms; signed in p50/p95 4.0 / 5.0 ms" in report


def test_bench_fixed_cost_page_is_a_timed_page_not_found(client):
    """The page with no data whose server time is every page's fixed cost."""
    from bench.management.commands.bench import MISSING_PAGE

    for signed_in in (False, True):
        if signed_in:
            client.force_login(User.objects.create_user("bench-fixed", role=Role.ADMIN))
        response = client.get(MISSING_PAGE)
        assert response.status_code == 404
        assert response["Server-Timing"].startswith("app;dur=")


def test_bench_data_profile_sizes_give_way_to_explicit_options(monkeypatch):
    from bench.management.commands import bench_data

    seen = {}
    monkeypatch.setattr(
        bench_data.Command,
        "authority_data",
        lambda self, number, current, closed: seen.update(self.o, sizes=self.sizes),
    )
    call_command("bench_data", "--profile", "national", "--authorities", "1")
    assert (seen["authorities"], seen["clusters"], seen["large_term"]) == (1, 12, 96)
    assert (seen["criteria"], seen["indicators"], seen["years"]) == (60, 40, 6)
    assert (min(seen["sizes"]), max(seen["sizes"])) == (6, 12)


def test_sql_floor_leaves_out_the_database_caches_own_statements(settings):
    """Without Redis the cache is a table; reading and writing it is the
    cache's work, not SQL that a page's numbers need."""
    from django.db import connection

    from bench.management.commands.bench import SqlTimer

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
    with SqlTimer() as timer, connection.cursor() as cursor:
        cursor.execute('SELECT 1 AS "django_cache"')
    assert timer.seconds == 0
    with SqlTimer() as timer, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert timer.seconds > 0
