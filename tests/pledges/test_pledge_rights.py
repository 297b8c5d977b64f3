"""The pledge and scoring services refuse, by themselves, an actor the pages
would not let act (a crafted POST or a direct call changes nothing)."""

import datetime
from decimal import Decimal

import pytest

from clusters.models import TermState
from core.errors import DomainError
from pledges import services
from pledges.models import (
    Objection,
    Pledge,
    PledgeTemplate,
    Score,
    Signature,
    Target,
)
from tests.finality import term_rows
from tests.pledges.conftest import report_of, set_all_targets, term_to, unit_officer

pytestmark = pytest.mark.usefixtures("english")

NOT_DRAFTERS = ["officer", "other_officer", "staff", "other_admin", "anonymous"]


@pytest.mark.parametrize("role", NOT_DRAFTERS)
def test_drafting_services_refuse_who_may_not_draft_and_change_nothing(
    world, pledge, role
):
    user = world.users[role]
    section = pledge.sections.get(code="II")
    criterion = pledge.criteria.get(code="III.1")
    calls = [
        lambda: services.section_save(
            pledge=pledge, actor=user, code="IV", title="Trừ", kind="deduction",
            max_points=Decimal(5),
        ),
        lambda: services.criterion_save(
            pledge=pledge, actor=user, criterion=criterion, title="Sửa"
        ),
        lambda: services.row_delete(pledge=pledge, row=criterion, actor=user),
        lambda: services.row_move(pledge=pledge, row=section, offset=-1, actor=user),
        lambda: services.pledge_open_signing(pledge=pledge, actor=user),
        lambda: services.pledge_amend(pledge=pledge, actor=user, reason="Sửa"),
        lambda: services.template_save(pledge=pledge, name="Mẫu", actor=user),
        lambda: services.pledge_tree_replace(
            pledge=pledge, content={"sections": []}, actor=user
        ),
    ]  # fmt: skip
    before = term_rows(world.term)
    for call in calls:
        with pytest.raises(DomainError, match="draft the pledge"):
            call()
    assert term_rows(world.term) == before
    assert not PledgeTemplate.objects.exists()


@pytest.mark.parametrize("role", ["officer", "staff", "other_admin", "anonymous"])
def test_pledge_create_refuses_who_may_not_draft(world, role):
    with pytest.raises(DomainError, match="draft the pledge"):
        services.pledge_create(term=world.term, actor=world.users[role])
    assert not Pledge.objects.filter(term=world.term).exists()


def test_the_chair_units_officer_drafts(world, pledge):
    section = services.section_save(
        pledge=pledge, actor=world.users["chair_officer"], code="IV", title="Trừ",
        kind="deduction", max_points=Decimal(5),
    )  # fmt: skip
    assert section.pk is not None


def test_an_officer_sets_only_its_own_units_targets_all_or_nothing(world, pledge):
    officer = world.users["officer"]
    ct1 = pledge.indicators.get(code="CT1")
    own = [(ct1, world.unit_a, Decimal(90), None)]
    with pytest.raises(DomainError, match="set its targets"):
        services.targets_apply(
            pledge=pledge,
            rows=[*own, (ct1, world.unit_chair, Decimal(90), None)],
            actor=officer,
        )
    assert not Target.objects.exists()
    assert services.targets_apply(pledge=pledge, rows=own, actor=officer) == 1
    for role in ("staff", "other_admin", "anonymous"):
        with pytest.raises(DomainError, match="set its targets"):
            services.targets_apply(pledge=pledge, rows=own, actor=world.users[role])


def _open_for_signing(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])


@pytest.mark.parametrize(
    "role", ["admin", "chair_officer", "staff", "other_officer", "anonymous"]
)
def test_only_the_units_own_officer_signs_for_it(world, pledge, role):
    _open_for_signing(world, pledge)
    with pytest.raises(DomainError, match="own officers sign"):
        services.pledge_sign(
            pledge=pledge, unit=world.unit_a, actor=world.users[role],
            signer_name="A", signer_title="B", signed_on=datetime.date(2024, 2, 1),
        )  # fmt: skip
    assert not Signature.objects.exists()


def test_an_officer_never_scores_in_another_units_name(world, scored):
    criterion = scored.criteria.get(code="II.1")
    report = report_of(world, world.unit_a)
    for user in (world.users["chair_officer"], world.users["admin"], None):
        with pytest.raises(DomainError, match="scoring unit's own officers"):
            services.peer_score_set(
                report=report, criterion=criterion, scorer_unit=world.unit_deputy,
                points=Decimal(30), comment="", actor=user,
            )  # fmt: skip
    assert not Score.objects.filter(kind="peer").exists()
    services.peer_score_set(
        report=report, criterion=criterion, scorer_unit=world.unit_deputy,
        points=Decimal(30), comment="", actor=unit_officer(world.unit_deputy),
    )  # fmt: skip
    assert Score.objects.filter(kind="peer").count() == 1


def test_only_the_units_own_officer_objects_to_its_scores(world, scored):
    criterion = scored.criteria.get(code="II.1")
    term_to(world, TermState.REPLY)
    report = report_of(world, world.unit_a)
    for role in ("chair_officer", "admin", "staff", "anonymous"):
        with pytest.raises(DomainError, match="object to the scores"):
            services.objection_raise(
                report=report, criterion=criterion, text="x", actor=world.users[role]
            )
    assert not Objection.objects.exists()
    services.objection_raise(
        report=report, criterion=criterion, text="x", actor=world.users["officer"]
    )
    assert Objection.objects.count() == 1


def test_another_authoritys_admin_neither_publishes_nor_records_an_absence(world):
    term_to(world, TermState.REPLY)
    other = world.users["other_admin"]
    with pytest.raises(DomainError, match="province staff's act"):
        services.ranking_publish(term=world.term, actor=other)
    with pytest.raises(DomainError, match="record a missing report"):
        services.report_absence_record(
            term=world.term, unit=world.unit_a, reason="Thiếu", actor=other
        )
