"""An authority gets its award catalogue when it is created
(`clusters.services.authority_create`, the admin site, `create_authority`);
reading the catalogue never writes."""

from django.core.management import call_command
from django.urls import reverse

from awards.catalogue_defaults import DEFAULT_BASE_SALARIES, DEFAULT_FORMS
from awards.models import AwardForm, BaseSalary
from clusters.models import Authority
from clusters.services import authority_create


def test_a_new_authority_has_the_catalogue_and_base_salaries(db, world):
    authority = authority_create(
        actor=world.users["admin"], name="UBND tỉnh Mới", place_name="Tỉnh Mới"
    )
    assert AwardForm.objects.filter(authority=authority).count() == len(DEFAULT_FORMS)
    assert BaseSalary.objects.filter(authority=authority).count() == len(
        DEFAULT_BASE_SALARIES
    )
    form = AwardForm.objects.filter(authority=authority).first()
    assert form.history.first().history_user == world.users["admin"]


def test_create_authority_seeds_the_catalogue(db, monkeypatch):
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "mot-mat-khau-rat-dai-2026")
    call_command(
        "create_authority", "UBND tỉnh Cần Thơ", "--place", "Cần Thơ",
        "--admin", "quantri", stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip
    authority = Authority.objects.get(name="UBND tỉnh Cần Thơ")
    assert AwardForm.objects.filter(authority=authority).count() == len(DEFAULT_FORMS)


def test_reading_the_catalogue_writes_nothing(world, login):
    # world.authority was made without the service, as legacy rows were.
    assert not AwardForm.objects.filter(authority=world.authority).exists()
    response = login(world.users["staff"]).get(reverse("award_form_list"))
    assert response.status_code == 200
    assert not AwardForm.objects.filter(authority=world.authority).exists()
    assert not BaseSalary.objects.filter(authority=world.authority).exists()
