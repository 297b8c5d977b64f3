"""The term's scoring rules: caps in % of the scale, the band table
as a term setting, editable until scoring."""

from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from clusters import services
from clusters.forms import TermCreateForm, TermForm
from clusters.models import Term, TermState, default_bands
from core.errors import DomainError

pytestmark = pytest.mark.usefixtures("english")

STRICT = [
    {"band": "excellent", "min_total": 90, "min_criterion": 85},
    {"band": "good", "min_total": 80, "min_criterion": None},
    {"band": "complete", "min_total": 70, "min_criterion": None},
]


def test_defaults_scale_with_the_scale(world):
    term = services.term_create(
        cluster=world.cluster,
        year=2030,
        actor=world.users["admin"],
        units=[world.unit_a],
        total_points=1000,
    )
    assert (term.bonus_cap, term.deduction_cap, term.late_deduction) == (5, 5, 1)
    assert (
        term.bonus_cap_points,
        term.deduction_cap_points,
        term.late_deduction_points,
    ) == (Decimal(50), Decimal(50), Decimal(10))
    assert term.bands == default_bands()
    assert [b[2] for b in term.band_table] == [None, None, None]


def test_migration_keeps_the_points_of_existing_terms(world):
    from importlib import import_module

    migration = import_module("clusters.migrations.0009_term_caps_keep_their_points")
    Term.objects.filter(pk=world.term.pk).update(
        total_points=1000, bonus_cap=5, deduction_cap=5, late_deduction=1
    )
    migration.points_to_percent(django_apps, None)
    term = Term.objects.get(pk=world.term.pk)
    assert (term.bonus_cap, term.deduction_cap, term.late_deduction) == (
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("0.1"),
    )
    assert term.bonus_cap_points == Decimal(5)
    migration.percent_to_points(django_apps, None)
    term = Term.objects.get(pk=world.term.pk)
    assert (term.bonus_cap, term.late_deduction) == (Decimal(5), Decimal(1))


def test_band_table_is_editable_until_scoring(world):
    admin = world.users["admin"]
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    services.term_update(term=world.term, actor=admin, bands=STRICT)
    assert Term.objects.get(pk=world.term.pk).bands == STRICT
    Term.objects.filter(pk=world.term.pk).update(state=TermState.SCORING)
    history = world.term.history.count()
    for change in ({"bands": default_bands()}, {"bonus_cap": Decimal(3)}):
        with pytest.raises(DomainError, match="fixed once scoring"):
            services.term_update(term=world.term, actor=admin, **change)
    term = Term.objects.get(pk=world.term.pk)
    assert (term.bands, term.bonus_cap) == (STRICT, 5)
    assert world.term.history.count() == history
    # The same values again are no change and go through.
    services.term_update(
        term=world.term, actor=admin, bands=STRICT, bonus_cap=Decimal(5)
    )


@pytest.mark.parametrize(
    "bands",
    [
        [],
        "excellent",
        [{"band": "good", "min_total": 90}, *STRICT[1:]],
        [{**STRICT[0], "min_total": 80}, *STRICT[1:]],  # not falling
        [{**STRICT[0], "min_total": 101}, *STRICT[1:]],
        [{**STRICT[0], "min_criterion": -1}, *STRICT[1:]],
        [{**STRICT[0], "min_total": "abc"}, *STRICT[1:]],
        [{**STRICT[0], "min_total": True}, *STRICT[1:]],
    ],
)
def test_invalid_band_tables_are_refused(world, bands):
    with pytest.raises(DomainError, match="classification bands"):
        services.term_update(term=world.term, actor=world.users["admin"], bands=bands)
    assert Term.objects.get(pk=world.term.pk).bands == default_bands()


def _band_data(**overrides):
    data = {
        "excellent_min_total": "90",
        "excellent_min_criterion": "",
        "good_min_total": "80",
        "good_min_criterion": "",
        "complete_min_total": "70",
        "complete_min_criterion": "",
    }
    return {**data, **overrides}


def test_create_form_shows_caps_and_bands_when_the_year_is_opened(world):
    form = TermCreateForm(cluster=world.cluster)
    for name in ("bonus_cap", "deduction_cap", "late_deduction", "good_min_total"):
        assert name in form.fields
    form = TermCreateForm(
        {
            "year": "2031",
            "total_points": "1000",
            "bonus_cap": "5",
            "deduction_cap": "5",
            "late_deduction": "1",
            "units": [world.unit_a.pk],
            **_band_data(excellent_min_criterion="85"),
        },
        cluster=world.cluster,
    )
    assert form.is_valid(), form.errors
    data = dict(form.cleaned_data)
    assert data["bands"][0] == {
        "band": "excellent",
        "min_total": 90,
        "min_criterion": 85,
    }
    term = services.term_create(
        cluster=world.cluster, actor=world.users["admin"], **data
    )
    assert term.band_table[0] == ("excellent", Decimal(90), Decimal(85))


def test_edit_form_refuses_bands_that_do_not_fall(world):
    form = TermForm(
        {
            "total_points": "100",
            "assessed_method": "peer_mean",
            "bonus_cap": "5",
            "deduction_cap": "5",
            "late_deduction": "1",
            "nomination_quorum": "2/3",
            "nomination_threshold": "1/2",
            **_band_data(good_min_total="95"),
        },
        instance=world.term,
    )
    assert not form.is_valid()
    assert "classification bands" in str(form.non_field_errors())


def test_edit_form_fixes_the_rules_from_scoring_on(world):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.SCORING)
    term = Term.objects.get(pk=world.term.pk)
    form = TermForm(instance=term)
    assert form.fields["good_min_total"].disabled
    assert form.fields["bonus_cap"].disabled
    assert not form.fields["reply_deadline"].disabled
