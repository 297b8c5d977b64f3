"""Cluster totals: "% of plan" honours the direction of an
indicator, a member exactly on plan has met it, and members see only the
submitted figures of other units (their own draft included, for themselves)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.models import Term, TermState
from pledges import selectors, services
from pledges.models import Indicator, Report, ReportState
from tests.helpers import assert_queries_stable
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.usefixtures("english")


def _report(world, unit, values, state):
    report = services.report_start(
        term=world.term, unit=unit, actor=world.users["admin"]
    )
    services.report_save_section(
        report=report,
        actor=world.users["admin"],
        version=report.version,
        section="indicators",
        data={i: (Decimal(v), "") for i, v in values.items()},
    )
    Report.objects.filter(pk=report.pk).update(state=state)


@pytest.fixture
def reporting(world, pledge):
    """CT1 (higher is better, plan 100 each): A 120 submitted, the chair 90
    accepted, the deputy 500 still a draft. CT2 made lower is better."""
    set_all_targets(pledge, world.users["admin"])
    Indicator.objects.filter(pledge=pledge, code="CT2").update(direction="lower")
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    ct1 = pledge.indicators.get(code="CT1")
    ct2 = pledge.indicators.get(code="CT2")
    _report(world, world.unit_a, {ct1: 120, ct2: 100}, ReportState.SUBMITTED)
    _report(world, world.unit_chair, {ct1: 90, ct2: 80}, ReportState.ACCEPTED)
    _report(world, world.unit_deputy, {ct1: 500, ct2: 400}, ReportState.DRAFT)
    return pledge


def _rows(totals):
    return {r["indicator"].code: r for r in totals.rows}


def test_members_see_only_submitted_figures_of_other_units(world, reporting):
    totals = selectors.cluster_totals(world.term, viewer_unit_id=world.unit_a.pk)
    assert (totals.submitted, totals.members, totals.own_draft) == (2, 3, False)
    assert _rows(totals)["CT1"]["actual"] == Decimal(210)  # not the draft 500
    deputy = selectors.cluster_totals(world.term, viewer_unit_id=world.unit_deputy.pk)
    assert _rows(deputy)["CT1"]["actual"] == Decimal(710)  # its own draft
    assert deputy.own_draft is True
    staff = selectors.cluster_totals(world.term, include_drafts=True)
    assert (_rows(staff)["CT1"]["actual"], staff.drafts) == (Decimal(710), True)
    public = selectors.cluster_totals(world.term)
    assert _rows(public)["CT1"]["actual"] == Decimal(210)


def test_page_says_whose_figures_it_totals(world, login, reporting):
    url = reverse("cluster_totals", args=[world.term.pk])
    html = login(world.users["officer"]).get(url).content.decode()
    assert "Số liệu tổng hợp từ báo cáo đã gửi của các đơn vị: 2/3." in html
    assert "710" not in html
    html = login(world.users["staff"]).get(url).content.decode()
    assert "kể cả báo cáo đang soạn, chưa gửi; số báo cáo đã gửi: 2/3." in html


def test_lower_is_better_percent_of_plan_and_on_plan_counts_as_met(world, reporting):
    # CT2, lower is better, plan 100 each: A exactly on plan, the chair 80.
    row = _rows(selectors.cluster_totals(world.term))["CT2"]
    assert row["lower_is_better"] is True
    # Plan 200 of the two units that reported, actual 180: better than plan.
    assert row["plan"] == Decimal(200)
    assert row["percent_of_plan"] == Decimal(200) / Decimal(180) * 100
    assert (row["above"], row["below"]) == (2, 0)
    ct1 = _rows(selectors.cluster_totals(world.term))["CT1"]
    assert ct1["percent_of_plan"] == Decimal(210) / Decimal(200) * 100
    assert (ct1["above"], ct1["below"]) == (1, 1)


def test_year_end_report_reads_percent_of_plan_by_direction(world, reporting):
    from awards.documents import _indicator_section

    section = _indicator_section(world.term)
    text = " ".join(section.paragraphs)
    assert "đạt 111,11% kế hoạch (chỉ tiêu càng thấp càng tốt)" in text


def test_cluster_totals_page_query_count_is_stable(world, login, reporting):
    from tests.clusters.factories import MembershipFactory, UnitFactory

    ct1 = reporting.indicators.get(code="CT1")

    def grow():
        for n in range(20):
            unit = UnitFactory(authority=world.authority, name=f"Xã {n:02d}")
            MembershipFactory(term=world.term, unit=unit)
            ct1.targets.create(unit=unit, planned=100)
            report = Report.objects.create(
                term=world.term, unit=unit, state=ReportState.SUBMITTED
            )
            report.results.create(indicator=ct1, actual=n)

    assert_queries_stable(
        login(world.users["officer"]),
        reverse("cluster_totals", args=[world.term.pk]),
        grow,
    )
