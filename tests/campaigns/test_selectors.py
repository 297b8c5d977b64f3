import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import selectors, services
from campaigns.models import CampaignScope, CampaignState
from clusters.models import TermState
from pledges.selectors import term_standings
from tests.campaigns.conftest import file_final, make_campaign
from tests.clusters.factories import MembershipFactory, UnitFactory, officer

pytestmark = pytest.mark.usefixtures("english")


def _rule(pledge, actor, points=Decimal(15), kinds=()):
    criterion = pledge.criteria.get(code="II.1")
    services.rule_save(
        criterion=criterion, actor=actor, points_per_campaign=points, kinds=kinds
    )
    return criterion


def test_campaign_points_count_accepted_final_reports_capped_at_the_maximum(
    world, pledge
):
    staff, officer_a = world.users["staff"], world.users["officer"]
    criterion = _rule(pledge, world.users["admin"])
    for n in range(3):
        campaign = make_campaign(world, CampaignState.LAUNCHED, title=f"PT {n}")
        file_final(campaign, world.unit_a, officer_a, accept_by=staff)
    chair_campaign = make_campaign(world, CampaignState.LAUNCHED, title="PT chủ trì")
    file_final(chair_campaign, world.unit_chair, world.users["chair_officer"])
    points = selectors.campaign_points(world.term)
    assert points[(world.unit_a.pk, criterion.pk)] == Decimal(40)  # 45 capped at 40
    assert points[(world.unit_chair.pk, criterion.pk)] == Decimal(0)  # not accepted
    assert points[(world.unit_deputy.pk, criterion.pk)] == Decimal(0)
    assert len(points) == 3


def test_campaign_points_respect_kinds_year_and_drafts(world, pledge):
    staff, officer_a = world.users["staff"], world.users["officer"]
    criterion = _rule(pledge, world.users["admin"], points=Decimal(5), kinds=["ad_hoc"])
    themed = make_campaign(world, CampaignState.LAUNCHED, title="Chuyên đề")
    file_final(themed, world.unit_a, officer_a, accept_by=staff)
    ad_hoc = make_campaign(
        world, CampaignState.LAUNCHED, title="Đột xuất", kind="ad_hoc"
    )
    file_final(ad_hoc, world.unit_a, officer_a, accept_by=staff)
    make_campaign(world, title="Nháp", kind="ad_hoc")
    assert selectors.campaign_points(world.term)[(world.unit_a.pk, criterion.pk)] == 5


def test_a_multi_year_campaign_counts_in_each_year_it_overlaps(world, pledge):
    staff = world.users["staff"]
    criterion = _rule(pledge, world.users["admin"], points=Decimal(5))
    campaign = make_campaign(
        world,
        CampaignState.LAUNCHED,
        start_date=datetime.date(2022, 7, 3),
        decision_date=datetime.date(2022, 7, 3),
        end_date=datetime.date(2025, 12, 31),
    )
    file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    assert selectors.campaign_points(world.term)[(world.unit_a.pk, criterion.pk)] == 5


def test_no_rule_gives_no_points_in_one_query(world, pledge):
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.campaign_points(world.term) == {}
    assert len(ctx.captured_queries) == 1


def test_campaign_points_run_the_same_queries_with_5_and_50_units(world, pledge):
    staff = world.users["staff"]
    _rule(pledge, world.users["admin"], points=Decimal(1))
    campaign = make_campaign(world, CampaignState.LAUNCHED)
    file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    with CaptureQueriesContext(connection) as ctx:
        selectors.campaign_points(world.term)
    before = len(ctx.captured_queries)
    for n in range(45):
        unit = UnitFactory(authority=world.authority)
        MembershipFactory(term=world.term, unit=unit)
        if n % 10 == 0:
            other = make_campaign(world, CampaignState.LAUNCHED, title=f"PT {n}")
            file_final(other, unit, officer(unit), accept_by=staff)
    with CaptureQueriesContext(connection) as ctx:
        points = selectors.campaign_points(world.term)
    assert len(ctx.captured_queries) == before <= 7
    assert len(points) == 48


def test_term_standings_take_campaign_points_instead_of_scores(world, pledge):
    staff = world.users["staff"]
    criterion = _rule(pledge, world.users["admin"], points=Decimal(12))
    campaign = make_campaign(world, CampaignState.LAUNCHED)
    file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    world.term.state = TermState.SCORING
    standings = {s.unit.pk: s for s in term_standings(world.term)}
    line = next(
        line for line in standings[world.unit_a.pk].lines if line.code == criterion.code
    )
    assert line.points == Decimal(12)
    chair_line = next(
        line
        for line in standings[world.unit_chair.pk].lines
        if line.code == criterion.code
    )
    assert chair_line.points == Decimal(0)


def test_year_statistics_count_campaigns_by_kind_per_cluster_and_unit(world):
    staff = world.users["staff"]
    for n in range(2):
        campaign = make_campaign(world, CampaignState.LAUNCHED, title=f"CĐ {n}")
        file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    make_campaign(
        world,
        CampaignState.LAUNCHED,
        title="Đột xuất",
        kind="ad_hoc",
        scope=CampaignScope.ALL,
        clusters=[],
    )
    make_campaign(world, title="Nháp")
    stats = selectors.year_statistics(world.authority.pk, 2024)
    assert stats["by_kind"] == {"regular": 0, "themed": 2, "ad_hoc": 1}
    clusters = {row.subject.name: row for row in stats["clusters"]}
    assert clusters["Cụm A"].kinds == [0, 2, 1]
    assert (clusters["Cụm A"].accepted, clusters["Cụm A"].expected) == (2, 9)
    assert clusters["Cụm B"].kinds == [0, 0, 1]
    units = {row.subject.name: row for row in stats["units"]}
    assert units["Huyện A"].kinds == [0, 2, 1]
    assert units["Huyện A"].accepted == 2
    assert units["Huyện Khác"].kinds == [0, 0, 1]
    assert selectors.year_statistics(world.authority.pk, 2023)["total"] == 0


def test_officers_see_only_launched_campaigns_that_reach_their_unit(world):
    reaches = make_campaign(world, CampaignState.LAUNCHED, title="Cụm A")
    make_campaign(world, title="Nháp")
    elsewhere = make_campaign(
        world,
        CampaignState.LAUNCHED,
        title="Đơn vị khác",
        scope=CampaignScope.UNITS,
        units=[world.unit_other],
        clusters=[],
    )
    assert list(selectors.campaigns_visible_to(world.users["officer"])) == [reaches]
    assert list(selectors.campaigns_visible_to(world.users["other_officer"])) == [
        elsewhere
    ]
    assert selectors.campaigns_visible_to(world.users["staff"]).count() == 3
    assert not selectors.campaigns_visible_to(world.users["other_admin"]).exists()


def test_participation_adds_up_figures_and_lists_exemplars(world, launched):
    staff = world.users["staff"]
    file_final(launched, world.unit_a, world.users["officer"], accept_by=staff)
    report = file_final(
        launched, world.unit_chair, world.users["chair_officer"], values=(2, 10)
    )
    services.report_return(report=report, actor=staff, reason="Bổ sung")
    report = services.report_save(
        report=report,
        actor=world.users["chair_officer"],
        exemplars=[{"kind": "individual", "name": "Bà B", "achievement": "Tốt"}],
    )
    services.report_submit(report=report, actor=world.users["chair_officer"])
    data = selectors.participation(launched)
    assert [row.unit.name for row in data.rows] == [
        "Huyện A",
        "Huyện Chủ trì",
        "Huyện Phó",
    ]
    assert [(m.title, a, t) for m, a, t in data.sums] == [
        ("Số hoạt động", Decimal(3), Decimal(5)),
        ("Số người tham gia", Decimal(40), Decimal(50)),
    ]
    assert [e.name for e in data.exemplars] == ["Bà B"]
    assert data.counts["final"] == {"accepted": 1, "submitted": 1, "none": 1}


def test_percentage_figures_are_averaged_never_summed(world):
    """“783 %” on the review page and its Word report — a
    per-unit percentage is the mean of the units, not their sum."""
    from campaigns.documents import review_document
    from tests.campaigns.conftest import METRICS

    campaign = make_campaign(
        world,
        CampaignState.LAUNCHED,
        metrics=[("Tỷ lệ hài lòng", "%"), METRICS[0]],
    )
    staff = world.users["staff"]
    file_final(
        campaign,
        world.unit_a,
        world.users["officer"],
        accept_by=staff,
        values=(Decimal("97.5"), 3),
    )
    file_final(
        campaign,
        world.unit_chair,
        world.users["chair_officer"],
        accept_by=staff,
        values=(Decimal("98.5"), 2),
    )
    data = selectors.participation(campaign)
    assert [(m.title, a, t) for m, a, t in data.sums] == [
        ("Tỷ lệ hài lòng", Decimal(98), Decimal(98)),
        ("Số hoạt động", Decimal(5), Decimal(5)),
    ]
    assert [m.averaged for m, _a, _t in data.sums] == [True, False]
    document = review_document(campaign, "final")
    assert document.sums[0] == ("Tỷ lệ hài lòng (bình quân các đơn vị)", "%", "98")
    assert document.sums[1][1:] == ("hoạt động", "5")
