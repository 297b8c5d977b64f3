"""The SVG builder of core/charts.py: pure, escaped, accessible, Vietnamese
numbers."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core import charts

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def _parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def _texts(root):
    return [el.text for el in root.iter(f"{SVG}text")]


def test_bar_chart_is_an_image_with_its_title_and_numbers_in_vietnamese():
    svg = charts.bar_chart(
        [
            charts.Bar("1. Huyện Châu Thành", Decimal("1234.5"), "xuất sắc"),
            charts.Bar("2. Thành phố Ngã Bảy", Decimal("88.25"), "tốt"),
        ],
        title="Tổng điểm",
        chart_id="ranking-chart",
        scale_max=Decimal(2000),
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Tổng điểm"
    assert root.find(f"{SVG}title").text == "Tổng điểm"
    texts = _texts(root)
    assert "1.234,5 · xuất sắc" in texts
    assert "88,25 · tốt" in texts
    assert "2.000" in texts  # the end of the scale


def test_bar_lengths_follow_the_values_and_stop_at_the_scale():
    svg = charts.bar_chart(
        [
            charts.Bar("a", 50),
            charts.Bar("b", 100),
            charts.Bar("c", 150),
            charts.Bar("d", 0),
        ],
        title="t",
        chart_id="c",
        scale_max=100,
    )
    widths = [
        float(rect.get("width"))
        for rect in _parse(svg).iter(f"{SVG}rect")
        if rect.get("class") == "chart-bar"
    ]
    assert widths == [charts.WIDTH / 2, charts.WIDTH, charts.WIDTH, 0]


def test_thresholds_are_drawn_where_their_share_of_the_scale_is_and_labelled():
    svg = charts.bar_chart(
        [charts.Bar("a", 95)],
        title="t",
        chart_id="c",
        scale_max=200,
        thresholds=[
            charts.Threshold(140, "hoàn thành ≥ 70 %"),
            charts.Threshold(180, "xuất sắc ≥ 90 %"),
        ],
    )
    root = _parse(svg)
    lines = {
        float(line.get("x1"))
        for line in root.iter(f"{SVG}line")
        if line.get("class") == "chart-threshold"
    }
    assert sorted(lines) == [charts.WIDTH * 0.7, charts.WIDTH * 0.9]
    assert {"xuất sắc ≥ 90 %", "hoàn thành ≥ 70 %"} <= set(_texts(root))


def test_every_text_is_escaped():
    hostile = '<script>alert(1)</script>" onload="x'
    svg = str(
        charts.bar_chart(
            [charts.Bar(hostile, 1, hostile, css=hostile)],
            title=hostile,
            chart_id=hostile,
            scale_max=1,
            thresholds=[charts.Threshold(1, hostile)],
        )
        + charts.state_strip(
            [charts.Cell(hostile, hostile, hostile, hostile)],
            title=hostile,
            chart_id="s",
        )
        + charts.spread_chart(
            [charts.Spread(hostile, 1, 0, 1, 2, 2)], title=hostile, chart_id="r"
        )
        + charts.stacked_bars(
            [charts.Stack(hostile, [(hostile, 1, hostile)], hostile)],
            title=hostile,
            chart_id="b",
        )
    )
    assert "<script" not in svg
    assert '" onload="' not in svg
    for part in re.findall(r"<svg.*?</svg>", svg):
        _parse(part)  # well formed


def test_a_bar_without_data_is_hatched_not_zero():
    svg = charts.bar_chart(
        [charts.Bar("2022", None, "chưa công bố", hatched=True)],
        title="t",
        chart_id="history",
        scale_max=100,
    )
    root = _parse(svg)
    assert root.find(f".//{SVG}pattern").get("id") == "history-hatch"
    assert any(
        rect.get("fill") == "url(#history-hatch)" for rect in root.iter(f"{SVG}rect")
    )
    assert "chưa công bố" in _texts(root)


def test_spread_places_range_median_and_member_on_each_criterion_scale():
    svg = charts.spread_chart(
        [
            charts.Spread("A1", Decimal(8), Decimal(2), Decimal(5), Decimal(10), 10),
            charts.Spread("A2", None, None, None, None, Decimal("2.5")),
        ],
        title="t",
        chart_id="spread",
    )
    root = _parse(svg)
    ranges = [
        line for line in root.iter(f"{SVG}line") if line.get("class") == "chart-range"
    ]
    assert [(float(r.get("x1")), float(r.get("x2"))) for r in ranges] == [
        (charts.WIDTH * 0.2, charts.WIDTH * 1.0)
    ]
    medians = [
        float(line.get("x1"))
        for line in root.iter(f"{SVG}line")
        if line.get("class") == "chart-median"
    ]
    assert medians == [charts.WIDTH / 2]
    marks = [p for p in root.iter(f"{SVG}path") if p.get("class") == "chart-mark"]
    assert len(marks) == 1
    assert marks[0].get("d").startswith(f"M{charts.WIDTH * 0.8} ")
    assert {"8 / 10", "— / 2,5"} <= set(_texts(root))


def test_strip_has_one_cell_per_member_with_symbol_and_title():
    cells = [
        charts.Cell(f"Đơn vị {n}", "accepted", "đã tiếp nhận", "✓") for n in range(12)
    ]
    cells[3] = charts.Cell("Đơn vị 3", "none", "chưa bắt đầu", "–")
    svg = charts.state_strip(cells, title="Tình hình gửi báo cáo", chart_id="strip")
    root = _parse(svg)
    groups = root.findall(f"{SVG}g")
    assert len(groups) == 12
    assert groups[3].find(f"{SVG}title").text == "Đơn vị 3: chưa bắt đầu"
    assert groups[3].find(f"{SVG}text").text == "–"
    assert groups[3].find(f"{SVG}rect").get("class") == "state-cell state-cell-none"
    # ten to a row: the eleventh cell starts the second row
    assert float(groups[10].find(f"{SVG}rect").get("y")) > float(
        groups[9].find(f"{SVG}rect").get("y")
    )


def test_stacked_bars_split_in_proportion_and_mark_empty_rows():
    svg = charts.stacked_bars(
        [
            charts.Stack(
                "2024", [("band-excellent", 3, "xuất sắc"), ("band-good", 1, "tốt")]
            ),
            charts.Stack("2023", [], "chưa công bố"),
        ],
        title="t",
        chart_id="years",
    )
    root = _parse(svg)
    widths = {
        rect.get("class"): float(rect.get("width"))
        for rect in root.iter(f"{SVG}rect")
        if (rect.get("class") or "").startswith("band-")
    }
    assert widths == {
        "band-excellent": charts.WIDTH * 0.75,
        "band-good": charts.WIDTH * 0.25,
    }
    assert "chưa công bố" in _texts(root)
    assert any(
        rect.get("fill") == "url(#years-hatch)" for rect in root.iter(f"{SVG}rect")
    )


# --- The pictures on the pages ---------------------------------------------


@pytest.fixture
def reported(world, pledge):
    """Two members reported CT1 (105 % and 95 % of plan) and submitted."""
    from clusters.models import Term, TermState
    from pledges import services
    from pledges.models import Report, ReportState
    from tests.pledges.conftest import set_all_targets

    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    ct1 = pledge.indicators.get(code="CT1")
    for unit, value in ((world.unit_a, 105), (world.unit_chair, 95)):
        report = services.report_start(
            term=world.term, unit=unit, actor=world.users["admin"]
        )
        services.report_save_section(
            report=report, actor=world.users["admin"], version=report.version,
            section="indicators", data={ct1: (Decimal(value), "")},
        )  # fmt: skip
    Report.objects.update(state=ReportState.SUBMITTED)
    return pledge


def _chart(html, chart_id):
    match = re.search(rf'<svg class="[^"]*" id="{chart_id}".*?</svg>', html, re.S)
    assert match, f"no chart {chart_id}"
    return _parse(match.group(0))


def _earlier_years(world, staff_user, years):
    """Earlier terms of the world's cluster: each published with unit_a second
    of two, except the first (no ranking published)."""
    from clusters.models import TermState
    from pledges.models import RankingSnapshot
    from tests.clusters.factories import MembershipFactory, TermFactory

    for index, year in enumerate(years):
        term = TermFactory(cluster=world.cluster, year=year, state=TermState.CLOSED)
        MembershipFactory(term=term, unit=world.unit_a)
        if index == 0:
            continue
        RankingSnapshot.objects.create(
            term=term,
            number=1,
            published_by=staff_user,
            rows=[
                {"unit": "Huyện B", "unit_id": world.unit_chair.pk, "rank": 1,
                 "total": "91.5", "band": "excellent"},
                {"unit": world.unit_a.name, "unit_id": world.unit_a.pk, "rank": 2,
                 "total": "84.25", "band": "good"},
            ],
        )  # fmt: skip


def test_ranking_page_draws_every_total_and_the_band_thresholds(world, login, reported):
    html = (
        login(world.users["staff"])
        .get(reverse("term_ranking", args=[world.term.pk]))
        .content.decode()
    )
    chart = _chart(html, "draft-chart")
    assert chart.get("role") == "img"
    thresholds = {
        line.get("x1")
        for line in chart.iter(f"{SVG}line")
        if line.get("class") == "chart-threshold"
    }
    assert len(thresholds) == len(world.term.band_table)
    texts = _texts(chart)
    for _band, minimum, _share in world.term.band_table:
        assert any(text and text.endswith(f"từ {minimum:n} %") for text in texts), texts
    members = world.term.memberships.count()
    bars = list(chart.iter(f"{SVG}g"))
    assert len(bars) == members
    assert "1. " in bars[0].find(f"{SVG}text").text


def test_rank_page_compares_criteria_and_shows_earlier_years(world, login, reported):
    _earlier_years(world, world.users["staff"], [2022, 2023])
    html = (
        login(world.users["admin"])
        .get(reverse("rank_detail", args=[world.term.pk, world.unit_a.pk]))
        .content.decode()
    )
    spread = _chart(html, "spread-chart")
    assert spread.findall(f"{SVG}g"), "one row per criterion"
    history = _chart(html, "history-chart")
    texts = _texts(history)
    assert "chưa công bố" in texts  # 2022: no ranking published
    assert "84,25 · hạng 2/2 · tốt" in texts
    table = html[html.index('id="h-history"') :]
    assert "2022" in table
    assert "84,25" in table


def test_rank_page_query_count_is_flat_in_years(world, login, reported):
    from tests.helpers import assert_queries_stable

    _earlier_years(world, world.users["staff"], [2022, 2023])
    assert_queries_stable(
        login(world.users["admin"]),
        reverse("rank_detail", args=[world.term.pk, world.unit_a.pk]),
        lambda: _earlier_years(world, world.users["staff"], range(2012, 2022)),
    )


def test_report_list_shows_a_strip_with_every_members_state(world, login, reported):
    from pledges.models import Report, ReportState

    Report.objects.filter(unit=world.unit_chair).update(state=ReportState.RETURNED)
    html = (
        login(world.users["admin"])
        .get(reverse("report_list", args=[world.term.pk]))
        .content.decode()
    )
    strip = _chart(html, "report-strip")
    cells = strip.findall(f"{SVG}g")
    assert len(cells) == world.term.memberships.count()
    by_title = {g.find(f"{SVG}title").text: g.find(f"{SVG}text").text for g in cells}
    returned = f"{world.unit_chair.name}: {ReportState.RETURNED.label}"
    assert by_title[returned] == "↩"
    assert by_title[f"{world.unit_a.name}: {ReportState.SUBMITTED.label}"] == "✉"
    legend = html[html.index('id="strip-legend"') :]
    assert "↩" in legend[: legend.index("</ul>")]


@pytest.mark.django_db(transaction=True)
def test_dashboard_marks_years_without_a_published_ranking(client):
    from clusters.models import Role
    from pledges.models import RankingSnapshot
    from tests.clusters.factories import (
        AuthorityFactory,
        ClusterFactory,
        MembershipFactory,
        TermFactory,
    )
    from tests.clusters.factories import staff as make_staff

    authority = AuthorityFactory()
    viewer = make_staff(authority)
    assert viewer.role == Role.PROVINCE_STAFF
    cluster = ClusterFactory(authority=authority)
    for year in (2022, 2023, 2024):
        term = TermFactory(cluster=cluster, year=year)
        unit = MembershipFactory(term=term).unit
        if year == 2023:
            RankingSnapshot.objects.create(
                term=term, number=1, published_by=viewer,
                rows=[{"unit": unit.name, "rank": 1, "band": "good"}],
            )  # fmt: skip
    client.force_login(viewer)
    html = client.get(reverse("province_dashboard") + "?year=2024").content.decode()
    table = html[html.index('id="years-table"') :]
    rows = dict(re.findall(r'<tr data-year="(\d+)">(.*?)</tr>', table, re.S))
    assert set(rows) == {"2022", "2023", "2024"}
    assert "chưa công bố" in rows["2022"]
    assert "chưa công bố" in rows["2024"]
    assert "1/1" in rows["2023"]
    chart = _chart(html, "years-chart")
    assert any(rect.get("class") == "band-good" for rect in chart.iter(f"{SVG}rect"))
    assert 'id="band-legend"' in html
