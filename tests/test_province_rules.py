"""Rules real provinces' documents use: growth over last year as a
scoring rule (rule 8), terms that are not calendar years (rule 7), rotation to
the flag winner with the rotating flag handed over (rule 6) and reward amounts
from Decree 152/2025/NĐ-CP (rule 10)."""

import copy
import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation

from awards import services as award_services
from awards.catalogue_defaults import MULTIPLIER_UNCONFIRMED
from awards.documents import proposal_document
from awards.models import AwardForm
from awards.selectors import proposal_detail
from clusters import rotation
from clusters import selectors as cluster_selectors
from clusters import services as cluster_services
from clusters.forms import HandoverForm
from clusters.models import (
    Cluster,
    Handover,
    RotationPolicy,
    Term,
    next_period_label,
)
from core.errors import DomainError
from pledges import services
from pledges.documents import pledge_document, rule_words
from pledges.forms import IndicatorForm
from pledges.models import Indicator, Report, ReportState, ScoringRule
from pledges.scoring import growth, indicator_points, points_for
from pledges.selectors import pledge_problems
from pledges.standings import term_standings
from tests.awards.proposal_helpers import draft, nominate
from tests.pledges.conftest import CONTENT, publish_ranking, set_all_targets, term_to
from tests.pledges.standings_reference import canonical, reference_standings

D = Decimal

# Rule 8: growth over last year -------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "last", "actual", "rate"),
    [
        ("higher", D(200), D(220), D(10)),
        ("higher", D(200), D(190), D(-5)),
        ("higher", D(200), D(200), D(0)),
        ("higher", D(0), D(5), D("Infinity")),
        ("higher", D(0), D(0), D(0)),
        ("lower", D(50), D(40), D(20)),
        ("lower", D(50), D(55), D(-10)),
        ("lower", D(0), D(3), D("-Infinity")),
        ("higher", None, D(3), None),
        ("higher", D(3), None, None),
    ],
)
def test_growth_over_last_year_by_direction(direction, last, actual, rate):
    assert growth(direction, last, actual) == rate


@pytest.mark.parametrize(
    ("params", "rate", "points"),
    [
        ({"full": 10}, D(10), D("10.00")),
        ({"full": 10}, D(25), D("10.00")),
        ({"full": 10}, D(5), D("5.00")),
        ({"full": 8}, D(2), D("2.50")),
        ({"full": 10}, D(0), D("0.00")),
        ({"full": 10}, D(-3), D("0.00")),
        ({"full": 10}, D("Infinity"), D("10.00")),
        ({"full": 10}, D("-Infinity"), D("0.00")),
        ({}, D(5), D("5.00")),
        ({"full": 10}, None, None),
    ],
)
def test_growth_points_full_linear_zero(params, rate, points):
    assert points_for(ScoringRule.GROWTH, params, D(10), rate) == points


@pytest.mark.parametrize(
    ("direction", "planned", "last", "actual", "achieved", "points"),
    [
        # 6 % growth of a 12 % target: half the points, 106/110 of plan.
        ("higher", D(110), D(100), D(106), D(106) / D(110) * 100, D("3.00")),
        # A fall of 20 % of a lower-is-better figure (e.g. poor households).
        ("lower", D(45), D(50), D(40), D("112.5"), D("6.00")),
        ("lower", D(45), D(50), D(52), D(45) / D(52) * 100, D("0.00")),
        # No last year's actual: achievement still shown, no points computed.
        ("higher", D(110), None, D(106), D(106) / D(110) * 100, None),
    ],
)
def test_indicator_points_score_growth_beside_percent_of_plan(
    direction, planned, last, actual, achieved, points
):
    indicator = Indicator(
        rule=ScoringRule.GROWTH, direction=direction, params={"full": 12}
    )
    assert indicator_points(indicator, D(6), planned, actual, last) == (
        achieved,
        points,
    )


def test_rule_words_describe_growth_in_vietnamese():
    up = Indicator(rule=ScoringRule.GROWTH, direction="higher", params={"full": 12.5})
    down = Indicator(rule=ScoringRule.GROWTH, direction="lower", params={"full": 10})
    assert rule_words(up) == (
        "theo mức tăng trưởng so với thực hiện năm trước: tăng từ 12,5% trở lên "
        "được điểm tối đa, tăng dưới 12,5% được điểm tương ứng theo tỷ lệ, không "
        "tăng không có điểm"
    )
    assert rule_words(down).startswith("theo mức giảm so với thực hiện năm trước")


def _growth_content():
    content = copy.deepcopy(CONTENT)
    content["sections"][0]["criteria"][1]["indicators"][0].update(
        rule="growth", params={"full": 10}
    )
    return content


def test_growth_rule_form_keeps_its_full_growth(world):
    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=_growth_content()
    )
    indicator = pledge.indicators.get(code="CT2")
    data = {
        "indicator-criterion": indicator.criterion_id,
        "indicator-code": "CT2",
        "indicator-title": indicator.title,
        "indicator-unit_of_measure": "tỷ đồng",
        "indicator-direction": "higher",
        "indicator-aggregation": "sum",
        "indicator-rule": "growth",
        "indicator-growth_full": "7,5",
    }
    form = IndicatorForm(data, instance=indicator, pledge=pledge, prefix="indicator")
    assert form.is_valid(), form.errors
    assert form.service_fields()["params"] == {"full": 7.5}
    data["indicator-growth_full"] = "0"
    form = IndicatorForm(data, instance=indicator, pledge=pledge, prefix="indicator")
    assert not form.is_valid()
    assert "growth_full" in form.errors


def test_growth_rule_without_positive_full_growth_is_reported(world):
    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=_growth_content()
    )
    services.indicator_save(
        pledge=pledge,
        indicator=pledge.indicators.get(code="CT2"),
        actor=world.users["admin"],
        params={"full": 0},
    )
    assert any("CT2" in p and "0%" in p for p in pledge_problems(pledge))


def test_growth_rule_scores_the_ranking_from_last_years_actual(world):
    admin = world.users["admin"]
    pledge = services.pledge_create(
        term=world.term, actor=admin, content=_growth_content()
    )
    ct1, ct2 = pledge.indicators.get(code="CT1"), pledge.indicators.get(code="CT2")
    members = [world.unit_a, world.unit_chair, world.unit_deputy]
    services.targets_apply(
        pledge=pledge,
        rows=[(ct1, u, D(100), None) for u in members]
        + [(ct2, u, D(100), None) for u in members],
        actor=admin,
    )
    # Growth needs last year's actual of every member before signing.
    assert any("CT2" in p and "Huyện A" in p for p in pledge_problems(pledge))
    services.targets_apply(
        pledge=pledge,
        rows=[(ct2, u, D(100), D(200)) for u in members],
        actor=admin,
    )
    assert not any("CT2" in p for p in pledge_problems(pledge))
    term_to(world, "reporting")
    # CT2 (30 points, full at 10 %): +10 % → 30, +5 % → 15, −5 % → 0; CT1
    # is on plan for all (30 each).
    for unit, value in (
        (world.unit_a, 220),
        (world.unit_chair, 210),
        (world.unit_deputy, 190),
    ):
        report = services.report_start(term=world.term, unit=unit, actor=admin)
        services.report_save_section(
            report=report,
            actor=admin,
            version=report.version,
            section="indicators",
            data={ct1: (D(100), ""), ct2: (D(value), "")},
        )
        Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    term_to(world, "scoring")
    totals = {s.unit.name: s.indicator_points for s in term_standings(world.term)}
    assert totals == {
        "Huyện A": D("60.00"),
        "Huyện Chủ trì": D("45.00"),
        "Huyện Phó": D("30.00"),
    }
    # Every digit as the straightforward computation gives it.
    assert canonical(term_standings(world.term)) == canonical(
        reference_standings(world.term)
    )


# Rule 7: terms that are not calendar years -------------------------------------


def _school_year(world):
    return cluster_services.term_update(
        term=world.term,
        actor=world.users["admin"],
        label="Năm học 2024–2025",
        starts_on=datetime.date(2024, 9, 5),
        ends_on=datetime.date(2025, 5, 31),
    )


def test_a_term_without_label_is_its_calendar_year(world):
    term = Term.objects.get(pk=world.term.pk)
    assert (term.label, term.starts_on, term.ends_on) == (
        "Năm 2024",
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert term.is_calendar_year
    assert str(term) == "Cụm A – Năm 2024"


@pytest.mark.parametrize(
    ("label", "next_label"),
    [
        ("Năm 2024", "Năm 2025"),
        ("Năm học 2024–2025", "Năm học 2025–2026"),
        ("Năm học 2024-2025 (khối THPT)", "Năm học 2025-2026 (khối THPT)"),
        ("Đợt thi đua 12345", "Đợt thi đua 12345"),
    ],
)
def test_next_period_label_moves_every_year_by_one(label, next_label):
    assert next_period_label(label) == next_label


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        (datetime.date(2025, 5, 31), datetime.date(2024, 9, 5), "start before"),
        (datetime.date(2022, 9, 5), datetime.date(2023, 5, 31), "include the year"),
    ],
)
def test_term_dates_must_run_forward_and_hold_the_year(
    world, starts_on, ends_on, message
):
    with translation.override("en"), pytest.raises(DomainError, match=message):
        cluster_services.term_update(
            term=world.term,
            actor=world.users["admin"],
            starts_on=starts_on,
            ends_on=ends_on,
        )


def test_next_year_of_a_school_year_moves_its_label_and_dates(world):
    term = _school_year(world)
    proposal = cluster_selectors.rollover_proposal(term)
    new = cluster_services.term_open_next_year(
        term=term,
        actor=world.users["admin"],
        units=[world.unit_a, world.unit_chair, world.unit_deputy],
        chair=proposal.chair,
        deputy=proposal.deputy,
        reason="" if proposal.chair else "Thử",
    )
    assert (new.year, new.label, new.starts_on, new.ends_on) == (
        2025,
        "Năm học 2025–2026",
        datetime.date(2025, 9, 5),
        datetime.date(2026, 5, 31),
    )


def test_term_page_ranking_and_pledge_title_print_the_label(world, client):
    _school_year(world)
    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=CONTENT
    )
    client.force_login(world.users["admin"])
    page = client.get(reverse("term_detail", args=[world.term.pk])).content.decode()
    assert "Năm học 2024–2025 — Cụm A" in page
    assert "05/09/2024" in page
    assert "31/05/2025" in page
    ranking = client.get(reverse("term_ranking", args=[world.term.pk])).content.decode()
    assert "Kết quả xếp hạng năm học 2024–2025" in ranking
    world.term.refresh_from_db()
    assert pledge_document(pledge).title == "GIAO ƯỚC THI ĐUA NĂM HỌC 2024–2025"


# Rule 6: the leading unit chairs next year; the rotating flag is handed over ----


def _leader_chairs(world):
    Cluster.objects.filter(pk=world.cluster.pk).update(
        rotation_policy=RotationPolicy.LEADER_CHAIRS
    )
    return Term.objects.select_related("cluster").get(pk=world.term.pk)


def _ranked(world, values):
    """Every member reports CT1 and CT2 at `values[unit]` % of plan; the
    ranking is published."""
    admin = world.users["admin"]
    pledge = services.pledge_create(term=world.term, actor=admin, content=CONTENT)
    set_all_targets(pledge, admin)
    term_to(world, "reporting")
    ct1, ct2 = pledge.indicators.get(code="CT1"), pledge.indicators.get(code="CT2")
    for unit, value in values.items():
        report = services.report_start(term=world.term, unit=unit, actor=admin)
        services.report_save_section(
            report=report,
            actor=admin,
            version=report.version,
            section="indicators",
            data={ct1: (D(value), ""), ct2: (D(value), "")},
        )
    publish_ranking(world.term, admin)


def test_leader_chairs_policy_predicts_nobody_before_the_ranking(world):
    proposal = rotation.propose(
        policy=RotationPolicy.LEADER_CHAIRS,
        order=[],
        members=[world.unit_a, world.unit_chair],
        history=[],
        year=2025,
    )
    assert (proposal.chair, proposal.predicted) == (None, False)
    term = _leader_chairs(world)
    before = cluster_selectors.rollover_proposal(term)
    assert (before.chair, before.source) == (None, "none")


@pytest.mark.parametrize(
    ("values", "chair", "deputy"),
    [
        # Unit A leads, the chair comes second and becomes deputy.
        ({"unit_a": 105, "unit_chair": 100, "unit_deputy": 80}, "unit_a", "unit_chair"),
        # This year's chair leads and chairs again under this policy.
        (
            {"unit_a": 90, "unit_chair": 100, "unit_deputy": 95},
            "unit_chair",
            "unit_deputy",
        ),
    ],
)
def test_published_ranking_leader_chairs_the_next_year(world, values, chair, deputy):
    _ranked(world, {getattr(world, k): v for k, v in values.items()})
    term = _leader_chairs(world)
    proposal = cluster_selectors.rollover_proposal(term)
    assert proposal.source == "ranking"
    assert (proposal.chair, proposal.deputy) == (
        getattr(world, chair),
        getattr(world, deputy),
    )
    new = cluster_services.term_open_next_year(
        term=term,
        actor=world.users["admin"],
        units=proposal.units,
        chair=proposal.chair,
        deputy=proposal.deputy,
    )
    assert new.chair == getattr(world, chair)


def test_handover_records_the_rotating_flag(world, client):
    admin = world.users["admin"]
    term = Term.objects.get(pk=world.term.pk)
    proposal = cluster_selectors.rollover_proposal(term)
    new = cluster_services.term_open_next_year(
        term=term,
        actor=admin,
        units=proposal.units,
        chair=proposal.chair,
        deputy=proposal.deputy,
        reason="" if proposal.chair else "Thử",
    )
    line = next(
        item
        for item in cluster_selectors.handover_checklist(term)
        if "cờ luân lưu" in str(item.label)
    )
    assert (line.done, line.mandatory) == (False, False)
    client.force_login(admin)
    url = reverse("term_handover", args=[term.pk])
    assert "Bàn giao cờ luân lưu" in client.get(url).content.decode()
    form = HandoverForm(
        {
            "date": "20/12/2024",
            "place": "Vị Thanh",
            "occasion": "Hội nghị tổng kết",
            "flag_handed_over": "on",
            "override_reason": "Thử",
        },
        can_override=True,
    )
    assert form.is_valid(), form.errors
    cluster_services.handover_record(
        from_term=term, to_term=new, actor=admin, **form.cleaned_data
    )
    assert Handover.objects.get(from_term=term).flag_handed_over is True
    page = client.get(url).content.decode()
    assert "Đã bàn giao cờ luân lưu." in page


# Rule 10: reward amounts in the proposal ----------------------------------------


def test_proposal_shows_each_forms_reward_or_the_provincial_rule(world, client):
    proposal = draft(world)
    nominate(world, proposal, unit=world.unit_a, code="ttld-xuat-sac")
    nominate(world, proposal, unit=world.unit_chair, code="co-tinh")
    document = proposal_document(proposal_detail(world.users["admin"], proposal.pk))
    rewards = [section.paragraphs[-1] for section in document.sections]
    # 1,5 × 2.340.000 đồng (Decree 73/2024/NĐ-CP, from 01/07/2024).
    assert rewards == [
        "Mức tiền thưởng theo quy định của tỉnh.",
        "Mức tiền thưởng: 3.510.000 đồng (1,5 lần mức lương cơ sở).",
    ]
    client.force_login(world.users["admin"])
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Tiền thưởng: 3.510.000 đồng (1,5 lần mức lương cơ sở)" in page


def test_unchecked_multipliers_are_flagged_to_admins_only(world, client):
    award_services.catalogue_for(world.authority)
    flagged = AwardForm.objects.get(authority=world.authority, code="ttld-xuat-sac")
    assert MULTIPLIER_UNCONFIRMED in flagged.unconfirmed
    url = reverse("award_form_list")
    client.force_login(world.users["admin"])
    assert "đối chiếu với điều, khoản" in client.get(url).content.decode()
    for user in ("staff", "officer"):
        client.force_login(world.users[user])
        response = client.get(url)
        assert "đối chiếu với điều, khoản" not in response.content.decode()


def test_migration_flags_only_rows_still_holding_the_old_default(world):
    migration = importlib.import_module(
        "awards.migrations.0007_flag_unconfirmed_multipliers"
    )
    award_services.catalogue_for(world.authority)
    forms = AwardForm.objects.filter(authority=world.authority)
    forms.filter(code="cstd-co-so").update(unconfirmed="")
    forms.filter(code="ld-tien-tien").update(unconfirmed="Đã xác nhận theo tỉnh.")
    migration.flag_unconfirmed_multipliers(django_apps, None)
    notes = dict(forms.values_list("code", "unconfirmed"))
    assert notes["cstd-co-so"] == MULTIPLIER_UNCONFIRMED
    assert notes["ld-tien-tien"] == "Đã xác nhận theo tỉnh."
    assert notes["co-tinh"] == "Mức thưởng do tỉnh quy định."
