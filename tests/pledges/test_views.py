import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.models import Membership
from pledges import services
from pledges.models import Criterion, Indicator, Pledge, PledgeState, Target
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import set_all_targets, sign_all, unit_officer


def _url(name, pledge):
    return reverse(name, args=[pledge.term_id])


def _grow_pledge(world, pledge, members=45, criteria=10):
    def grow():
        section = pledge.sections.get(code="II")
        for n in range(criteria):
            c = Criterion.objects.create(
                pledge=pledge,
                section=section,
                code=f"X{n}",
                title=f"Thêm {n}",
                kind="indicator",
                max_points=1,
            )
            Indicator.objects.create(
                pledge=pledge,
                criterion=c,
                code=f"CTX{n}",
                title="x",
                unit_of_measure="%",
            )
        for _n in range(members):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            for indicator in pledge.indicators.all():
                Target.objects.create(indicator=indicator, unit=unit, planned=1)

    return grow


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("pledge_overview", "officer"),
        ("pledge_editor", "chair_officer"),
        ("targets_grid", "officer"),
        ("targets_grid", "chair_officer"),
        ("pledge_versions", "staff"),
        ("pledge_sign", "officer"),
    ],
)
def test_pledge_pages_query_count_is_stable(world, login, pledge, name, role):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    if name in ("pledge_versions", "pledge_sign"):
        services.pledge_open_signing(pledge=pledge, actor=admin)
    client = login(world.users[role])
    assert_queries_stable(client, _url(name, pledge), _grow_pledge(world, pledge))


def test_chair_drafts_from_last_year(world, login, pledge):
    set_all_targets(pledge, world.users["admin"])
    from clusters import services as cluster_services

    new_term = cluster_services.term_create(
        cluster=world.cluster,
        year=2025,
        actor=world.users["admin"],
        units=[world.unit_a, world.unit_chair, world.unit_deputy],
        chair=world.unit_chair,
    )
    client = login(world.users["chair_officer"])
    page = client.get(reverse("pledge_overview", args=[new_term.pk])).content.decode()
    assert "Sao chép giao ước năm 2024" in page
    response = client.post(
        reverse("pledge_create", args=[new_term.pk]), {"source": "previous"}
    )
    assert response.status_code == 302
    assert Pledge.objects.get(term=new_term).criteria.count() == 4


def test_editor_edits_a_row_in_place_and_saves(world, login, pledge):
    client = login(world.users["chair_officer"])
    criterion = pledge.criteria.get(code="II.1")
    url = _url("pledge_editor", pledge)
    page = client.get(url, {"edit": f"criterion-{criterion.pk}"}).content.decode()
    assert 'name="criterion-title"' in page
    response = client.post(
        url,
        {
            "kind": "criterion",
            "id": criterion.pk,
            "criterion-section": criterion.section_id,
            "criterion-code": "II.1",
            "criterion-title": "Chỉ số CCHC (PAR Index)",
            "criterion-kind": "assessed",
            "criterion-max_points": "40",
        },
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.title == "Chỉ số CCHC (PAR Index)"
    assert criterion.history.first().history_user == world.users["chair_officer"]


def test_editor_refuses_duplicate_code_beside_field(world, login, pledge):
    client = login(world.users["chair_officer"])
    response = client.post(
        _url("pledge_editor", pledge),
        {
            "kind": "criterion",
            "criterion-section": pledge.sections.get(code="I").pk,
            "criterion-code": "I.1",
            "criterion-title": "Trùng mã",
            "criterion-kind": "assessed",
            "criterion-max_points": "1",
        },
    )
    assert response.status_code == 200
    assert "Đã có tiêu chí khác mang mã này" in response.content.decode()
    assert pledge.criteria.count() == 4


def test_editor_refuses_negative_points(world, login, pledge):
    client = login(world.users["chair_officer"])
    response = client.post(
        _url("pledge_editor", pledge),
        {"kind": "section", "section-code": "IX", "section-title": "x",
         "section-kind": "scored", "section-max_points": "-3"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not pledge.sections.filter(code="IX").exists()


def test_officer_sets_only_own_targets(world, login, pledge):
    client = login(world.users["officer"])
    ct1 = pledge.indicators.get(code="CT1")
    response = client.post(
        _url("targets_grid", pledge),
        {
            f"t-{ct1.pk}-{world.unit_a.pk}": "1.234,5",
            f"t-{ct1.pk}-{world.unit_chair.pk}": "9",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(indicator=ct1, unit=world.unit_a).planned == Decimal(
        "1234.5"
    )
    assert not Target.objects.filter(indicator=ct1, unit=world.unit_chair).exists()


def test_grid_refuses_text_and_negatives_and_saves_nothing(world, login, pledge):
    client = login(world.users["chair_officer"])
    ct1 = pledge.indicators.get(code="CT1")
    response = client.post(
        _url("targets_grid", pledge),
        {
            f"t-{ct1.pk}-{world.unit_a.pk}": "mười",
            f"t-{ct1.pk}-{world.unit_chair.pk}": "-1",
            f"t-{ct1.pk}-{world.unit_deputy.pk}": "5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html
    assert not Target.objects.exists()


def test_member_signs_and_pledge_takes_effect(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    for m in Membership.objects.filter(term=world.term).exclude(unit=world.unit_a):
        services.pledge_sign(
            pledge=pledge, unit=m.unit, actor=unit_officer(m.unit), signer_name="X",
            signer_title="Y",
            signed_on=datetime.date(2024, 2, 1),
        )  # fmt: skip
    client = login(world.users["officer"])
    response = client.post(
        _url("pledge_sign", pledge),
        {
            "signer_name": "Lê Văn Tám",
            "signer_title": "Chủ tịch UBND",
            "signed_on": "15/02/2024",
        },
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.IN_FORCE
    again = client.post(
        _url("pledge_sign", pledge),
        {
            "signer_name": "Lê Văn Tám",
            "signer_title": "Chủ tịch UBND",
            "signed_on": "15/02/2024",
        },
    )
    assert again.status_code == 200
    assert pledge.versions.get().signatures.count() == 3


def test_versions_page_shows_readable_diff(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    sign_all(pledge)
    pledge = services.pledge_amend(
        pledge=pledge, actor=admin, reason="Tăng chỉ tiêu CT1"
    )
    ct1 = pledge.indicators.get(code="CT1")
    services.targets_apply(
        pledge=pledge, rows=[(ct1, world.unit_a, Decimal(150), None)], actor=admin
    )
    services.pledge_open_signing(pledge=pledge, actor=admin)
    html = login(world.users["officer"]).get(_url("pledge_versions", pledge)).content
    html = html.decode()
    assert "Tăng chỉ tiêu CT1" in html
    assert "CT1 · Huyện A" in html
    assert "<td>100</td><td>150</td>" in html


def test_signed_pledge_cannot_be_edited_in_the_editor(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    client = login(world.users["chair_officer"])
    response = client.post(
        _url("pledge_editor", pledge),
        {"kind": "section", "section-code": "IX", "section-title": "x",
         "section-kind": "scored", "section-max_points": "3"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not pledge.sections.filter(code="IX").exists()


@pytest.mark.parametrize("kind", ["section", "subsection", "criterion", "indicator"])
def test_editor_forms_survive_hostile_input(world, login, pledge, kind):
    client = login(world.users["chair_officer"])
    url = _url("pledge_editor", pledge) + f"?add={kind}"
    page = client.get(url).content.decode()
    from tests.helpers import form_field_names

    fields = [f for f in form_field_names(page) if f.startswith(f"{kind}-")]
    fuzz_form(client, url, fields=[*fields, "kind", "id", "action"], examples=100)


def test_grid_survives_hostile_input(world, login, pledge):
    client = login(world.users["chair_officer"])
    fuzz_form(client, _url("targets_grid", pledge), examples=100)


def test_sign_form_survives_hostile_input(world, login, pledge):
    set_all_targets(pledge, world.users["admin"])
    services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])
    fuzz_form(login(world.users["officer"]), _url("pledge_sign", pledge), examples=100)
