import datetime
from decimal import Decimal

import pytest

from clusters import services as cluster_services
from core.errors import DomainError
from pledges import selectors, services
from pledges.models import (
    Criterion,
    Indicator,
    Pledge,
    PledgeState,
    Section,
    Target,
)
from tests.pledges.conftest import CONTENT, set_all_targets, sign_all

pytestmark = pytest.mark.usefixtures("english")


def test_pledge_loads_the_criteria_tree(pledge):
    assert list(pledge.sections.values_list("code", flat=True)) == ["I", "II", "III"]
    assert pledge.criteria.count() == 4
    assert list(pledge.indicators.values_list("code", flat=True)) == ["CT1", "CT2"]
    assert selectors.pledge_content(pledge) == selectors.pledge_content(pledge)
    assert selectors.pledge_content(pledge)["sections"][0]["max_points"] == "60"


def test_problems_list_missing_targets_then_none(world, pledge):
    problems = selectors.pledge_problems(pledge)
    assert problems == [
        "Indicator CT1 has no target for: Huyện A, Huyện Chủ trì, Huyện Phó.",
        "Indicator CT2 has no target for: Huyện A, Huyện Chủ trì, Huyện Phó.",
    ]
    set_all_targets(pledge, world.users["admin"])
    assert selectors.pledge_problems(pledge) == []


def test_points_must_add_up_to_the_scale(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    section = pledge.sections.get(code="II")
    services.section_save(
        pledge=pledge,
        section=section,
        actor=world.users["admin"],
        max_points=Decimal(35),
    )
    assert selectors.pledge_problems(pledge) == [
        "The scored sections add up to 95 points, not 100.",
        "Section II: its criteria add up to 40, not 35.",
    ]
    with pytest.raises(DomainError, match="cannot be opened"):
        services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.DRAFT


def test_zero_target_refused_under_proportional_rule(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    ct1 = pledge.indicators.get(code="CT1")
    services.targets_apply(
        pledge=pledge,
        rows=[(ct1, world.unit_a, Decimal(0), None)],
        actor=world.users["admin"],
    )
    assert selectors.pledge_problems(pledge) == [
        "Indicator CT1 is scored in proportion to its target, which cannot be 0 "
        "for: Huyện A."
    ]


def test_indicator_criterion_needs_an_indicator(world, pledge):
    services.row_delete(
        pledge=pledge, row=pledge.indicators.get(code="CT2"), actor=world.users["admin"]
    )
    assert "Criterion I.2 has no indicator." in selectors.pledge_problems(pledge)


def test_bad_rule_parameters_are_reported(world, pledge):
    ct1 = pledge.indicators.get(code="CT1")
    services.indicator_save(
        pledge=pledge,
        indicator=ct1,
        actor=world.users["admin"],
        params={"cap": 100, "floor": 120},
    )
    assert any("floor" in p for p in selectors.pledge_problems(pledge))


def test_duplicate_codes_are_refused(world, pledge):
    section = pledge.sections.get(code="I")
    with pytest.raises(DomainError, match="Another criterion has this code"):
        services.criterion_save(
            pledge=pledge,
            actor=world.users["admin"],
            section=section,
            code="I.1",
            title="Trùng",
            kind="assessed",
            max_points=Decimal(1),
        )
    assert pledge.criteria.count() == 4


def test_criterion_kind_must_fit_section(world, pledge):
    with pytest.raises(DomainError, match="does not belong"):
        services.criterion_save(
            pledge=pledge,
            actor=world.users["admin"],
            section=pledge.sections.get(code="III"),
            code="III.2",
            title="x",
            kind="assessed",
            max_points=Decimal(1),
        )


def test_negative_target_refused_and_nothing_half_saved(world, pledge):
    ct1 = pledge.indicators.get(code="CT1")
    with pytest.raises(DomainError, match="negative"):
        services.targets_apply(
            pledge=pledge,
            rows=[
                (ct1, world.unit_a, Decimal(10), None),
                (ct1, world.unit_chair, Decimal(-1), None),
            ],
            actor=world.users["admin"],
        )
    assert not Target.objects.exists()


def test_targets_apply_twice_changes_nothing(world, pledge):
    assert set_all_targets(pledge, world.users["admin"]) == 6
    assert set_all_targets(pledge, world.users["admin"]) == 0


def test_signing_by_every_member_puts_pledge_in_force_and_locks(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    with pytest.raises(DomainError, match="cannot be edited"):
        services.section_save(
            pledge=Pledge.objects.get(pk=pledge.pk),
            section=pledge.sections.first(),
            actor=admin,
            title="Đổi",
        )
    sign_all(pledge)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.IN_FORCE
    version = pledge.versions.get()
    assert version.in_force_at is not None
    assert version.signatures.count() == 3
    assert version.snapshot["targets"]["CT1"]["Huyện A"] == "100"


def test_second_signature_and_non_member_refused(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    kwargs = {
        "signer_name": "A",
        "signer_title": "B",
        "signed_on": datetime.date(2024, 2, 1),
    }
    officer = world.users["officer"]
    services.pledge_sign(pledge=pledge, unit=world.unit_a, actor=officer, **kwargs)
    with pytest.raises(DomainError, match="already signed"):
        services.pledge_sign(pledge=pledge, unit=world.unit_a, actor=officer, **kwargs)
    # A unit outside the year has no officer who may sign for it.
    with pytest.raises(DomainError, match="own officers sign"):
        services.pledge_sign(
            pledge=pledge,
            unit=world.unit_other,
            actor=world.users["other_officer"],
            **kwargs,
        )


def test_amendment_makes_a_new_version_signed_again(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    sign_all(pledge)
    with pytest.raises(DomainError, match="reason"):
        services.pledge_amend(pledge=pledge, actor=admin, reason="")
    pledge = services.pledge_amend(pledge=pledge, actor=admin, reason="Điều chỉnh CT2")
    assert (pledge.state, pledge.version) == (PledgeState.DRAFT, 2)
    set_all_targets(pledge, admin, Decimal(120))
    services.pledge_open_signing(pledge=pledge, actor=admin)
    v1, v2 = pledge.versions.order_by("number")
    assert v2.reason == "Điều chỉnh CT2"
    assert v1.snapshot["targets"]["CT1"]["Huyện A"] == "100"
    assert v2.snapshot["targets"]["CT1"]["Huyện A"] == "120"
    assert v2.signatures.count() == 0
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.SIGNING


def test_copy_previous_year_and_rollover_hook(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    new_term = cluster_services.term_open_next_year(
        term=world.term,
        actor=admin,
        units=[world.unit_a, world.unit_chair, world.unit_deputy],
        chair=world.unit_deputy,
        deputy=world.unit_a,
        reason="test",
    )
    copy = Pledge.objects.get(term=new_term)
    assert selectors.pledge_content(copy) == selectors.pledge_content(pledge)
    assert not Target.objects.filter(indicator__pledge=copy).exists()
    assert copy.state == PledgeState.DRAFT


def test_template_round_trip(world, pledge):
    template = services.template_save(
        pledge=pledge, name="Mẫu cụm huyện", actor=world.users["admin"]
    )
    term = cluster_services.term_create(
        cluster=world.cluster, year=2030, actor=world.users["admin"]
    )
    copy = services.pledge_from_template(
        term=term, template=template, actor=world.users["admin"]
    )
    assert selectors.pledge_content(copy) == selectors.pledge_content(pledge)


def test_reorder_sections(world, pledge):
    services.row_move(
        pledge=pledge,
        row=pledge.sections.get(code="II"),
        offset=-1,
        actor=world.users["admin"],
    )
    assert list(
        Section.objects.filter(pledge=pledge).values_list("code", flat=True)
    ) == [
        "II",
        "I",
        "III",
    ]


def test_content_matches_fixture(pledge):
    assert [s["code"] for s in selectors.pledge_content(pledge)["sections"]] == [
        s["code"] for s in CONTENT["sections"]
    ]
    assert Criterion.objects.filter(pledge=pledge, evidence_required=True).count() == 1
    assert Indicator.objects.get(code="CT2").rule == "threshold"


def test_year_starts_only_when_the_pledge_is_in_force(world, pledge):
    from clusters.models import TermState

    admin = world.users["admin"]
    Term = type(world.term)
    Term.objects.filter(pk=world.term.pk).update(state=TermState.PLEDGING)
    with pytest.raises(DomainError, match="signed by every member"):
        cluster_services.term_transition(
            term=world.term, to_state=TermState.IN_PROGRESS, actor=admin
        )
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    sign_all(pledge)
    term = cluster_services.term_transition(
        term=world.term, to_state=TermState.IN_PROGRESS, actor=admin
    )
    assert term.state == TermState.IN_PROGRESS
