"""Criteria deeper than two levels and unequal weights:
sections → sub-fields → criteria → indicators, indicator weights, and their
subtotals in the report, the ranking breakdown, the document and the Excel
files. Equal weights and no sub-fields keep every earlier number."""

import copy
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import scoring, selectors, services
from pledges.documents import pledge_docx
from pledges.excel import read_targets, targets_workbook
from pledges.models import (
    Direction,
    Indicator,
    Report,
    ReportState,
    ScoringRule,
    Subsection,
)
from pledges.selectors import (
    members_of,
    pledge_content,
    pledge_tree,
    snapshot_rows,
    tree_problems,
)
from tests.clusters.factories import TermFactory
from tests.helpers import assert_queries_stable
from tests.pledges.conftest import set_all_targets, sign_all


def _indicator(code, weight="1", rule="proportional"):
    return {
        "code": code,
        "title": f"Chỉ tiêu {code}",
        "unit_of_measure": "%",
        "rule": rule,
        "params": {"cap": 100, "floor": 50} if rule == "proportional" else {},
        "weight": weight,
    }


def _criterion(code, points, subsection="", indicators=None, kind="indicator"):
    return {
        "code": code,
        "title": f"Tiêu chí {code}",
        "kind": kind,
        "max_points": points,
        "evidence_required": False,
        "guidance": "",
        "subsection": subsection,
        "indicators": indicators if indicators is not None else [],
    }


# A ministry's 100-point table: a 30-point group over four sub-fields, then a
# 70-point section without sub-fields; I.1.a weighs its indicators 1 : 3.
MINISTRY = {
    "sections": [
        {
            "code": "I",
            "title": "Nhóm tiêu chí chuyên môn",
            "kind": "scored",
            "max_points": "30",
            "subsections": [
                {"code": "I.1", "title": "Lĩnh vực 1", "max_points": "10",
                 "source": "Thông tư 12/2019/TT-BNV"},
                {"code": "I.2", "title": "Lĩnh vực 2", "max_points": "8",
                 "source": ""},
                {"code": "I.3", "title": "Lĩnh vực 3", "max_points": "7",
                 "source": ""},
                {"code": "I.4", "title": "Lĩnh vực 4", "max_points": "5",
                 "source": ""},
            ],
            "criteria": [
                _criterion("I.1.a", "10", "I.1",
                           [_indicator("A1", "1"), _indicator("A2", "3")]),
                _criterion("I.2.a", "8", "I.2", [_indicator("B1")]),
                _criterion("I.3.a", "4", "I.3", [_indicator("C1")]),
                _criterion("I.3.b", "3", "I.3", [_indicator("C2")]),
                _criterion("I.4.a", "5", "I.4", [_indicator("D1")]),
            ],
        },
        {
            "code": "II",
            "title": "Nhiệm vụ khác",
            "kind": "scored",
            "max_points": "70",
            "criteria": [_criterion("II.1", "70", "", [_indicator("E1")])],
        },
    ]
}  # fmt: skip


@pytest.fixture
def ministry(world):
    return services.pledge_create(
        term=world.term, actor=world.users["admin"], content=MINISTRY
    )


def _report(world, pledge, unit, actuals):
    """`unit`'s submitted report with `actuals` {indicator code: value}."""
    indicators = {i.code: i for i in pledge.indicators.all()}
    report = services.report_start(
        term=world.term, unit=unit, actor=world.users["admin"]
    )
    services.report_save_section(
        report=report,
        actor=world.users["admin"],
        version=report.version,
        section="indicators",
        data={indicators[c]: (Decimal(v), "") for c, v in actuals.items()},
    )
    Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    return report


def _reporting(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()


# Shares: the formula, table-driven ---------------------------------------------


@pytest.mark.parametrize(
    ("max_points", "weights", "expected"),
    [
        ("30", ["1"], ["30"]),
        ("30", ["1", "1", "1"], ["10", "10", "10"]),
        ("10", ["1", "1", "1"], [Decimal(10) / 3] * 3),  # the old max / n
        ("30", ["1", "2"], ["10", "20"]),
        ("10", ["1", "3"], ["2.5", "7.5"]),
        ("8", ["0.5", "1.5"], ["2", "6"]),
        ("7", ["2", "2", "3"], ["2", "2", "3"]),
        ("0", ["1", "1"], ["0", "0"]),
    ],
)
def test_indicator_shares_split_the_maximum_by_weight(max_points, weights, expected):
    shares = scoring.indicator_shares(
        Decimal(max_points), [Decimal(w) for w in weights]
    )
    assert shares == [Decimal(e) for e in expected]


POINTS = st.decimals(min_value=0, max_value=9999, places=2)
WEIGHT = st.decimals(min_value=Decimal("0.0001"), max_value=999, places=4)
ACHIEVED = st.decimals(min_value=0, max_value=300, places=4)


@settings(max_examples=300, deadline=None)
@given(max_points=POINTS, count=st.integers(1, 12), achieved=ACHIEVED)
def test_equal_weights_give_the_old_points_exactly(max_points, count, achieved):
    old_share = max_points / count  # what `indicator_share` was before weights
    for weights in ([1] * count, [Decimal("2.5")] * count):
        shares = scoring.indicator_shares(max_points, weights)
        assert shares == [old_share] * count
        for rule, params in (
            (ScoringRule.PROPORTIONAL, {"cap": 150, "floor": 50}),
            (ScoringRule.BANDS, {"bands": [[90, 80], [100, 100]]}),
        ):
            assert scoring.points_for(rule, params, shares[0], achieved) == (
                scoring.points_for(rule, params, old_share, achieved)
            )


@settings(max_examples=300, deadline=None)
@given(
    max_points=POINTS,
    weights=st.lists(WEIGHT, min_size=1, max_size=8),
    factor=st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2),
    achieved=st.lists(ACHIEVED, min_size=8, max_size=8),
)
def test_weights_scaled_by_a_constant_do_not_change_scores(
    max_points, weights, factor, achieved
):
    scaled = [w * factor for w in weights]
    shares = scoring.indicator_shares(max_points, weights)
    assert shares == scoring.indicator_shares(max_points, scaled)
    parts = [
        scoring.points_for(ScoringRule.PROPORTIONAL, {"cap": 120}, s, a)
        for s, a in zip(shares, achieved, strict=False)
    ]
    total = scoring.criterion_points(max_points, parts)
    assert total <= max_points
    # Full achievement everywhere earns the whole maximum, to the cent.
    full = [
        scoring.points_for(ScoringRule.THRESHOLD, {}, s, Decimal(100)) for s in shares
    ]
    assert abs(sum(full) - max_points) <= Decimal("0.01") * len(shares)


# The tree and its readiness ----------------------------------------------------


def test_a_30_point_group_over_four_sub_fields_is_ready(world, ministry):
    sections = pledge_tree(ministry)
    assert tree_problems(sections, 100) == []
    first = sections[0]
    assert [s.code for s in first.subsection_list] == ["I.1", "I.2", "I.3", "I.4"]
    assert [c.code for c in first.subsection_list[2].criteria_list] == [
        "I.3.a",
        "I.3.b",
    ]
    assert Subsection.objects.get(code="I.1").source == "Thông tư 12/2019/TT-BNV"
    assert ministry.indicators.get(code="A2").weight == 3


def _broken(change):
    content = copy.deepcopy(MINISTRY)
    change(content["sections"][0])
    return content


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s["subsections"][3].update(max_points="4"),
            "Section I: its sub-fields add up to 29, not 30.",
        ),
        (
            lambda s: s["criteria"][3].update(max_points="2"),
            "Sub-field I.3: its criteria add up to 6, not 7.",
        ),
        (
            lambda s: s["criteria"][4].update(subsection=""),
            "Section I has sub-fields, so every criterion of it belongs to one; "
            "I.4.a do not.",
        ),
    ],
)
def test_readiness_says_what_does_not_add_up(world, change, expected):
    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=_broken(change)
    )
    with translation.override("en"):
        messages = [m for _row, m in tree_problems(pledge_tree(pledge), 100)]
    assert expected in messages
    with pytest.raises(DomainError):
        services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])


def test_sections_without_sub_fields_are_checked_as_before(world, pledge):
    # The Hậu Giang shape: no sub-fields, weights of 1.
    assert not Subsection.objects.exists()
    assert {i.weight for i in Indicator.objects.all()} == {Decimal(1)}
    assert tree_problems(pledge_tree(pledge), 100) == []


def test_content_round_trip_keeps_sub_fields_and_weights(world, ministry):
    content = pledge_content(ministry)
    other = TermFactory(cluster=world.term.cluster, year=2025)
    copied = services.pledge_create(
        term=other, actor=world.users["admin"], content=content
    )
    assert pledge_content(copied) == content
    assert content["sections"][0]["criteria"][0]["subsection"] == "I.1"
    assert content["sections"][0]["criteria"][0]["indicators"][1]["weight"] == "3"
    assert content["sections"][1]["subsections"] == []


# Services ------------------------------------------------------------------------


def test_sub_field_editing_follows_the_pledge_state(world, ministry):
    admin = world.users["admin"]
    section = ministry.sections.get(code="I")
    added = services.subsection_save(
        pledge=ministry, actor=admin, section=section, code="I.5",
        title="Lĩnh vực 5", max_points=Decimal(0),
    )  # fmt: skip
    assert added.position == 5
    assert added.history.count() == 1
    with pytest.raises(DomainError):
        services.subsection_save(
            pledge=ministry, actor=admin, section=section, code="I.5",
            title="Trùng mã", max_points=Decimal(0),
        )  # fmt: skip
    services.row_move(pledge=ministry, row=added, offset=-1, actor=admin)
    assert [s.code for s in section.subsections.order_by("position")] == [
        "I.1", "I.2", "I.3", "I.5", "I.4",
    ]  # fmt: skip
    services.row_delete(pledge=ministry, row=added, actor=admin)
    set_all_targets(ministry, admin)
    services.pledge_open_signing(pledge=ministry, actor=admin)
    ministry.refresh_from_db()
    with pytest.raises(DomainError):
        services.subsection_save(
            pledge=ministry, actor=admin, section=section, code="I.6",
            title="Sau khi mở ký", max_points=Decimal(0),
        )  # fmt: skip
    with pytest.raises(DomainError):
        services.row_delete(
            pledge=ministry, row=section.subsections.first(), actor=admin
        )
    assert section.subsections.count() == 4


def test_a_criterion_takes_only_a_sub_field_of_its_own_section(world, ministry):
    admin = world.users["admin"]
    criterion = ministry.criteria.get(code="II.1")
    with pytest.raises(DomainError) as refused:
        services.criterion_save(
            pledge=ministry,
            actor=admin,
            criterion=criterion,
            subsection=Subsection.objects.get(code="I.1"),
        )
    assert refused.value.field == "subsection"
    moved = services.criterion_save(
        pledge=ministry,
        actor=admin,
        criterion=ministry.criteria.get(code="I.3.b"),
        subsection=Subsection.objects.get(code="I.4"),
    )
    assert moved.subsection.code == "I.4"


@pytest.mark.parametrize("weight", ["0", "-1", "abc", "10000", "0.00001", "NaN"])
def test_weights_above_zero_only(world, ministry, weight):
    indicator = ministry.indicators.get(code="A1")
    with pytest.raises(DomainError) as refused:
        services.indicator_save(
            pledge=ministry, actor=world.users["admin"], indicator=indicator,
            weight=weight,
        )  # fmt: skip
    assert refused.value.field == "weight"
    indicator.refresh_from_db()
    assert indicator.weight == 1


# Standings and the ranking breakdown ------------------------------------------------


def test_standings_weigh_indicators_and_subtotal_by_sub_field(world, login, ministry):
    _reporting(world, ministry)
    # A1 at 100 % of its 2.5-point share, A2 at 60 % of its 7.5: 2.5 + 4.5.
    full = dict.fromkeys(("B1", "C1", "C2", "D1", "E1"), 100)
    _report(world, ministry, world.unit_a, {"A1": 100, "A2": 60, **full})
    _report(world, ministry, world.unit_chair, {"A1": 50, "A2": 100, **full})
    standings = {s.unit.pk: s for s in selectors.term_standings(world.term)}
    mine = {line.code: line.points for line in standings[world.unit_a.pk].lines}
    assert mine["I.1.a"] == Decimal("7.00")
    theirs = {line.code: line.points for line in standings[world.unit_chair.pk].lines}
    assert theirs["I.1.a"] == Decimal("8.75")  # 1.25 + 7.5
    assert standings[world.unit_a.pk].total == Decimal("97.00")

    page = (
        login(world.users["admin"])
        .get(reverse("rank_detail", args=[world.term.pk, world.unit_a.pk]))
        .content.decode()
    )
    rows = page.split('data-level="')
    section = next(r for r in rows[1:] if r.startswith("section"))
    assert ">I<" in section
    assert ">30<" in section
    assert "27" in section
    first = next(r for r in rows[1:] if r.startswith("subsection") and ">I.1<" in r)
    assert "Cộng điểm của lĩnh vực" in first
    assert ">7<" in first
    # The other member's subtotal is the spread: 8,75 for I.1.
    assert "8,75" in first


def test_snapshot_lines_carry_their_section_and_sub_field(world, ministry):
    _reporting(world, ministry)
    _report(world, ministry, world.unit_a, {"A1": 100})
    row = next(r for r in snapshot_rows(world.term) if r["unit_id"] == world.unit_a.pk)
    lines = {line["code"]: line for line in row["lines"]}
    assert (lines["I.3.b"]["section"], lines["I.3.b"]["subsection"]) == ("I", "I.3")
    assert (lines["II.1"]["section"], lines["II.1"]["subsection"]) == ("II", "")
    # Results rest on I.1's criterion: the sub-field cannot be deleted.
    with pytest.raises(DomainError, match="I.1"):
        services.row_delete(
            pledge=ministry,
            row=Subsection.objects.get(code="I.1"),
            actor=world.users["admin"],
        )
    assert ministry.criteria.filter(code="I.1.a").exists()


def test_ranking_breakdown_renders_lines_without_a_tree_entry_last():
    from types import SimpleNamespace

    from pledges.ranking import Line, Standing, breakdown

    outline = [
        SimpleNamespace(level="section", code="I", title="I", max_points=10,
                        codes={"I.1"}),
        SimpleNamespace(level="criterion", code="I.1", title="", max_points=10,
                        codes=set()),
    ]  # fmt: skip
    late = Line("late report", "deduction", Decimal(1), Decimal(1))
    mine = [Line("I.1", "indicator", Decimal(10), Decimal(4)), late]
    other = Standing(unit=None, lines=[Line("I.1", "indicator", Decimal(10), None)])
    rows = breakdown(outline, [(line, None, None, None) for line in mine], [other])
    assert [(r[0], r[1].code) for r in rows] == [
        ("section", "I"), ("criterion", "I.1"), ("criterion", "late report"),
    ]  # fmt: skip
    assert rows[0][1].points == Decimal(4)
    assert rows[0][2:] == (None, None, None)  # the other has no points yet


# Report entry ------------------------------------------------------------------------


def test_report_shows_subtotals_per_section_and_sub_field(world, login, ministry):
    _reporting(world, ministry)
    client = login(world.users["officer"])
    url = reverse("report_edit", args=[world.term.pk, world.unit_a.pk])
    indicators = {i.code: i for i in ministry.indicators.all()}
    report = services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )
    services.report_save_section(
        report=report, actor=world.users["officer"], version=report.version,
        section="indicators",
        data={
            indicators["A1"]: (Decimal(100), ""),
            indicators["C2"]: (Decimal(100), ""),
        },
    )  # fmt: skip
    page = client.get(url).content.decode()
    totals = page.split('id="report-totals"')[1].split("</section>")[0]
    rows = totals.split('data-level="')[1:]
    assert [r.split('"')[0] for r in rows] == [
        "section", "subsection", "subsection", "subsection", "subsection", "section",
    ]  # fmt: skip
    assert "2,5 / 10 điểm" in rows[1]  # I.1: A1's 2.5 of the 10 points
    assert "3 / 7 điểm" in rows[3]  # I.3: I.3.b's 3 points
    assert "5,5 / 30 điểm" in rows[0]  # the group
    assert "(cộng điểm của phần)" in rows[0]


def _grow_sub_fields(world, pledge):
    def grow():
        section = pledge.sections.get(code="II")
        for n in range(6):
            sub = Subsection.objects.create(
                pledge=pledge, section=section, code=f"II.{n}", title=f"LV {n}",
                max_points=Decimal(10), position=n,
            )  # fmt: skip
            criterion = pledge.criteria.create(
                section=section, subsection=sub, code=f"II.{n}.a",
                title="Tiêu chí", kind="indicator", max_points=Decimal(10),
            )  # fmt: skip
            Indicator.objects.create(
                pledge=pledge, criterion=criterion, code=f"X{n}", title="Chỉ tiêu",
                unit_of_measure="%", weight=Decimal(n + 1),
            )  # fmt: skip

    return grow


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("pledge_editor", "chair_officer"),
        ("report_edit", "officer"),
        ("rank_detail", "admin"),
        ("pledge_print", "admin"),
    ],
)
def test_pages_query_count_is_flat_with_more_sub_fields(
    world, login, ministry, name, role
):
    if name != "pledge_editor":
        _reporting(world, ministry)
        _report(world, ministry, world.unit_a, {"A1": 100})
    args = [world.term.pk]
    if name in ("report_edit", "rank_detail"):
        args.append(world.unit_a.pk)
    assert_queries_stable(
        login(world.users[role]),
        reverse(name, args=args),
        _grow_sub_fields(world, ministry),
    )


# The editor ---------------------------------------------------------------------


def test_chair_adds_a_sub_field_and_weights_an_indicator_in_the_editor(
    world, login, ministry
):
    client = login(world.users["chair_officer"])
    url = reverse("pledge_editor", args=[world.term.pk])
    page = client.get(url).content.decode()
    assert 'id="subsection-' in page
    assert "Thêm lĩnh vực" in page
    assert "%; trọng số 3" in page  # A2's weight beside its unit of measure
    section = ministry.sections.get(code="II")
    response = client.post(
        url,
        {"kind": "subsection", "subsection-section": section.pk,
         "subsection-code": "II.A", "subsection-title": "Lĩnh vực mới",
         "subsection-max_points": "70", "subsection-source": ""},
    )  # fmt: skip
    assert response.status_code == 302
    sub = Subsection.objects.get(code="II.A")
    assert sub.section == section
    a1 = ministry.indicators.get(code="A1")
    response = client.post(
        url,
        {"kind": "indicator", "id": a1.pk, "indicator-criterion": a1.criterion_id,
         "indicator-code": "A1", "indicator-title": a1.title,
         "indicator-unit_of_measure": "%", "indicator-direction": Direction.HIGHER,
         "indicator-aggregation": "sum", "indicator-rule": "proportional",
         "indicator-cap": "100", "indicator-floor": "50",
         "indicator-weight": "1,5"},
    )  # fmt: skip
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.weight == Decimal("1.5")


# Document and Excel -------------------------------------------------------------


def test_pledge_document_prints_sub_fields_and_weights(world, ministry):
    set_all_targets(ministry, world.users["admin"])
    services.pledge_open_signing(pledge=ministry, actor=world.users["admin"])
    sign_all(ministry)
    document = docx.Document(io.BytesIO(pledge_docx(ministry)))
    table = document.tables[1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    codes = [row[0] for row in rows]
    assert codes.index("I") < codes.index("I.1") < codes.index("I.1.a")
    assert codes.index("I.2.a") < codes.index("I.3") < codes.index("I.3.a")
    sub = rows[codes.index("I.1")]
    assert sub[1] == "Lĩnh vực: Lĩnh vực 1"
    assert sub[2] == "10"
    assert "Căn cứ: Thông tư 12/2019/TT-BNV" in sub[3]
    a2 = rows[codes.index("A2")][1]
    assert "Trọng số: 3 trên tổng 4 của tiêu chí (7,5 điểm)." in a2
    # Equal weights print no weight line.
    assert "Trọng số" not in rows[codes.index("B1")][1]


def test_targets_excel_has_sub_field_headings_and_imports_unchanged(world, ministry):
    members = members_of(ministry)
    data = targets_workbook(ministry, members)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headings = [
        row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] is None
    ]
    assert headings == [
        "Lĩnh vực I.1. Lĩnh vực 1 (tối đa 10 điểm)",
        "Lĩnh vực I.2. Lĩnh vực 2 (tối đa 8 điểm)",
        "Lĩnh vực I.3. Lĩnh vực 3 (tối đa 7 điểm)",
        "Lĩnh vực I.4. Lĩnh vực 4 (tối đa 5 điểm)",
    ]
    result = read_targets(ministry, data, members)
    assert result.errors == []
    # A row with some other text alone is still reported.
    sheet.append([None, "ghi chú lạc"])
    out = io.BytesIO()
    sheet.parent.save(out)
    result = read_targets(ministry, out.getvalue(), members)
    assert len(result.errors) == 1


def test_results_excel_has_sub_field_headings_and_imports_unchanged(world, ministry):
    from pledges.results_excel import read_results, results_workbook

    _reporting(world, ministry)
    _report(world, ministry, world.unit_a, {"A1": 100})
    Report.objects.update(state=ReportState.DRAFT)
    members = members_of(ministry)
    data = results_workbook(world.term, members)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headings = [
        row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] is None
    ]
    assert len(headings) == 4
    assert headings[0] == "Lĩnh vực I.1. Lĩnh vực 1 (tối đa 10 điểm)"
    result = read_results(world.term, data, members)
    assert result.errors == []
    assert result.changes == []
