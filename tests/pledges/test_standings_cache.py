"""Cached standings (core.cache, keyed by the term's data version): a committed
write is visible on the next read, through model saves and through the bulk
results path alike."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction

from clusters.models import Term, TermState
from pledges import selectors, services
from pledges.models import Report
from pledges.standings import term_ranking_rows
from tests.pledges.conftest import report_of

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _real_cache(settings):
    settings.CACHES = LOCAL_CACHE
    cache.clear()
    yield
    cache.clear()


def _points(world, code):
    standing = next(
        s for s in selectors.term_standings(world.term) if s.unit.pk == world.unit_a.pk
    )
    return next(line.points for line in standing.lines if line.code == code)


def test_second_read_comes_from_the_cache(world, scored, django_assert_num_queries):
    first = selectors.term_standings(world.term)
    with django_assert_num_queries(1):  # the term's data version
        again = selectors.term_standings(world.term)
    assert [s.total for s in again] == [s.total for s in first]


def test_ranking_rows_are_the_standings_without_lines_and_follow_writes(
    world, scored, django_assert_num_queries
):
    def rows():
        return [
            (s.unit.pk, s.rank, s.total, s.band, s.tie_note, s.lines)
            for s in term_ranking_rows(world.term)
        ]

    def expected():
        return [
            (s.unit.pk, s.rank, s.total, s.band, s.tie_note, [])
            for s in selectors.term_standings(world.term)
        ]

    def total_of_a():
        return next(total for pk, _, total, *_ in rows() if pk == world.unit_a.pk)

    assert rows() == expected()
    with django_assert_num_queries(1):  # the term's data version
        rows()
    before = total_of_a()
    services.reviewer_score_set(
        report=report_of(world, world.unit_a),
        criterion=scored.criteria.get(code="II.1"),
        points=Decimal(3), reason="Điều chỉnh", actor=world.users["admin"],
    )  # fmt: skip
    assert total_of_a() != before
    assert rows() == expected()


def test_cached_standings_keep_the_members_lines_one_heads_tuple(world, scored):
    """Every member's lines read the term's one tuple of criteria, computed
    and back from the cache alike, so the cache holds it once."""
    for standings in (
        selectors.term_standings(world.term),
        selectors.term_standings(world.term),  # from the cache
    ):
        heads = {id(s.lines.heads) for s in standings}
        assert len(standings) > 1
        assert len(heads) == 1
    assert [line.code for line in standings[0].lines] == list(
        scored.criteria.order_by("section__position", "position").values_list(
            "code", flat=True
        )
    )


def test_a_saved_score_is_visible_on_the_next_read(world, scored):
    criterion = scored.criteria.get(code="II.1")
    before = _points(world, "II.1")
    services.reviewer_score_set(
        report=report_of(world, world.unit_a), criterion=criterion,
        points=Decimal(12), reason="Điều chỉnh", actor=world.users["admin"],
    )  # fmt: skip
    assert before != Decimal(12)
    assert _points(world, "II.1") == Decimal(12)


def test_bulk_results_are_visible_on_the_next_read(world, scored):
    before = _points(world, "I.1")
    Report.objects.filter(term=world.term).update(state="draft")
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    ct1 = scored.indicators.get(code="CT1")
    services.results_apply(
        term=world.term,
        rows=[(ct1, world.unit_a, Decimal(0), "")],
        actor=world.users["admin"],
        reason="Nhập lại",
    )
    assert _points(world, "I.1") < before


def test_reads_inside_a_transaction_see_its_own_writes(world, scored):
    criterion = scored.criteria.get(code="II.1")
    selectors.term_standings(world.term)
    with transaction.atomic():
        services.reviewer_score_set(
            report=report_of(world, world.unit_a), criterion=criterion,
            points=Decimal(7), reason="Điều chỉnh", actor=world.users["admin"],
        )  # fmt: skip
        assert _points(world, "II.1") == Decimal(7)


def test_points_remembered_between_computations_follow_the_figures(world, scored):
    """The points of results remembered from one computation to the next
    (`compute.SCORED`) are keyed by the figures: after a plan changes, the
    standings still equal the reference, digit for digit."""
    from pledges.models import Target
    from pledges.standings.compute import compute_standings
    from tests.pledges.standings_reference import canonical, reference_standings

    before = canonical(compute_standings(world.term))
    target = Target.objects.filter(
        indicator__pledge__term=world.term, unit=world.unit_a, planned__gt=0
    ).first()
    Target.objects.filter(pk=target.pk).update(planned=target.planned * 2)
    after = canonical(compute_standings(world.term))
    assert after != before
    assert after == canonical(reference_standings(world.term))


def test_cluster_totals_are_cached_and_follow_the_next_write(
    world, scored, django_assert_num_queries
):
    """The cluster totals (public ranking, cluster totals page, documents) are
    read from the cache while the term's data is unchanged, for each kind of
    reader, and computed again after a committed write (here the bulk path)."""

    def actual(**reader):
        rows = selectors.cluster_totals(world.term, **reader).rows
        return next(r["actual"] for r in rows if r["indicator"].code == "CT1")

    readers = [{}, {"include_drafts": True}, {"viewer_unit_id": world.unit_a.pk}]
    before = [actual(**reader) for reader in readers]
    for reader, value in zip(readers, before, strict=True):
        with django_assert_num_queries(1):  # the term's data version
            assert actual(**reader) == value
    Report.objects.filter(term=world.term).update(state="draft")
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    services.results_apply(
        term=world.term,
        rows=[(scored.indicators.get(code="CT1"), world.unit_a, Decimal(0), "")],
        actor=world.users["admin"],
        reason="Nhập lại",
    )
    assert actual(include_drafts=True) < before[1]


def test_the_pledge_tree_is_cached_fresh_for_each_reader_and_follows_edits(
    world, scored, django_assert_num_queries
):
    """The report pages' pledge tree comes from the cache while the term is
    unchanged, as objects of each reader's own (what one reader attaches does
    not reach the next), and is read again after a sub-field is added."""
    from pledges.models import Subsection

    pledge = world.term.pledge
    first = selectors.pledge_tree(pledge)
    first[0].criteria_list[0].points = Decimal(99)
    with django_assert_num_queries(1):  # the term's data version
        again = selectors.pledge_tree(pledge)
    assert [c.code for s in again for c in s.criteria_list] == [
        c.code for s in first for c in s.criteria_list
    ]
    assert not hasattr(again[0].criteria_list[0], "points")
    assert again[0].subsection_list == []
    Subsection.objects.create(
        pledge=pledge, section=again[0], code="A", title="Lĩnh vực A", max_points=1
    )
    assert [s.code for s in selectors.pledge_tree(pledge)[0].subsection_list] == ["A"]
