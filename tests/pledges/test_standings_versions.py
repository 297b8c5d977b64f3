"""Standings are keyed by their term's data version (pledges.standings,
clusters.versions): a write raises the version of its own term only, in its own
transaction, so a write elsewhere keeps the cached standings and a lost cache
write never serves stale totals."""

from decimal import Decimal

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from clusters.models import TermState
from pledges import services, standings
from pledges.models import IndicatorResult
from tests.clusters.factories import (
    AuthorityFactory,
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
)
from tests.pledges.conftest import report_of

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Real commits: a version is raised once per transaction, and each test's
# writes must commit as they do in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def local_cache(settings):
    settings.CACHES = LOCAL_CACHE
    cache.clear()
    yield
    cache.clear()


def _score(world, points, reason="Điều chỉnh"):
    criterion = world.term.pledge.criteria.get(code="II.1")
    services.reviewer_score_set(
        report=report_of(world, world.unit_a), criterion=criterion,
        points=Decimal(points), reason=reason, actor=world.users["admin"],
    )  # fmt: skip


def _rolled_back(write):
    """Run `write` in a transaction (or savepoint) that then fails."""
    with transaction.atomic():
        write()
        raise RuntimeError


def _points(world, code="II.1"):
    standing = next(
        s for s in standings.term_standings(world.term) if s.unit.pk == world.unit_a.pk
    )
    return next(line.points for line in standing.lines if line.code == code)


def test_writes_in_other_terms_leave_the_terms_version_alone(world, scored):
    version = standings.term_version(world.term.pk)
    # Another cluster's term of the same year, a closed earlier year of the same
    # cluster, and another authority's term.
    other = TermFactory(cluster=ClusterFactory(authority=world.authority), year=2024)
    closed = TermFactory(cluster=world.cluster, year=2023, state=TermState.CLOSED)
    foreign_authority = AuthorityFactory()
    foreign = TermFactory(cluster=ClusterFactory(authority=foreign_authority))
    for term in (other, closed, foreign):
        MembershipFactory(term=term)
        before = standings.term_version(term.pk)
        MembershipFactory(term=term)
        assert standings.term_version(term.pk) == before + 1
    report = services.report_start(
        term=other, unit=other.memberships.first().unit, actor=world.users["admin"]
    )
    report.delete()
    assert standings.term_version(world.term.pk) == version


def test_a_write_in_the_term_raises_its_version_once_per_transaction(world, scored):
    version = standings.term_version(world.term.pk)
    _score(world, 12)
    assert standings.term_version(world.term.pk) == version + 1
    with transaction.atomic():
        _score(world, 13)
        _score(world, 14)
        IndicatorResult.objects.filter(report__term=world.term).first().save()
    assert standings.term_version(world.term.pk) == version + 2


def test_a_raise_is_rolled_back_with_its_transaction(world, scored):
    version = standings.term_version(world.term.pk)
    with pytest.raises(RuntimeError):
        _rolled_back(lambda: _score(world, 12))
    assert standings.term_version(world.term.pk) == version
    assert _points(world) != Decimal(12)


def test_a_raise_undone_by_a_savepoint_is_raised_again(world, scored):
    version = standings.term_version(world.term.pk)
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            _rolled_back(lambda: standings.bump_term_version(world.term.pk))
        assert standings.term_version(world.term.pk) == version
        _score(world, 12)
    assert standings.term_version(world.term.pk) == version + 1


def test_the_authoritys_dashboard_version_follows_its_terms(world, scored):
    years = range(2020, 2025)
    before = standings.dashboard_version(world.authority.pk, years)
    foreign = TermFactory(cluster=ClusterFactory(authority=AuthorityFactory()))
    MembershipFactory(term=foreign)
    assert standings.dashboard_version(world.authority.pk, years) == before
    _score(world, 12)
    after = standings.dashboard_version(world.authority.pk, years)
    assert after != before
    assert after[:-1] == before[:-1]  # earlier years untouched


def test_a_unit_renamed_raises_the_terms_it_is_a_member_of(world, scored):
    version = standings.term_version(world.term.pk)
    UnitFactory(authority=world.authority).save()
    assert standings.term_version(world.term.pk) == version
    world.unit_a.name = "Huyện A mới"
    world.unit_a.save()
    assert standings.term_version(world.term.pk) == version + 1


def test_standings_stay_cached_across_writes_elsewhere(
    world, scored, local_cache, django_assert_num_queries
):
    first = standings.term_standings(world.term)
    other = TermFactory(cluster=ClusterFactory(authority=world.authority), year=2024)
    MembershipFactory(term=other)
    with django_assert_num_queries(1):  # the version only
        again = standings.term_standings(world.term)
    assert [s.total for s in again] == [s.total for s in first]


def test_a_lost_cache_write_never_serves_stale_totals(
    world, scored, local_cache, monkeypatch
):
    assert _points(world) != Decimal(12)  # cached for the current version
    backend = caches["default"]
    with monkeypatch.context() as lost:
        lost.setattr(backend, "set", lambda *args, **kwargs: None)
        _score(world, 12)  # committed; nothing reaches the cache from here on
        assert _points(world) == Decimal(12)
    assert _points(world) == Decimal(12)


def test_one_computation_per_version(world, scored, local_cache, monkeypatch):
    calls = []
    compute = standings.compute_standings

    def counted(term):
        calls.append(term.pk)
        return compute(term)

    monkeypatch.setattr(standings, "compute_standings", counted)
    standings.term_standings(world.term)
    standings.term_standings(world.term)
    assert len(calls) == 1
    _score(world, 12)
    for _reader in range(3):
        assert _points(world) == Decimal(12)
    assert len(calls) == 2
