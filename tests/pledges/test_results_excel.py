"""The Excel round trip of the results: pre-filled workbook per unit
and for the whole term, per-cell report, dry run and idempotent bulk apply."""

import datetime
import re
import zipfile
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from clusters.models import Term, TermState, Unit
from core.errors import DomainError
from pledges import services
from pledges.models import Indicator, IndicatorResult, Report, ReportState
from pledges.results_excel import (
    HEADINGS,
    SHEET,
    CellError,
    Change,
    read_results,
    results_workbook,
)
from pledges.selectors import members_of
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.usefixtures("english")

# Rows of the whole-term workbook of the `pledge` fixture: indicators CT1, CT2 in
# order, each with Huyện A, Huyện Chủ trì, Huyện Phó (members by name).
CT1_A, CT1_CHAIR, CT1_DEPUTY, CT2_A, CT2_CHAIR, CT2_DEPUTY = range(3, 9)
LAST_ROW = 8
ACTUAL, NOTE = 8, 9
IMPORTED = "Imported from Excel"


@pytest.fixture
def term(world, pledge):
    """The world's term being reported, with every target set to 100."""
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    set_all_targets(pledge, world.users["admin"])
    return Term.objects.select_related("pledge").get(pk=world.term.pk)


def _indicator(code):
    return Indicator.objects.get(code=code)


def _save(term, unit, values, actor):
    """Save `values` {code: (actual, note)} as the unit's results in the form."""
    report = services.report_start(term=term, unit=unit, actor=actor)
    return services.report_save_section(
        report=report,
        actor=actor,
        version=report.version,
        section="indicators",
        data={_indicator(code): value for code, value in values.items()},
    )


def _workbook(term):
    return results_workbook(term, members_of(term.pledge))


def _read(term, data, units=None):
    return read_results(term, data, members_of(term.pledge) if units is None else units)


def _edit(data, change):
    """The workbook `data` after `change(sheet)`, saved again as Excel would."""
    workbook = openpyxl.load_workbook(BytesIO(data))
    change(workbook[SHEET] if SHEET in workbook.sheetnames else workbook.active)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(coordinate, value):
    def edit(sheet):
        sheet[coordinate].value = value

    return edit


def _state():
    """Every result, every report's version and state, and all their history."""
    return (
        sorted(
            IndicatorResult.objects.values_list(
                "report__unit_id", "indicator__code", "actual", "note"
            )
        ),
        sorted(Report.objects.values_list("unit_id", "version", "state")),
        IndicatorResult.history.count(),
        Report.history.count(),
    )


def _zip(entries):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


# Export ----------------------------------------------------------------------


def test_workbook_has_one_row_per_indicator_and_member(world, term):
    officer = world.users["officer"]
    _save(term, world.unit_a, {"CT1": (Decimal("1234.5"), "Vượt kế hoạch")}, officer)
    sheet = openpyxl.load_workbook(BytesIO(_workbook(term)))[SHEET]
    assert sheet["A1"].value == f"{term.pledge.title} – Kết quả thực hiện năm 2024"
    assert tuple(c.value for c in sheet[2]) == HEADINGS
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == LAST_ROW
    assert [c.value for c in sheet[CT1_A]] == [
        "CT1",
        "Giá trị sản xuất (giá so sánh 2010)",
        "tỷ đồng",
        world.unit_a.pk,
        "Huyện A",
        100,
        None,
        1234.5,
        "Vượt kế hoạch",
    ]
    assert [sheet.cell(r, 4).value for r in range(3, LAST_ROW + 1)] == [
        world.unit_a.pk,
        world.unit_chair.pk,
        world.unit_deputy.pk,
    ] * 2
    actual = sheet.cell(CT1_A, ACTUAL)
    assert (actual.data_type, actual.number_format) == ("n", "#,##0.####")
    assert sheet.cell(CT1_A, 6).number_format == "#,##0.####"


def test_workbook_dates_are_real_cells_and_only_the_inputs_are_unlocked(world, term):
    sheet = openpyxl.load_workbook(BytesIO(_workbook(term)))[SHEET]
    exported = sheet["H1"]
    assert exported.is_date
    assert exported.number_format == "DD/MM/YYYY"
    assert exported.value.date() == datetime.date.today()  # noqa: DTZ011
    assert sheet.protection.sheet
    assert not sheet.protection.autoFilter
    assert [sheet.cell(CT1_A, c).protection.locked for c in range(1, 10)] == [
        *[True] * 7,
        False,
        False,
    ]


def test_officer_workbook_holds_only_its_own_rows(world, term):
    data = results_workbook(term, [world.unit_a])
    sheet = openpyxl.load_workbook(BytesIO(data))[SHEET]
    assert [(r[0].value, r[3].value) for r in sheet.iter_rows(min_row=3)] == [
        ("CT1", world.unit_a.pk),
        ("CT2", world.unit_a.pk),
    ]


def test_formula_leading_texts_are_neutralised_on_export(world, term):
    officer = world.users["officer"]
    _save(
        term,
        world.unit_a,
        {"CT1": (Decimal(5), '=HYPERLINK("http://evil.example","x")')},
        officer,
    )
    Indicator.objects.filter(code="CT2").update(title="-2+3", unit_of_measure="@x")
    Unit.objects.filter(pk=world.unit_a.pk).update(name="+cmd|' /C calc'!A0")
    data = _workbook(term)
    sheet = openpyxl.load_workbook(BytesIO(data))[SHEET]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.cell(CT1_A, NOTE).value == '\'=HYPERLINK("http://evil.example","x")'
    assert sheet.cell(CT2_A, 2).value == "'-2+3"
    assert sheet.cell(CT2_A, 3).value == "'@x"
    assert sheet.cell(CT1_A, 5).value == "'+cmd|' /C calc'!A0"
    result = _read(term, data)
    assert (result.errors, result.changes, len(result.rows)) == ([], [], 6)


# Round trip, dry run and idempotent apply ------------------------------------


def test_exported_file_imports_with_no_change(world, term):
    officer = world.users["officer"]
    _save(
        term,
        world.unit_a,
        {"CT1": (Decimal("0.1234"), "ghi chú"), "CT2": (Decimal("98765432.1"), "")},
        officer,
    )
    result = _read(term, _workbook(term))
    assert result.errors == []
    assert result.changes == []
    assert result.changed_rows == []
    assert len(result.rows) == 6
    assert result.rows[0][2:] == (Decimal("0.1234"), "ghi chú")


def test_preview_lists_exactly_the_edited_cells_and_writes_nothing(world, term):
    _save(term, world.unit_a, {"CT1": (Decimal(90), "")}, world.users["officer"])
    before = _state()

    def edit(sheet):
        sheet.cell(CT1_A, ACTUAL).value = 95.5
        sheet.cell(CT2_DEPUTY, NOTE).value = "Chưa có số liệu"

    result = _read(term, _edit(_workbook(term), edit))
    assert result.errors == []
    assert result.changes == [
        Change(_indicator("CT1"), world.unit_a, Decimal(90), Decimal("95.5"), "", ""),
        Change(_indicator("CT2"), world.unit_deputy, None, None, "", "Chưa có số liệu"),
    ]
    assert _state() == before


def test_apply_writes_the_changes_and_a_second_apply_changes_nothing(world, term):
    admin = world.users["admin"]
    _save(term, world.unit_a, {"CT1": (Decimal(90), "")}, world.users["officer"])
    report_a = Report.objects.get(unit=world.unit_a)

    def edit(sheet):
        sheet.cell(CT1_A, ACTUAL).value = 95
        sheet.cell(CT2_A, ACTUAL).value = 80.25
        sheet.cell(CT2_DEPUTY, ACTUAL).value = 7
        sheet.cell(CT2_DEPUTY, NOTE).value = "tạm tính"

    data = _edit(_workbook(term), edit)
    result = _read(term, data)
    history = IndicatorResult.history.count()
    assert services.results_apply(term=term, rows=result.changed_rows, actor=admin) == 3
    assert sorted(
        IndicatorResult.objects.values_list(
            "report__unit__name", "indicator__code", "actual", "note"
        )
    ) == [
        ("Huyện A", "CT1", Decimal(95), ""),
        ("Huyện A", "CT2", Decimal("80.25"), ""),
        ("Huyện Phó", "CT2", Decimal(7), "tạm tính"),
    ]
    # The existing report is bumped once, the missing one created and bumped once.
    assert Report.objects.get(pk=report_a.pk).version == report_a.version + 1
    deputy = Report.objects.get(unit=world.unit_deputy)
    assert (deputy.version, deputy.state, deputy.updated_by) == (2, "draft", admin)
    assert not Report.objects.filter(unit=world.unit_chair).exists()
    entries = IndicatorResult.history.order_by("history_id")[history:]
    assert [
        (e.history_type, e.history_user, e.history_change_reason) for e in entries
    ] == [("+", admin, IMPORTED)] * 2 + [("~", admin, IMPORTED)]
    assert report_a.history.first().history_change_reason == IMPORTED

    after = _state()
    again = _read(term, data)
    assert (again.errors, again.changes) == ([], [])
    assert services.results_apply(term=term, rows=again.changed_rows, actor=admin) == 0
    assert services.results_apply(term=term, rows=result.changed_rows, actor=admin) == 0
    assert services.results_apply(term=term, rows=again.rows, actor=admin) == 0
    assert _state() == after


def test_values_are_rounded_to_what_the_database_keeps(world, term):
    data = _edit(_workbook(term), _set("H3", 0.1 + 0.2))
    result = _read(term, data)
    assert result.rows[0][2] == Decimal("0.3000")
    services.results_apply(
        term=term, rows=result.changed_rows, actor=world.users["admin"]
    )
    assert _read(term, data).changes == []


def test_apply_takes_a_constant_number_of_queries(world, term):
    """The bulk path: no query per row. Each apply updates CT1 and creates CT2
    for every member (reports already exist; a missing one costs its
    `report_start`)."""
    admin = world.users["admin"]
    ct1, ct2 = _indicator("CT1"), _indicator("CT2")

    def apply(value):
        units = [m.unit for m in term.memberships.select_related("unit")]
        for unit in units:
            _save(term, unit, {"CT1": (Decimal(0), "")}, admin)
        rows = [(i, u, value, "") for i in (ct1, ct2) for u in units]
        with CaptureQueriesContext(connection) as queries:
            changed = services.results_apply(term=term, rows=rows, actor=admin)
        assert changed == len(rows)
        IndicatorResult.objects.filter(indicator=ct2).delete()
        return len(queries)

    small = apply(Decimal(1))
    for _n in range(10):
        MembershipFactory(term=term, unit=UnitFactory(authority=world.authority))
    assert apply(Decimal(2)) == small


def test_apply_is_all_or_nothing(world, term):
    admin = world.users["admin"]
    before = _state()
    rows = [
        (_indicator("CT1"), world.unit_a, Decimal(5), ""),
        (_indicator("CT2"), world.unit_a, Decimal(-1), ""),
    ]
    with pytest.raises(DomainError, match="CT2: the value cannot be negative"):
        services.results_apply(term=term, rows=rows, actor=admin)
    assert _state() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (lambda w: ("CT1", w.unit_other, Decimal(1), ""), "not a member"),
        (lambda w: ("CT1", w.unit_a, Decimal(10) ** 14, ""), "too large"),
        (lambda w: ("CT1", w.unit_a, None, "x" * 501), "longer than 500"),
    ],
)
def test_apply_refuses_bad_rows(world, term, row, message):
    code, unit, actual, note = row(world)
    before = _state()
    with pytest.raises(DomainError, match=message):
        services.results_apply(
            term=term,
            rows=[(_indicator(code), unit, actual, note)],
            actor=world.users["admin"],
        )
    assert _state() == before


def test_apply_refuses_a_repeated_row(world, term):
    row = (_indicator("CT1"), world.unit_a, Decimal(1), "")
    with pytest.raises(DomainError, match="CT1 of Huyện A appears more than once"):
        services.results_apply(term=term, rows=[row, row], actor=world.users["admin"])
    assert IndicatorResult.objects.count() == 0


def test_apply_refuses_outside_the_reporting_stage(world, term):
    Term.objects.filter(pk=term.pk).update(state=TermState.SCORING)
    row = (_indicator("CT1"), world.unit_a, Decimal(1), "")
    with pytest.raises(DomainError, match="while the year is in progress"):
        services.results_apply(term=term, rows=[row], actor=world.users["admin"])
    assert IndicatorResult.objects.count() == 0


# Submitted reports -------------------------------------------------------------


def _submit(term, unit, actor):
    _save(term, unit, {"CT1": (Decimal(90), "")}, actor)
    Report.objects.filter(unit=unit).update(state=ReportState.SUBMITTED)


def test_import_refuses_to_change_a_submitted_report(world, term):
    _submit(term, world.unit_a, world.users["officer"])
    before = _state()

    def edit(sheet):
        sheet.cell(CT1_A, ACTUAL).value = 91
        sheet.cell(CT2_A, NOTE).value = "bổ sung"
        sheet.cell(CT2_DEPUTY, ACTUAL).value = 7

    result = _read(term, _edit(_workbook(term), edit))
    message = "The report of Huyện A is submitted; it can no longer be changed."
    assert result.errors == [
        CellError(CT1_A, "H", message),
        CellError(CT2_A, "I", message),
    ]
    assert (result.rows, result.changes) == ([], [])
    assert _state() == before


def test_unchanged_rows_of_a_submitted_report_import(world, term):
    """The chair's whole-term file still imports once a member has submitted."""
    _submit(term, world.unit_a, world.users["officer"])
    result = _read(term, _edit(_workbook(term), _set("H5", 7)))
    assert result.errors == []
    assert [(c.unit, c.new_actual) for c in result.changes] == [
        (world.unit_deputy, Decimal(7))
    ]


def test_apply_refuses_a_change_to_an_accepted_report(world, term):
    _submit(term, world.unit_a, world.users["officer"])
    Report.objects.filter(unit=world.unit_a).update(state=ReportState.ACCEPTED)
    before = _state()
    with pytest.raises(DomainError, match="Huyện A is accepted"):
        services.results_apply(
            term=term,
            rows=[(_indicator("CT1"), world.unit_a, Decimal(1), "")],
            actor=world.users["admin"],
        )
    assert _state() == before


# Bad input ---------------------------------------------------------------------


def _rename(sheet):
    sheet.title = "Sheet1"


def _duplicate(sheet):
    for column in range(1, 10):
        sheet.cell(LAST_ROW + 1, column).value = sheet.cell(CT1_A, column).value


BAD_CELLS = [
    ("A3", "CT9", CellError(3, "A", "Unknown indicator code “CT9”.")),
    (
        "D3",
        999999,
        CellError(3, "D", "Unknown unit code “999999”; use the codes of the template."),
    ),
    ("H3", "nhiều", CellError(3, "H", "Enter a number, not “nhiều”.")),
    ("H4", "1,234.5", CellError(4, "H", "Enter a number, not “1,234.5”.")),
    (
        "H3",
        datetime.datetime(2024, 1, 1),  # noqa: DTZ001  (a date typed in Excel)
        CellError(3, "H", "Enter a number, not “2024-01-01 00:00:00”."),
    ),
    ("H3", -5, CellError(3, "H", "Results cannot be negative.")),
    ("H3", 1e15, CellError(3, "H", "The number is too large.")),
    (
        "H3",
        "=1+1",
        CellError(3, "H", "Formulas are not accepted; type the value itself."),
    ),
    (
        "I5",
        "=A3",
        CellError(5, "I", "Formulas are not accepted; type the value itself."),
    ),
    ("I6", "x" * 501, CellError(6, "I", "The note is longer than 500 characters.")),
    ("J5", "ghi chú", CellError(5, "J", "This cell is outside the table; clear it.")),
    (
        "H2",
        "Thực hiện 2024",
        CellError(2, "H", "The heading here must be “Thực hiện”, as in the template."),
    ),
]


@pytest.mark.parametrize(("cell", "value", "expected"), BAD_CELLS)
def test_bad_cell_is_reported_by_row_and_column(world, term, cell, value, expected):
    def edit(sheet):
        sheet.cell(CT2_DEPUTY, ACTUAL).value = 55  # a good change, kept out too
        sheet[cell].value = value

    before = _state()
    result = _read(term, _edit(_workbook(term), edit))
    assert result.errors == [expected]
    assert (result.rows, result.changes) == ([], [])
    assert _state() == before


def test_error_names_its_heading(world, term):
    result = _read(term, _edit(_workbook(term), _set("H3", "?")))
    assert result.errors[0].heading == "Thực hiện"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _duplicate,
            CellError(LAST_ROW + 1, "A", "CT1 of Huyện A is already in row 3."),
        ),
        (
            _rename,
            CellError(
                None,
                None,
                "The workbook has no sheet “Kết quả”; its sheets are: Sheet1.",
            ),
        ),
    ],
)
def test_bad_rows_and_sheets_are_reported(world, term, edit, expected):
    result = _read(term, _edit(_workbook(term), edit))
    assert result.errors == [expected]
    assert result.rows == []


def test_targets_template_is_not_a_results_workbook(world, term):
    from pledges.excel import targets_workbook

    data = targets_workbook(term.pledge, members_of(term.pledge))
    assert _read(term, data).errors == [
        CellError(
            None,
            None,
            "The workbook has no sheet “Kết quả”; its sheets are: Chỉ tiêu.",
        )
    ]


def test_officer_may_not_import_another_units_row(world, term):
    data = _edit(
        results_workbook(term, [world.unit_a]), _set("D3", world.unit_chair.pk)
    )
    result = _read(term, data, [world.unit_a])
    assert result.errors == [
        CellError(3, "D", "You may not enter the results of Huyện Chủ trì.")
    ]


def test_unit_of_another_cluster_is_unknown(world, term):
    result = _read(term, _edit(_workbook(term), _set("D3", world.unit_other.pk)))
    assert [(e.row, e.column) for e in result.errors] == [(3, "D")]


DAMAGED = "The file is damaged or is not an Excel workbook (.xlsx)."
NOT_XLSX = "This is not an Excel workbook (.xlsx); fill in the template."
BOMB = (
    "The file unpacks to far more data than a results template holds; it was refused."
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"%PDF-1.7\n", NOT_XLSX, id="pdf"),
        pytest.param("Mã chỉ tiêu;Mã đơn vị\nCT1;1\n".encode(), NOT_XLSX, id="csv"),
        pytest.param(b"PK\x03\x04not really a zip", DAMAGED, id="damaged"),
        pytest.param(
            b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024),
            "The file is larger than 5 MB.",
            id="too-large",
        ),
        pytest.param(
            _zip({"xl/worksheets/sheet1.xml": b"0" * (51 * 1024 * 1024)}),
            BOMB,
            id="zip-bomb",
        ),
        pytest.param(
            _zip({"xl/worksheets/sheet1.xml": b"<row/>" * (1024 * 1024)}),
            BOMB,
            id="dense",
        ),
    ],
)
def test_bad_file_is_refused_with_a_message(world, term, data, message, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    before = _state()
    result = _read(term, data)
    assert result.errors == [CellError(None, None, message)]
    assert result.rows == []
    assert _state() == before


def test_damaged_files_never_raise(world, term):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    template = _workbook(term)
    members = members_of(term.pledge)

    def overwrite(edits):
        data = bytearray(template)
        for position, chunk in edits:
            data[position : position + len(chunk)] = chunk
        return bytes(data)

    files = st.lists(
        st.tuples(st.integers(4, len(template) - 1), st.binary(min_size=1)),
        min_size=1,
        max_size=5,
    ).map(overwrite)

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(files)
    def run(data):
        result = read_results(term, data, members)
        assert result.errors or len(result.rows) == 6

    run()


# Views ---------------------------------------------------------------------------


def _english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def _post(client, term, data, mode, name="ket-qua-2024.xlsx"):
    upload = BytesIO(data)
    upload.name = name
    return client.post(
        reverse("results_import", args=[term.pk]), {"file": upload, "mode": mode}
    )


def _rows_of(response):
    sheet = openpyxl.load_workbook(BytesIO(response.content))[SHEET]
    return [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_download_gives_the_prefilled_workbook(world, login, term):
    _save(term, world.unit_a, {"CT1": (Decimal(42), "")}, world.users["officer"])
    client = login(world.users["chair_officer"])
    response = client.get(reverse("results_xlsx", args=[term.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="ket-qua-2024.xlsx"'
    )
    sheet = openpyxl.load_workbook(BytesIO(response.content))[SHEET]
    assert sheet.max_row == LAST_ROW
    assert sheet.cell(CT1_A, ACTUAL).value == 42


@pytest.mark.parametrize(
    ("role", "units"),
    [
        ("officer", ["unit_a"]),
        ("chair_officer", ["unit_a", "unit_chair", "unit_deputy"]),
        ("staff", ["unit_a", "unit_chair", "unit_deputy"]),
        ("admin", ["unit_a", "unit_chair", "unit_deputy"]),
    ],
)
def test_officer_gets_its_rows_and_reviewers_every_member(
    world, login, term, role, units
):
    client = login(world.users[role])
    response = client.get(reverse("results_xlsx", args=[term.pk]))
    expected = [getattr(world, name).pk for name in units]
    assert _rows_of(response) == expected * 2


def test_download_query_count_is_stable(world, login, term):
    admin = world.users["admin"]

    def grow():
        for _n in range(10):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=term, unit=unit)
            _save(term, unit, {"CT1": (Decimal(5), "a"), "CT2": (None, "")}, admin)

    client = login(admin)
    assert_queries_stable(client, reverse("results_xlsx", args=[term.pk]), grow)


def test_upload_preview_then_apply_then_apply_again(world, login, term):
    officer = world.users["officer"]
    client = _english(login(officer))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content
    data = _edit(workbook, _set("H3", 321))
    before = _state()

    page = _post(client, term, data, "preview")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Applying the file changes 1 result:" in html
    assert "Huyện A" in html
    assert "321" in html
    assert _state() == before

    response = _post(client, term, data, "apply")
    assert response.status_code == 302
    assert response["Location"] == reverse("results_import", args=[term.pk])
    result = IndicatorResult.objects.get(
        indicator__code="CT1", report__unit=world.unit_a
    )
    assert result.actual == 321
    entry = result.history.first()
    assert (entry.history_user, entry.history_change_reason) == (officer, IMPORTED)
    assert "1 result was updated." in client.get(response["Location"]).content.decode()

    after = _state()
    response = _post(client, term, data, "apply")
    assert response.status_code == 302
    assert "0 results were updated." in (
        client.get(response["Location"]).content.decode()
    )
    assert _state() == after


def test_chair_imports_every_members_rows(world, login, term):
    client = _english(login(world.users["chair_officer"]))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content

    def edit(sheet):
        sheet.cell(CT1_A, ACTUAL).value = 1
        sheet.cell(CT2_DEPUTY, ACTUAL).value = 2

    response = _post(client, term, _edit(workbook, edit), "apply")
    assert response.status_code == 302
    assert sorted(
        IndicatorResult.objects.values_list("report__unit__name", "actual")
    ) == [("Huyện A", Decimal(1)), ("Huyện Phó", Decimal(2))]


def test_officer_cannot_import_another_units_rows(world, login, term):
    client = _english(login(world.users["officer"]))
    before = _state()
    response = _post(client, term, _edit(_workbook(term), _set("H4", 5)), "apply")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You may not enter the results of Huyện Chủ trì." in html
    assert "Nothing was saved" in html
    assert _state() == before


def test_officer_of_another_cluster_gets_404_and_changes_nothing(world, login, term):
    client = login(world.users["other_officer"])
    assert client.get(reverse("results_xlsx", args=[term.pk])).status_code == 404
    before = _state()
    response = _post(client, term, _edit(_workbook(term), _set("H3", 5)), "apply")
    assert response.status_code == 404
    assert _state() == before


def test_submitted_report_is_refused_in_the_page(world, login, term):
    _submit(term, world.unit_a, world.users["officer"])
    client = _english(login(world.users["officer"]))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content
    before = _state()
    response = _post(client, term, _edit(workbook, _set("H3", 1)), "apply")
    assert response.status_code == 200
    assert "The report of Huyện A is submitted" in response.content.decode()
    assert _state() == before


BAD_UPLOADS = [
    ("unknown indicator", _set("A3", "CT9"), "Unknown indicator code “CT9”."),
    ("text", _set("H3", "nhiều"), "Enter a number, not “nhiều”."),
    ("negative", _set("H4", -1), "Results cannot be negative."),
    ("formula", _set("H5", "=2*3"), "Formulas are not accepted"),
    ("duplicate", _duplicate, "CT1 of Huyện A is already in row 3."),
    ("wrong sheet", _rename, "The workbook has no sheet"),
]


@pytest.mark.parametrize(
    ("edit", "message"),
    [pytest.param(e, m, id=name) for name, e, m in BAD_UPLOADS],
)
def test_bad_upload_applies_nothing(world, login, term, edit, message):
    client = _english(login(world.users["admin"]))

    def with_a_good_change(sheet):
        sheet.cell(CT2_DEPUTY, ACTUAL).value = 55
        edit(sheet)

    data = _edit(_workbook(term), with_a_good_change)
    before = _state()
    response = _post(client, term, data, "apply")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7\n", "ket-qua.xlsx", "This is not an Excel workbook"),
        (b"a;b\n", "ket-qua.csv", "Choose an Excel workbook (.xlsx)"),
        (
            lambda: _zip({"xl/worksheets/sheet1.xml": b"0" * (51 * 1024 * 1024)}),
            "bomb.xlsx",
            "far more data than a results template holds",
        ),
    ],
)
def test_bad_file_upload_is_refused_next_to_the_field(
    world, login, term, data, name, message
):
    client = _english(login(world.users["admin"]))
    before = _state()
    data = data() if callable(data) else data
    response = _post(client, term, data, "apply", name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_nothing_is_imported_outside_the_reporting_stage(world, login, term):
    client = _english(login(world.users["admin"]))
    data = _edit(_workbook(term), _set("H3", 1))
    Term.objects.filter(pk=term.pk).update(state=TermState.SCORING)
    before = _state()
    response = _post(client, term, data, "apply")
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html
    assert 'name="mode"' not in html
    assert _state() == before


def test_import_page_shows_the_form(world, login, term):
    client = _english(login(world.users["officer"]))
    html = client.get(reverse("results_import", args=[term.pk])).content.decode()
    assert 'accept=".xlsx"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="mode" value="preview"' in html
    assert 'name="mode" value="apply"' in html
    assert "Download your unit's workbook" in html
    assert '<th scope="col">' not in html  # no result table before an upload


def test_import_form_survives_hostile_input(world, login, term):
    client = login(world.users["admin"])
    fuzz_form(
        client, reverse("results_import", args=[term.pk]), fields=["file", "mode"]
    )
    assert IndicatorResult.objects.count() == 0


def test_benchmark_command_is_refused_without_demo_data(db, settings):
    settings.DEMO_ALLOWED = False
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="DEMO_ALLOWED is off"):
        call_command("bench_import")
    assert Unit.objects.count() == units


# Numbers typed as text, and “Apply” after “Preview” -------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("85,3", Decimal("85.3")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal(1234)),
        ("85.3", Decimal("85.3")),
        (" 2.500 ", Decimal(2500)),
        (85.3, Decimal("85.3")),
    ],
)
def test_text_numbers_are_read_the_vietnamese_way(world, term, typed, expected):
    result = _read(term, _edit(_workbook(term), _set("H3", typed)))
    assert result.errors == []
    assert [(c.indicator.code, c.new_actual) for c in result.changes] == [
        ("CT1", expected)
    ]


def test_the_form_and_the_import_read_a_number_alike():
    from core.formatting import parse_decimal
    from pledges.forms import ReportNumberField
    from pledges.xlsx import parse_number

    field = ReportNumberField(max_value=Decimal(10**9), places=3)
    with translation.override("vi"):
        for typed in ("85,3", "1.234,5", "85.3", "12"):
            assert field.clean(typed) == parse_number(typed, "neg")[0]
            assert field.clean(typed) == parse_decimal(typed)


def _apply_token(client, term, token):
    return client.post(
        reverse("results_import", args=[term.pk]),
        {"preview_token": token, "mode": "apply"},
    )


def _token(response):
    html = response.content.decode()
    found = re.search(r'name="preview_token" value="([^"]+)"', html)
    return found.group(1) if found else None


def test_apply_after_preview_needs_no_second_upload(world, login, term):
    client = _english(login(world.users["officer"]))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content
    before = _state()
    page = _post(client, term, _edit(workbook, _set("H3", "85,3")), "preview")
    token = _token(page)
    assert token, "the preview keeps the file and the page carries its token"
    assert "ket-qua-2024.xlsx" in page.content.decode()
    assert _state() == before

    response = _apply_token(client, term, token)
    assert response.status_code == 302
    result = IndicatorResult.objects.get(
        indicator__code="CT1", report__unit=world.unit_a
    )
    assert result.actual == Decimal("85.3")
    after = _state()
    response = _apply_token(client, term, token)
    assert response.status_code == 200, "an applied preview is not kept"
    assert _state() == after


def test_a_preview_token_serves_only_its_user_and_page(world, login, term):
    client = _english(login(world.users["officer"]))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content
    token = _token(_post(client, term, _edit(workbook, _set("H3", 77)), "preview"))
    before = _state()
    other = _english(login(world.users["chair_officer"]))
    assert _apply_token(other, term, token).status_code == 200
    assert _apply_token(other, term, "x" * 32).status_code == 200
    assert _state() == before


def test_a_preview_with_problems_keeps_no_file(world, login, term):
    client = _english(login(world.users["officer"]))
    workbook = client.get(reverse("results_xlsx", args=[term.pk])).content
    page = _post(client, term, _edit(workbook, _set("H3", "nhiều")), "preview")
    assert _token(page) is None
