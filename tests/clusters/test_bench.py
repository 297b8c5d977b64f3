"""The benchmark data generator (Q3): seeded, tiny here, and as large as it says."""

import pytest
from django.core.management import CommandError, call_command

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
