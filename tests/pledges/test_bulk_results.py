"""The bulk results path (pledges.services.results_apply through core.bulk):
COPY on PostgreSQL, batched bulk writes elsewhere — the same rows, history
rows and reports either way (CI runs this file on both databases)."""

from decimal import Decimal

import pytest

from clusters.models import Term, TermState
from pledges import services
from pledges.models import Indicator, IndicatorResult, Report
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.django_db

NOTE = 'tab\there, line\nbreak, back\\slash, "quoted", \\N and tiếng Việt'


@pytest.fixture
def term(world, pledge):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    set_all_targets(pledge, world.users["admin"])
    return Term.objects.select_related("pledge").get(pk=world.term.pk)


def _history(result):
    return list(
        IndicatorResult.history.filter(id=result.pk)
        .order_by("history_id")
        .values_list(
            "history_type", "history_change_reason", "history_user_id", "actual", "note"
        )
    )


def test_new_and_changed_rows_keep_every_character_and_their_history(world, term):
    admin = world.users["admin"]
    ct1, ct2 = Indicator.objects.get(code="CT1"), Indicator.objects.get(code="CT2")
    units = (world.unit_a, world.unit_chair, world.unit_deputy)
    rows = [(i, u, Decimal("12.5"), NOTE) for i in (ct1, ct2) for u in units]
    assert services.results_apply(term=term, rows=rows, actor=admin, reason="Nhập") == 6
    results = IndicatorResult.objects.filter(report__term=term)
    assert results.count() == 6
    assert {(r.actual, r.note) for r in results} == {(Decimal("12.5"), NOTE)}
    # Every member's report was created once, and bumped once by the import.
    reports = Report.objects.filter(term=term)
    assert sorted(reports.values_list("unit_id", "version")) == sorted(
        (u.pk, 2) for u in units
    )
    assert all(r.history.count() == 2 for r in reports)
    first = results.get(report__unit=world.unit_a, indicator=ct1)
    assert _history(first) == [("+", "Nhập", admin.pk, Decimal("12.5"), NOTE)]

    changed = [(ct1, world.unit_a, Decimal(7), "đã sửa\t2")]
    assert (
        services.results_apply(term=term, rows=changed, actor=admin, reason="Sửa") == 1
    )
    first.refresh_from_db()
    assert (first.actual, first.note) == (Decimal(7), "đã sửa\t2")
    assert _history(first)[-1] == (
        "~",
        "Sửa",
        admin.pk,
        Decimal(7),
        "đã sửa\t2",
    )
    # Nothing else moved.
    assert results.exclude(pk=first.pk).filter(note=NOTE).count() == 5


def test_new_rows_get_keys_that_later_saves_do_not_reuse(world, term):
    admin = world.users["admin"]
    ct1, ct2 = Indicator.objects.get(code="CT1"), Indicator.objects.get(code="CT2")
    services.results_apply(
        term=term, rows=[(ct1, world.unit_a, Decimal(1), "")], actor=admin
    )
    report = Report.objects.get(term=term, unit=world.unit_a)
    later = IndicatorResult.objects.create(report=report, indicator=ct2, actual=2)
    assert IndicatorResult.objects.filter(report=report).count() == 2
    assert later.pk > IndicatorResult.objects.get(indicator=ct1).pk


def test_insert_rows_fills_defaults_keeps_order_and_writes_no_history(world, term):
    """core.bulk.insert_rows (bench_data's rows): the keys come back in the
    order of the rows, a text field left out is "" as on a new instance (not
    NULL), and no history row is written — as bulk_create does."""
    from django.utils import timezone

    from core.bulk import insert_rows

    ct1, ct2 = Indicator.objects.get(code="CT1"), Indicator.objects.get(code="CT2")
    report = Report.objects.create(term=term, unit=world.unit_a)
    keys = insert_rows(
        IndicatorResult,
        [
            {"report_id": report.pk, "indicator_id": ct2.pk, "actual": Decimal("2.5")},
            {"report_id": report.pk, "indicator_id": ct1.pk, "actual": Decimal(1)},
        ],
        date=timezone.now(),
    )
    assert keys[0] < keys[1]
    rows = IndicatorResult.objects.filter(pk__in=keys).order_by("pk")
    assert list(rows.values_list("pk", "indicator_id", "actual", "note")) == [
        (keys[0], ct2.pk, Decimal("2.5"), ""),
        (keys[1], ct1.pk, Decimal(1), ""),
    ]
    assert not IndicatorResult.history.filter(id__in=keys).exists()
    later = IndicatorResult.objects.create(
        report=Report.objects.create(term=term, unit=world.unit_chair),
        indicator=ct1,
        actual=3,
    )
    assert later.pk > keys[1]
