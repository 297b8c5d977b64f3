import datetime
import re

import pytest
from django.urls import reverse

from clusters.models import RotationSlot, Term, TermState, Unit
from tests.clusters.factories import (
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
)
from tests.helpers import assert_queries_stable


def _grow(world, units=45, years=4):
    """More members in every term, more terms and clusters, more officers."""

    def grow():
        for _i in range(units):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            officer(unit)
        for year in range(2024 - years, 2024):
            term = TermFactory(cluster=world.cluster, year=year)
            MembershipFactory(term=term, unit=world.unit_a)
            MembershipFactory(term=term, unit=world.unit_chair, role="chair")
        for _i in range(5):
            cluster = ClusterFactory(authority=world.authority)
            MembershipFactory(term=TermFactory(cluster=cluster), role="chair")
        for position, membership in enumerate(world.term.memberships.all(), start=1):
            RotationSlot.objects.create(
                cluster=world.cluster, unit_id=membership.unit_id, position=position
            )

    return grow


PAGES = [
    ("home", None, "admin"),
    ("home", None, "staff"),
    ("home", None, "officer"),
    ("cluster_list", None, "admin"),
    ("cluster_list", None, "officer"),
    ("cluster_detail", lambda w: {"pk": w.cluster.pk}, "staff"),
    ("cluster_edit", lambda w: {"pk": w.cluster.pk}, "admin"),
    ("cluster_create", None, "admin"),
    ("term_create", lambda w: {"cluster_pk": w.cluster.pk}, "admin"),
    ("term_detail", lambda w: {"pk": w.term.pk}, "admin"),
    ("term_detail", lambda w: {"pk": w.term.pk}, "chair_officer"),
    ("term_edit", lambda w: {"pk": w.term.pk}, "admin"),
    ("unit_list", None, "admin"),
    ("unit_detail", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("unit_edit", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("unit_deactivate", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("unit_delete", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("user_list", None, "admin"),
    ("user_create", None, "admin"),
    ("user_edit", lambda w: {"pk": w.users["officer"].pk}, "admin"),
    ("user_password", lambda w: {"pk": w.users["officer"].pk}, "admin"),
    ("password_change", None, "officer"),
    ("rotation_settings", lambda w: {"pk": w.cluster.pk}, "admin"),
    ("rotation_preview", lambda w: {"pk": w.cluster.pk}, "officer"),
    ("term_rollover", lambda w: {"pk": w.term.pk}, "admin"),
    ("term_handover", lambda w: {"pk": w.term.pk}, "chair_officer"),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "role"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_query_count_does_not_grow_with_data(world, login, name, kwargs, role):
    client = login(world.users[role])
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    assert_queries_stable(client, url, _grow(world))


def test_login_page_query_count_is_constant(client, db):
    from tests.helpers import count_queries

    response, queries = count_queries(client, reverse("login"))
    assert response.status_code == 200
    assert queries == 0


def test_pages_have_title_breadcrumbs_and_vietnamese(world, login):
    client = login(world.users["admin"])
    html = client.get(
        reverse("cluster_detail", args=[world.cluster.pk])
    ).content.decode()
    assert '<html lang="vi">' in html
    assert "<title>Cụm A" in html
    assert 'class="breadcrumb"' in html
    assert "Trang chủ" in html


def test_vietnamese_even_when_the_browser_asks_for_english(world, login):
    client = login(world.users["officer"])
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in html.content.decode()


def test_english_switch(world, login):
    client = login(world.users["admin"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Home" in html


def test_officer_home_shows_cluster_chair_and_what_is_due(world, login):
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPORTING, report_deadline=datetime.date(2024, 12, 15)
    )
    html = login(world.users["officer"]).get(reverse("home")).content.decode()
    assert world.cluster.name in html
    assert world.unit_chair.name in html
    assert "15/12/2024" in html


def test_chair_officer_sees_chair_powers_notice(world, login):
    url = reverse("term_detail", args=[world.term.pk])
    chair_html = login(world.users["chair_officer"]).get(url).content.decode()
    member_html = login(world.users["officer"]).get(url).content.decode()
    notice = "Đơn vị của bạn là cụm trưởng"
    assert notice in chair_html
    assert notice not in member_html


def test_term_create_refuses_duplicate_year_with_message_beside_field(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("term_create", args=[world.cluster.pk]),
        {"year": "2024", "total_points": "100", "units": [world.unit_a.pk]},
    )
    assert response.status_code == 200
    assert "đã có năm thi đua" in response.content.decode()
    assert Term.objects.filter(cluster=world.cluster).count() == 1


def test_term_create_refuses_chair_equal_to_deputy(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("term_create", args=[world.cluster.pk]),
        {
            "year": "2025",
            "total_points": "100",
            "units": [world.unit_a.pk, world.unit_chair.pk],
            "chair": world.unit_a.pk,
            "deputy": world.unit_a.pk,
        },
    )
    assert response.status_code == 200
    assert 'id="error_1_id_deputy"' in response.content.decode()
    assert not Term.objects.filter(year=2025).exists()


def test_term_create_reads_vietnamese_dates(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("term_create", args=[world.cluster.pk]),
        {
            "year": "2025",
            "total_points": "100",
            "report_deadline": "05/03/2026",
            "units": [world.unit_a.pk, world.unit_chair.pk],
            "chair": world.unit_chair.pk,
            "deputy": world.unit_a.pk,
        },
    )
    term = Term.objects.get(cluster=world.cluster, year=2025)
    assert response.status_code == 302
    assert term.report_deadline == datetime.date(2026, 3, 5)
    assert term.chair == world.unit_chair


def test_unit_form_shows_vietnamese_error_beside_field(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("unit_create"),
        {"name": "", "short_name": "X", "kind": "commune", "valid_from": "31/02/2024"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_name"' in html
    assert "Trường này là bắt buộc" in html
    assert "Nhập một ngày hợp lệ" in html
    assert not Unit.objects.filter(short_name="X").exists()


def test_unit_delete_with_history_is_refused_and_offers_deactivation(world, login):
    client = login(world.users["admin"])
    response = client.post(reverse("unit_delete", args=[world.unit_a.pk]))
    assert response.status_code == 409
    assert (
        reverse("unit_deactivate", args=[world.unit_a.pk]) in response.content.decode()
    )
    assert Unit.objects.filter(pk=world.unit_a.pk).exists()


def test_admin_creates_officer_who_can_log_in(world, login):
    admin_client = login(world.users["admin"])
    response = admin_client.post(
        reverse("user_create"),
        {
            "username": "canbo_xa",
            "full_name": "Lê Văn C",
            "role": "unit_officer",
            "unit": world.unit_a.pk,
            "is_active": "on",
            "password1": "mot-mat-khau-dai-2025",
            "password2": "mot-mat-khau-dai-2025",
        },
    )
    assert response.status_code == 302
    admin_client.logout()
    response = admin_client.post(
        reverse("login"), {"username": "canbo_xa", "password": "mot-mat-khau-dai-2025"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_unknown_url_gives_friendly_404(world, login):
    response = login(world.users["officer"]).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_other_authority_object_gives_404_page(world, login):
    response = login(world.users["other_admin"]).get(
        reverse("term_detail", args=[world.term.pk])
    )
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_admin_reorders_rotation_without_javascript(world, login):
    client = login(world.users["admin"])
    url = reverse("rotation_settings", args=[world.cluster.pk])
    for unit in (world.unit_a, world.unit_chair):
        response = client.post(url, {"action": "add", "unit": unit.pk})
        assert response.status_code == 302
    client.post(url, {"action": "move", "unit": world.unit_chair.pk, "offset": "-1"})
    order = list(
        RotationSlot.objects.filter(cluster=world.cluster)
        .order_by("position")
        .values_list("unit_id", flat=True)
    )
    assert order == [world.unit_chair.pk, world.unit_a.pk]


def test_policy_change_without_reason_shows_error_beside_field(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("rotation_settings", args=[world.cluster.pk]),
        {"action": "policy", "policy": "ordered", "reason": ""},
    )
    assert response.status_code == 200
    assert 'id="error_1_id_reason"' in response.content.decode()
    world.cluster.refresh_from_db()
    assert world.cluster.rotation_policy == "deputy_succeeds"


def test_rollover_page_proposes_and_opens_next_year(world, login):
    client = login(world.users["admin"])
    url = reverse("term_rollover", args=[world.term.pk])
    page = client.get(url).content.decode()
    assert "2025" in page
    response = client.post(
        url,
        {
            "units": [world.unit_a.pk, world.unit_chair.pk, world.unit_deputy.pk],
            "chair": world.unit_deputy.pk,
            "deputy": world.unit_a.pk,
        },
    )
    new = Term.objects.get(cluster=world.cluster, year=2025)
    assert response["Location"] == reverse("term_detail", args=[new.pk])
    again = client.get(url)
    assert again.status_code == 302  # the year exists: sent to it, nothing created
    assert Term.objects.filter(cluster=world.cluster).count() == 2


def test_preview_lists_coming_years(world, login):
    html = (
        login(world.users["officer"])
        .get(reverse("rotation_preview", args=[world.cluster.pk]) + "?years=3")
        .content.decode()
    )
    for year in ("2025", "2026", "2027"):
        assert f">{year}<" in html
    assert "2028" not in html


def test_cluster_list_pages_and_home_shows_the_first_clusters(
    world, login, monkeypatch, english_pages
):
    """At a province's scale (480 clusters) the list and the home page listed
    every cluster with every term's members: the list now comes a page at a
    time, the home page shows the first ones and links to the list, and each
    row reads only its latest term, with its chair."""
    from clusters import views as cluster_views
    from clusters.models import MemberRole
    from core import views as core_views

    monkeypatch.setattr(core_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(cluster_views, "HOME_CLUSTERS", 2)
    for name in ("Cụm C", "Cụm D"):  # the world has Cụm A and Cụm B
        cluster = ClusterFactory(authority=world.authority, name=name)
        TermFactory(cluster=cluster, year=2023)
        newest = TermFactory(cluster=cluster, year=2025)
        MembershipFactory(term=newest, unit=world.unit_deputy, role=MemberRole.CHAIR)
    client = login(world.users["staff"])
    first = client.get(reverse("cluster_list")).content.decode()
    assert "Cụm A" in first
    assert "Cụm B" in first
    assert "Cụm C" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("cluster_list"), {"page": 2}).content.decode()
    assert "Cụm C" in second
    assert "Cụm D" in second
    assert "Cụm A" not in second
    assert "Year 2025" in second
    assert "Year 2023" not in second
    assert world.unit_deputy.name in second
    home = client.get(reverse("home")).content.decode()
    assert "The first 2 of 4." in home
    assert f'href="{reverse("cluster_list")}">See every cluster and block' in home


def test_rollover_lists_the_members_first_among_many_units(world, login, monkeypatch):
    """A province of many units: the year's members are ticked at the top of
    the list, under a box to find the others by name."""
    from core import widgets

    monkeypatch.setattr(widgets, "FILTER_FROM", 3)
    UnitFactory.create_batch(5, authority=world.authority)
    page = (
        login(world.users["admin"])
        .get(reverse("term_rollover", args=[world.term.pk]))
        .content.decode()
    )
    assert 'data-checklist-filter="id_units_list"' in page
    listed = page[page.index('id="id_units_list"') :]
    boxes = re.findall(r'name="units" value="(\d+)"[^>]*?( checked)?>', listed)
    members = {
        str(pk) for pk in world.term.memberships.values_list("unit_id", flat=True)
    }
    assert len(boxes) > len(members)
    assert {value for value, mark in boxes if mark} == members
    assert {value for value, _mark in boxes[: len(members)]} == members
