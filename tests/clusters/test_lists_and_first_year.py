"""Vietnamese alphabetical order in unit lists, member lists
and dropdowns; the rotation preview and the first year work from the rotation
order alone; “Save and add another” on the unit and user forms."""

import pytest
from django.urls import reverse

from clusters import selectors, services
from clusters.forms import MembershipAddForm
from clusters.models import RotationPolicy, Unit, User
from core.collation import vi_key, vi_sorted
from tests.clusters.factories import ClusterFactory, UnitFactory

NAMES = ["Thới An Đông", "Tân An", "Đông Hải", "Dương Minh", "An Bình", "Ân Thi"]
IN_ORDER = ["An Bình", "Ân Thi", "Đông Hải", "Dương Minh", "Tân An", "Thới An Đông"]


def test_vietnamese_order_strips_diacritics_then_follows_the_alphabet():
    assert sorted(NAMES, key=vi_key) == IN_ORDER
    assert sorted(NAMES) != IN_ORDER, "code-point order is what this fixes"
    assert sorted(["mạ", "má", "mâ", "ma", "mă", "mà"], key=vi_key) == [
        "ma",
        "mà",
        "má",
        "mạ",
        "mă",
        "mâ",
    ]
    assert sorted(["Đa", "Da", "Dă"], key=vi_key) == ["Da", "Dă", "Đa"]


@pytest.fixture
def named_units(world):
    return [UnitFactory(authority=world.authority, name=name) for name in NAMES]


def test_unit_list_is_in_vietnamese_order(world, login, named_units):
    admin = world.users["admin"]
    names = [u.name for u in selectors.unit_rows(admin, query="n")]
    assert [n for n in names if n in NAMES] == IN_ORDER
    page = login(admin).get(reverse("unit_list")).content.decode()
    positions = [page.index(name) for name in IN_ORDER]
    assert positions == sorted(positions)


def test_unit_dropdowns_are_in_vietnamese_order(world, named_units):
    form = MembershipAddForm(term=world.term)
    labels = [label for _value, label in form.fields["unit"].choices][1:]
    assert [n for n in labels if n in NAMES] == IN_ORDER


def test_member_lists_are_in_vietnamese_order(world, named_units):
    from tests.clusters.factories import MembershipFactory

    for unit in named_units:
        MembershipFactory(term=world.term, unit=unit)
    names = [m.unit.name for m in selectors.memberships_of_term(world.term)]
    assert [n for n in names if n in NAMES] == IN_ORDER
    assert vi_sorted(named_units) == sorted(named_units, key=lambda u: vi_key(u.name))


@pytest.fixture
def ordered_cluster(world):
    cluster = ClusterFactory(
        authority=world.authority,
        name="Cụm mới",
        rotation_policy=RotationPolicy.ORDERED,
    )
    units = [
        UnitFactory(authority=world.authority, name=name)
        for name in ("Xã Một", "Xã Hai", "Xã Ba")
    ]
    for unit in units:
        services.rotation_add(cluster=cluster, unit=unit, actor=world.users["admin"])
    return cluster, units


def test_rotation_preview_works_before_any_year_is_opened(world, ordered_cluster):
    cluster, units = ordered_cluster
    latest, proposals, missing = selectors.rotation_preview(
        cluster, years=3, first_year=2025
    )
    assert (latest, missing) == (None, [])
    assert [(p.year, p.chair, p.deputy) for p in proposals] == [
        (2025, units[0], units[1]),
        (2026, units[1], units[2]),
        (2027, units[2], units[0]),
    ]


def test_rotation_preview_page_before_any_year(world, login, ordered_cluster):
    cluster, units = ordered_cluster
    page = login(world.users["admin"]).get(
        reverse("rotation_preview", args=[cluster.pk])
    )
    html = page.content.decode()
    assert 'id="order-only"' in html
    assert "Xã Một" in html


def test_first_year_proposes_members_chair_and_deputy_from_the_order(
    world, login, ordered_cluster
):
    cluster, units = ordered_cluster
    page = login(world.users["admin"]).get(reverse("term_create", args=[cluster.pk]))
    form = page.context["form"]
    assert set(form.initial["units"]) == {u.pk for u in units}
    assert (form.initial["chair"], form.initial["deputy"]) == (
        units[0].pk,
        units[1].pk,
    )


def test_save_and_add_another_unit_returns_to_an_empty_form(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("unit_create"),
        {
            "name": "Phường Mới",
            "short_name": "PM",
            "kind": "ward",
            "valid_from": "01/07/2025",
            "add_another": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("unit_create")
    assert Unit.objects.filter(name="Phường Mới").exists()
    page = client.get(reverse("unit_create")).content.decode()
    assert 'id="add-another"' in page


def test_save_and_add_another_user(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("user_create"),
        {
            "username": "can_bo_moi",
            "full_name": "Trần Văn Mới",
            "role": "unit_officer",
            "unit": world.unit_a.pk,
            "is_active": "on",
            "password1": "Mật-khẩu-dài-2024!",
            "password2": "Mật-khẩu-dài-2024!",
            "add_another": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("user_create")
    assert User.objects.filter(username="can_bo_moi").exists()
