"""The Excel import of a pledge's criteria tree: template, per-cell
report, dry run, all-or-nothing apply through the pledge services."""

import zipfile
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from core.errors import DomainError
from demo import hau_giang, sample_block
from pledges import services
from pledges.models import Criterion, Indicator, PledgeState, Section, Subsection
from pledges.selectors import pledge_content
from pledges.tree_excel import (
    GUIDE_SHEET,
    SHEET,
    CellError,
    Change,
    read_tree,
    tree_workbook,
)
from tests.clusters.factories import TermFactory
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import CONTENT, set_all_targets

pytestmark = pytest.mark.usefixtures("english")

# Rows of the template of the `pledge` fixture (tests.pledges.conftest.CONTENT).
S_I, I_1, CT1, I_2, CT2, S_II, II_1, S_III, III_1 = range(3, 12)


@pytest.fixture
def empty(world):
    """A draft pledge of another term of the same authority, with no criteria."""
    term = TermFactory(cluster=world.cluster, year=2025)
    return services.pledge_create(term=term, actor=world.users["admin"])


def _edit(data, change):
    """The workbook `data` after `change(sheet)`, saved again as Excel would."""
    workbook = openpyxl.load_workbook(BytesIO(data))
    change(workbook[SHEET] if SHEET in workbook.sheetnames else workbook.active)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(*edits):
    """A change setting `(coordinate, value)` pairs."""

    def change(sheet):
        for coordinate, value in edits:
            sheet[coordinate] = value

    return change


def _tree_state():
    """Every row of every tree and the size of their history."""
    return (
        sorted(Section.objects.values_list("pledge_id", "code", "title", "max_points")),
        sorted(
            Criterion.objects.values_list("pledge_id", "code", "kind", "max_points")
        ),
        sorted(Indicator.objects.values_list("pledge_id", "code", "rule", "params")),
        Section.history.count() + Criterion.history.count(),
        Indicator.history.count(),
    )


def _sheet_rows(data, name=SHEET, min_row=3):
    sheet = openpyxl.load_workbook(BytesIO(data))[name]
    return [list(r) for r in sheet.iter_rows(min_row=min_row, values_only=True)]


# Export ----------------------------------------------------------------------


def test_template_lists_the_tree_in_order_with_vietnamese_values(world, pledge):
    rows = _sheet_rows(tree_workbook(pledge))
    assert [r[:5] for r in rows] == [
        ["I", "Phần", "Nhiệm vụ kinh tế – xã hội", "tính trong thang điểm", 60],
        ["I.1", "Tiêu chí", "Giá trị sản xuất", "tính từ chỉ tiêu", 30],
        ["CT1", "Chỉ tiêu", "Giá trị sản xuất (giá so sánh 2010)", None, None],
        ["I.2", "Tiêu chí", "Thu ngân sách", "tính từ chỉ tiêu", 30],
        ["CT2", "Chỉ tiêu", "Thu ngân sách trên địa bàn", None, None],
        ["II", "Phần", "Cải cách hành chính", "tính trong thang điểm", 40],
        ["II.1", "Tiêu chí", "Chỉ số cải cách hành chính", "chấm điểm đánh giá", 40],
        ["III", "Phần", "Điểm thưởng", "điểm thưởng", 5],
        ["III.1", "Tiêu chí", "Mô hình hay", "điểm thưởng", 5],
    ]
    assert rows[CT1 - 3][7:] == [
        "tỷ đồng",
        "càng cao càng tốt",
        "tổng của các đơn vị",
        "tỷ lệ thuận với mức đạt",
        "trần: 100; sàn: 50",
        1,
        None,
    ]
    assert rows[II_1 - 3][5] == "có"
    assert rows[CT2 - 3][10:12] == ["đạt 100% trở lên được điểm tối đa", None]


def test_empty_pledge_template_has_an_example_of_each_level_and_a_guide(world, empty):
    data = tree_workbook(empty)
    rows = _sheet_rows(data)
    assert [r[:2] for r in rows] == [
        ["I", "Phần"],
        ["I.1", "Tiêu chí"],
        ["CT1", "Chỉ tiêu"],
    ]
    guide = _sheet_rows(data, GUIDE_SHEET, min_row=2)
    assert [r[0] for r in guide[:2]] == ["Mã", "Cấp"]
    kinds = next(r for r in guide if r[:2] == ["Loại", "Tiêu chí"])
    assert "tính từ chỉ tiêu; chấm điểm đánh giá; điểm thưởng; điểm trừ" in kinds[2]
    # The example imports as it is.
    result = read_tree(empty, data)
    assert result.errors == []
    assert result.changes == [
        Change("section", "I", "Thực hiện nhiệm vụ kinh tế – xã hội", "added"),
        Change("criterion", "I.1", "Tăng trưởng kinh tế", "added"),
        Change("indicator", "CT1", "Tổng giá trị sản xuất", "added"),
    ]


def test_formula_leading_titles_are_neutralised_on_export(world, pledge):
    section = pledge.sections.get(code="II")
    services.section_save(
        pledge=pledge, actor=world.users["admin"], section=section, title="=1+1"
    )
    data = tree_workbook(pledge)
    assert _sheet_rows(data)[S_II - 3][2] == "'=1+1"
    content = read_tree(pledge, data).rows[0]
    assert content["sections"][1]["title"] == "=1+1"


def test_exported_tree_imports_with_no_change(world, pledge):
    result = read_tree(pledge, tree_workbook(pledge))
    assert result.errors == []
    assert result.changes == []
    assert result.changed_rows == []
    assert result.rows == [pledge_content(pledge)]


# Reading: one bad cell at a time -------------------------------------------------

NOT_USED = "This column is not used for a %s row; clear it."
BAD_CELLS = [
    pytest.param(
        [("B4", "Nhánh")],
        CellError(
            I_1,
            "B",
            "“Nhánh” is not allowed here; use one of: "
            "Phần; Nhóm; Phần/nhóm; Lĩnh vực; Tiêu chí; Chỉ tiêu.",
        ),
        id="unknown-level",
    ),
    pytest.param(
        [("A5", None)], CellError(CT1, "A", "Fill in this cell."), id="no-code"
    ),
    pytest.param(
        [("A7", "CT1")],
        CellError(CT2, "A", "The code CT1 is already used in row 5."),
        id="twin-code",
    ),
    pytest.param(
        [("A4", "X" * 17)],
        CellError(I_1, "A", "The text is longer than 16 characters."),
        id="long-code",
    ),
    pytest.param(
        [("C4", None)], CellError(I_1, "C", "Fill in this cell."), id="no-title"
    ),
    pytest.param(
        [("E4", "abc")],
        CellError(I_1, "E", "Enter a number, not “abc”."),
        id="points-text",
    ),
    pytest.param(
        [("E4", -5)],
        CellError(I_1, "E", "Points cannot be negative."),
        id="points-negative",
    ),
    pytest.param(
        [("E4", 12.345)],
        CellError(I_1, "E", "Points are below 10000 with at most 2 decimals."),
        id="points-decimals",
    ),
    pytest.param(
        [("E3", None)], CellError(S_I, "E", "Fill in this cell."), id="points-missing"
    ),
    pytest.param(
        [("E4", "=15+15")],
        CellError(I_1, "E", "Formulas are not accepted; type the value itself."),
        id="formula",
    ),
    pytest.param(
        [("D4", "điểm thưởng")],
        [
            CellError(
                I_1,
                "D",
                "A criterion “bonus” does not belong in a section “scored within "
                "the scale”.",
            ),
            CellError(
                CT1,
                "B",
                "An indicator feeds a criterion of kind “computed from indicators”.",
            ),
        ],
        id="kind-not-in-section",
    ),
    pytest.param(
        [("D9", "xyz")],
        CellError(
            II_1,
            "D",
            "“xyz” is not allowed here; use one of: tính từ chỉ tiêu; chấm điểm "
            "đánh giá; điểm thưởng; điểm trừ.",
        ),
        id="unknown-kind",
    ),
    pytest.param(
        [("D4", None)], CellError(I_1, "D", "Fill in this cell."), id="no-kind"
    ),
    pytest.param(
        [("F9", "maybe")],
        CellError(II_1, "F", "“maybe” is not allowed here; use one of: có; không."),
        id="evidence",
    ),
    pytest.param(
        [("H5", None)], CellError(CT1, "H", "Fill in this cell."), id="no-measure"
    ),
    pytest.param(
        [("I5", "sideways")],
        CellError(
            CT1,
            "I",
            "“sideways” is not allowed here; use one of: càng cao càng tốt; "
            "càng thấp càng tốt.",
        ),
        id="direction",
    ),
    pytest.param(
        [("K5", "lucky")],
        CellError(
            CT1,
            "K",
            "“lucky” is not allowed here; use one of: tỷ lệ thuận với mức đạt; "
            "đạt 100% trở lên được điểm tối đa; theo khung; theo mức tăng trưởng "
            "so với thực hiện năm trước.",
        ),
        id="rule",
    ),
    pytest.param(
        [("L5", "trần: x")],
        CellError(CT1, "L", "Write the parameters as the “Hướng dẫn” sheet shows."),
        id="params-syntax",
    ),
    pytest.param(
        [("L5", "trần: 50; sàn: 60")],
        CellError(
            CT1,
            "L",
            "Indicator CT1: the floor must be at least 0 and below the cap.",
        ),
        id="params-floor-above-cap",
    ),
    pytest.param(
        [("L7", 5)],
        CellError(CT2, "L", "This rule takes no parameters; clear the cell."),
        id="params-for-threshold",
    ),
    pytest.param(
        [("M5", 0)],
        CellError(CT1, "M", "A weight is above 0 and below 10000."),
        id="weight-zero",
    ),
    pytest.param(
        [("H4", "tỷ đồng")],
        CellError(I_1, "H", NOT_USED % "criterion"),
        id="column-not-for-level",
    ),
    pytest.param(
        [("E5", 3)],
        CellError(CT1, "E", NOT_USED % "indicator"),
        id="points-on-indicator",
    ),
    pytest.param(
        [("E4", 20)],
        CellError(S_I, "E", "Section I: its criteria add up to 50, not 60."),
        id="criteria-do-not-add-up",
    ),
    pytest.param(
        [("E3", 70), ("E4", 40)],
        CellError(None, None, "The scored sections add up to 110 points, not 100."),
        id="sections-do-not-add-up",
    ),
    pytest.param(
        [("D4", "chấm điểm đánh giá")],
        CellError(
            CT1,
            "B",
            "An indicator feeds a criterion of kind “computed from indicators”.",
        ),
        id="indicator-under-assessed",
    ),
    pytest.param(
        [("N5", "x")],
        CellError(CT1, "N", NOT_USED % "indicator"),
        id="source-on-indicator",
    ),
    pytest.param(
        [("O5", "x")],
        CellError(CT1, "O", "This cell is outside the table; clear it."),
        id="right-of-table",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), BAD_CELLS)
def test_bad_cell_is_reported_by_row_and_column(world, pledge, edits, expected):
    before = _tree_state()
    result = read_tree(pledge, _edit(tree_workbook(pledge), _set(*edits)))
    assert result.errors == (expected if isinstance(expected, list) else [expected])
    assert result.rows == []
    assert result.changed_rows == []
    assert _tree_state() == before


def _first_row_is(level, **cells):
    """A change that adds a row of `level` above the first section."""

    def change(sheet):
        sheet.insert_rows(3)
        sheet["A3"], sheet["B3"], sheet["C3"] = "X", level, "Mồ côi"
        for column, value in cells.items():
            sheet[f"{column}3"] = value

    return change


def _no_indicator(sheet):
    sheet.delete_rows(CT1)


def _rename(sheet):
    sheet.title = "Sheet1"


def _heading(sheet):
    sheet["E2"] = "Điểm"


def _no_rows(sheet):
    sheet.delete_rows(3, sheet.max_row)


def _note_below(sheet):
    sheet["F20"] = "ghi chú"


BAD_ROWS = [
    (
        _first_row_is("Tiêu chí", D="chấm điểm đánh giá", E=0),
        CellError(
            3, "B", "A criterion belongs to the last section above it; there is none."
        ),
    ),
    (
        _first_row_is("Chỉ tiêu", H="người"),
        CellError(
            3,
            "B",
            "An indicator belongs to the last criterion above it; there is none.",
        ),
    ),
    (
        _first_row_is("Lĩnh vực", E=0),
        CellError(
            3, "B", "A sub-field belongs to the last section above it; there is none."
        ),
    ),
    (_no_indicator, CellError(I_1, "B", "Criterion I.1 has no indicator.")),
    (
        _rename,
        CellError(
            None,
            None,
            "The workbook has no sheet “Tiêu chí”; its sheets are: Sheet1, Hướng dẫn.",
        ),
    ),
    (
        _heading,
        CellError(
            2, "E", "The heading here must be “Điểm tối đa”, as in the template."
        ),
    ),
    (
        _no_rows,
        CellError(None, None, "The sheet has no rows of criteria below its headings."),
    ),
    (
        _note_below,
        CellError(
            20, "F", "This row is outside the table: it has no code, level or title."
        ),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), BAD_ROWS)
def test_bad_rows_and_sheets_are_reported(world, pledge, edit, expected):
    result = read_tree(pledge, _edit(tree_workbook(pledge), edit))
    assert result.errors == [expected]
    assert result.rows == []


def _zip(entries):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


BOMB = (
    "The file unpacks to far more data than a criteria template holds; it was refused."
)
BAD_FILES = [
    (b"%PDF-1.7\n", "This is not an Excel workbook (.xlsx); fill in the template."),
    (
        b"PK\x03\x04not really a zip",
        "The file is damaged or is not an Excel workbook (.xlsx).",
    ),
    (b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024), "The file is larger than 5 MB."),
    (_zip({"xl/worksheets/sheet1.xml": b"0" * (51 * 1024 * 1024)}), BOMB),
    (_zip({f"xl/media/{n}.txt": b"" for n in range(1001)}), BOMB),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_or_oversize_file_is_refused_before_it_is_opened(
    world, pledge, data, message, monkeypatch
):
    if message == BOMB:
        monkeypatch.setattr(openpyxl, "load_workbook", pytest.fail)
    result = read_tree(pledge, data)
    assert result.errors == [CellError(None, None, message)]
    assert result.rows == []


# Sub-fields and weights (rule 4) -------------------------------------------------

SUBFIELDS = {
    "sections": [
        {
            "code": "A",
            "title": "Nhóm nhiệm vụ chuyên môn",
            "kind": "scored",
            "max_points": "100",
            "subsections": [
                {
                    "code": "A1",
                    "title": "Lĩnh vực kinh tế",
                    "max_points": "70",
                    "source": "Thông tư 12/2019/TT-BNV",
                },
                {"code": "A2", "title": "Lĩnh vực xã hội", "max_points": "30"},
            ],
            "criteria": [
                {
                    "code": "A1.1",
                    "title": "Tăng trưởng",
                    "kind": "indicator",
                    "max_points": "70",
                    "subsection": "A1",
                    "indicators": [
                        {
                            "code": "K1",
                            "title": "Giá trị sản xuất",
                            "unit_of_measure": "tỷ đồng",
                            "weight": "3",
                        },
                        {
                            "code": "K2",
                            "title": "Thu ngân sách",
                            "unit_of_measure": "tỷ đồng",
                            "rule": "bands",
                            "params": {"bands": [[100, 100], [90, 80.5]]},
                        },
                        {
                            "code": "K3",
                            "title": "Tỷ lệ hộ nghèo",
                            "unit_of_measure": "%",
                            "direction": "lower",
                            "aggregation": "mean",
                            "rule": "growth",
                            "params": {"full": 12.5},
                            "weight": "0.5",
                        },
                    ],
                },
                {
                    "code": "A2.1",
                    "title": "An sinh xã hội",
                    "kind": "assessed",
                    "max_points": "30",
                    "subsection": "A2",
                    "evidence_required": True,
                    "guidance": "Chấm theo báo cáo.",
                },
            ],
        },
        {
            "code": "B",
            "title": "Điểm trừ",
            "kind": "deduction",
            "max_points": "10",
            "criteria": [
                {
                    "code": "B.1",
                    "title": "Vi phạm",
                    "kind": "deduction",
                    "max_points": "10",
                }
            ],
        },
    ]
}


def test_sub_fields_and_weights_make_the_round_trip(world, empty):
    admin = world.users["admin"]
    source = services.pledge_create(
        term=TermFactory(cluster=world.cluster, year=2023),
        actor=admin,
        content=SUBFIELDS,
    )
    data = tree_workbook(source)
    rows = _sheet_rows(data)
    assert [r[:2] for r in rows[:4]] == [
        ["A", "Phần"],
        ["A1", "Lĩnh vực"],
        ["A1.1", "Tiêu chí"],
        ["K1", "Chỉ tiêu"],
    ]
    assert rows[1][13] == "Thông tư 12/2019/TT-BNV"
    assert rows[3][12] == 3
    result = read_tree(empty, data)
    assert result.errors == []
    written = services.pledge_tree_replace(
        pledge=empty, content=result.rows[0], actor=admin
    )
    assert written == 10
    assert pledge_content(empty) == pledge_content(source)
    a1 = Subsection.objects.get(pledge=empty, code="A1")
    assert list(a1.criteria.values_list("code", flat=True)) == ["A1.1"]
    assert Indicator.objects.get(pledge=empty, code="K3").weight == Decimal("0.5")


def test_sub_field_points_must_add_up(world, empty):
    source = services.pledge_create(
        term=TermFactory(cluster=world.cluster, year=2023),
        actor=world.users["admin"],
        content=SUBFIELDS,
    )
    data = _edit(tree_workbook(source), _set(("E4", 60)))  # sub-field A1: 70 → 60
    result = read_tree(empty, data)
    assert [(e.row, e.column) for e in result.errors] == [(3, "E"), (4, "E")]
    assert result.rows == []


# Round trip of the demo's trees --------------------------------------------------


@pytest.mark.parametrize("content", [hau_giang.CONTENT, sample_block.CONTENT])
def test_demo_tree_exported_imports_into_an_empty_pledge_of_another_term(
    world, empty, content
):
    admin = world.users["admin"]
    source = services.pledge_create(
        term=TermFactory(cluster=world.cluster, year=2023), actor=admin, content=content
    )
    result = read_tree(empty, tree_workbook(source))
    assert result.errors == []
    assert {c.action for c in result.changes} == {"added"}
    services.pledge_tree_replace(pledge=empty, content=result.rows[0], actor=admin)
    assert pledge_content(empty) == pledge_content(source)
    # Importing the same file again changes nothing.
    again = read_tree(empty, tree_workbook(source))
    assert again.changes == []
    history = Section.history.count() + Indicator.history.count()
    assert (
        services.pledge_tree_replace(pledge=empty, content=again.rows[0], actor=admin)
        == 0
    )
    assert Section.history.count() + Indicator.history.count() == history


# The service ------------------------------------------------------------------


def _renamed(content):
    """`content` with a new title for CT1, as the replacement tree."""
    sections = [dict(s) for s in content["sections"]]
    first = dict(sections[0])
    criteria = [dict(c) for c in first["criteria"]]
    criteria[0] = {
        **criteria[0],
        "indicators": [{**criteria[0]["indicators"][0], "title": "Tên mới"}],
    }
    first["criteria"] = criteria
    sections[0] = first
    return {"sections": sections}


def test_replace_swaps_the_tree_and_records_the_history(world, pledge):
    admin = world.users["admin"]
    written = services.pledge_tree_replace(
        pledge=pledge,
        content=_renamed(pledge_content(pledge)),
        actor=admin,
        reason="Nhập từ Excel",
    )
    assert written == 9
    assert pledge.indicators.get(code="CT1").title == "Tên mới"
    removed = Section.history.filter(history_type="-")
    assert removed.count() == 3
    assert {h.history_user for h in removed} == {admin}
    assert {h.history_change_reason for h in removed} == {"Nhập từ Excel"}
    assert Indicator.history.filter(history_type="+").last().history_user == admin


def test_replace_is_all_or_nothing_when_a_row_fails_midway(world, pledge, monkeypatch):
    before = _tree_state()
    calls = []
    real = services.pledge.indicator_save

    def fail_second(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 2:
            raise DomainError("broken")
        return real(**kwargs)

    monkeypatch.setattr(services.pledge, "indicator_save", fail_second)
    with pytest.raises(DomainError, match="broken"):
        services.pledge_tree_replace(
            pledge=pledge,
            content=_renamed(pledge_content(pledge)),
            actor=world.users["admin"],
        )
    assert calls == ["CT1", "CT2"]
    assert _tree_state() == before


def test_replace_refuses_a_tree_whose_points_do_not_add_up(world, pledge):
    content = _renamed(pledge_content(pledge))
    content["sections"][1] = {**content["sections"][1], "max_points": "50"}
    before = _tree_state()
    with pytest.raises(DomainError) as refused:
        services.pledge_tree_replace(
            pledge=pledge, content=content, actor=world.users["admin"]
        )
    assert refused.value.message == (
        "The criteria were not replaced: The scored sections add up to 110 points, "
        "not 100. Section II: its criteria add up to 40, not 50."
    )
    assert _tree_state() == before


def test_replace_refuses_a_criterion_kind_that_does_not_fit_its_section(world, pledge):
    content = _renamed(pledge_content(pledge))
    content["sections"][2]["criteria"][0] = {
        **content["sections"][2]["criteria"][0],
        "kind": "assessed",
    }
    before = _tree_state()
    with pytest.raises(DomainError, match="does not belong"):
        services.pledge_tree_replace(
            pledge=pledge, content=content, actor=world.users["admin"]
        )
    assert _tree_state() == before


def test_replace_refuses_once_targets_rest_on_the_tree(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    before = _tree_state()
    with pytest.raises(DomainError, match="targets rest on the current criteria"):
        services.pledge_tree_replace(
            pledge=pledge,
            content=_renamed(pledge_content(pledge)),
            actor=world.users["admin"],
        )
    assert _tree_state() == before


def test_replace_refuses_a_pledge_that_is_not_a_draft(world, pledge):
    type(pledge).objects.filter(pk=pledge.pk).update(state=PledgeState.SIGNING)
    pledge.refresh_from_db()
    before = _tree_state()
    with pytest.raises(DomainError, match="cannot be edited"):
        services.pledge_tree_replace(
            pledge=pledge, content=CONTENT, actor=world.users["admin"]
        )
    assert _tree_state() == before


# Views ---------------------------------------------------------------------------


def _english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def _post(client, pledge, data, mode, name="tieu-chi-2025.xlsx"):
    upload = BytesIO(data)
    upload.name = name
    return client.post(
        reverse("tree_import", args=[pledge.term_id]), {"file": upload, "mode": mode}
    )


def test_editor_links_to_the_import_and_the_download(world, login, pledge):
    client = login(world.users["chair_officer"])
    html = client.get(reverse("pledge_editor", args=[pledge.term_id])).content.decode()
    assert reverse("tree_import", args=[pledge.term_id]) in html
    assert reverse("tree_xlsx", args=[pledge.term_id]) in html


def test_download_gives_the_template(world, login, pledge):
    client = login(world.users["chair_officer"])
    response = client.get(reverse("tree_xlsx", args=[pledge.term_id]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="tieu-chi-2024.xlsx"'
    )
    assert _sheet_rows(response.content)[0][0] == "I"


def test_chair_imports_a_tree_into_an_empty_pledge_then_again_changes_nothing(
    world, login, pledge, empty
):
    chair = world.users["admin"]
    client = _english(login(chair))
    data = tree_workbook(pledge)
    before = _tree_state()

    page = _post(client, empty, data, "preview")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Applying the file replaces the criteria tree; 9 rows change:" in html
    assert "Thu ngân sách trên địa bàn" in html
    assert _tree_state() == before

    response = _post(client, empty, data, "apply")
    assert response.status_code == 302
    assert response["Location"] == reverse("pledge_editor", args=[empty.term_id])
    assert pledge_content(empty) == pledge_content(pledge)
    editor = client.get(response["Location"]).content.decode()
    assert "9 rows of criteria were written." in editor

    after = _tree_state()
    page = _post(client, empty, data, "preview")
    assert "The file matches the current criteria" in page.content.decode()
    response = _post(client, empty, data, "apply")
    assert (
        "0 rows of criteria were written."
        in client.get(response["Location"]).content.decode()
    )
    assert _tree_state() == after


def test_bad_file_shows_the_cells_and_applies_nothing(world, login, empty, pledge):
    client = _english(login(world.users["admin"]))
    data = _edit(tree_workbook(pledge), _set(("E4", "abc")))
    before = _tree_state()
    page = _post(client, empty, data, "apply")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enter a number, not “abc”." in html
    assert "The rows and columns are those of the sheet “Tiêu chí”." in html
    assert _tree_state() == before


def test_import_is_refused_once_targets_are_set(world, login, pledge):
    set_all_targets(pledge, world.users["admin"])
    client = _english(login(world.users["admin"]))
    page = client.get(reverse("tree_import", args=[pledge.term_id]))
    assert "the tree can no longer be replaced as a whole" in page.content.decode()
    before = _tree_state()
    data = _edit(tree_workbook(pledge), _set(("C3", "Tên khác")))
    _post(client, pledge, data, "apply")
    assert _tree_state() == before


@pytest.mark.parametrize("role", ["officer", "staff"])
def test_who_does_not_draft_can_neither_download_nor_import(world, login, pledge, role):
    client = login(world.users[role])
    assert client.get(reverse("tree_xlsx", args=[pledge.term_id])).status_code == 403
    before = _tree_state()
    data = _edit(tree_workbook(pledge), _set(("C3", "Tên khác")))
    assert _post(client, pledge, data, "apply").status_code == 403
    assert _tree_state() == before


def _grow(pledge, actor):
    def grow():
        section = pledge.sections.get(code="III")
        for n in range(10):
            services.criterion_save(
                pledge=pledge,
                actor=actor,
                section=section,
                code=f"III.{n + 2}",
                title=f"Thưởng {n}",
                kind="bonus",
                max_points=Decimal(1),
            )

    return grow


@pytest.mark.parametrize("name", ["tree_xlsx", "tree_import"])
def test_query_count_is_stable(world, login, pledge, name):
    admin = world.users["admin"]
    client = login(admin)
    assert_queries_stable(
        client, reverse(name, args=[pledge.term_id]), _grow(pledge, admin)
    )


def test_import_form_survives_hostile_input(world, login, pledge):
    client = login(world.users["admin"])
    fuzz_form(client, reverse("tree_import", args=[pledge.term_id]), examples=30)
