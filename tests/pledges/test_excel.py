"""The Excel round trip of the targets: template, per-cell report,
dry run and idempotent apply."""

import datetime
import os
import zipfile
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from clusters.models import Unit
from pledges import services
from pledges.excel import (
    HEADINGS,
    SHEET,
    CellError,
    Change,
    read_targets,
    targets_workbook,
)
from pledges.models import Indicator, Target
from pledges.selectors import members_of
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.usefixtures("english")

# Rows of the template of the `pledge` fixture: indicators CT1, CT2 in order,
# each with Huyện A, Huyện Chủ trì, Huyện Phó (members by name).
CT1_A, CT1_CHAIR, CT2_DEPUTY = 3, 4, 8
LAST_ROW = 8


def _edit(data, change):
    """The workbook `data` after `change(sheet)`, saved again as Excel would."""
    workbook = openpyxl.load_workbook(BytesIO(data))
    change(workbook[SHEET] if SHEET in workbook.sheetnames else workbook.active)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _template(pledge):
    return targets_workbook(pledge, members_of(pledge))


def _state():
    """Every target value and the size of their history."""
    return (
        sorted(
            Target.objects.values_list(
                "indicator_id", "unit_id", "planned", "last_actual"
            )
        ),
        Target.history.count(),
    )


def _zip(entries, compression=zipfile.ZIP_DEFLATED):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


# Export ----------------------------------------------------------------------


def test_template_has_one_row_per_indicator_and_member(world, pledge):
    set_all_targets(pledge, world.users["admin"], Decimal("1234.5"))
    sheet = openpyxl.load_workbook(BytesIO(_template(pledge)))[SHEET]
    assert sheet["A1"].value == pledge.title
    assert tuple(c.value for c in sheet[2]) == HEADINGS
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == LAST_ROW
    assert [c.value for c in sheet[CT1_CHAIR]] == [
        "CT1",
        "Giá trị sản xuất (giá so sánh 2010)",
        "tỷ đồng",
        world.unit_chair.pk,
        "Huyện Chủ trì",
        1234.5,
        None,
    ]
    planned = sheet.cell(CT1_CHAIR, 6)
    assert planned.data_type == "n"
    assert planned.number_format == "#,##0.####"
    assert sheet.cell(CT1_CHAIR, 7).number_format == "#,##0.####"
    assert [sheet.cell(r, 4).value for r in range(3, LAST_ROW + 1)] == [
        world.unit_a.pk,
        world.unit_chair.pk,
        world.unit_deputy.pk,
    ] * 2


def test_officer_template_holds_only_its_own_rows(world, pledge):
    data = targets_workbook(pledge, [world.unit_a])
    sheet = openpyxl.load_workbook(BytesIO(data))[SHEET]
    assert [(r[0].value, r[3].value) for r in sheet.iter_rows(min_row=3)] == [
        ("CT1", world.unit_a.pk),
        ("CT2", world.unit_a.pk),
    ]


def test_formula_leading_texts_are_neutralised_on_export(world, pledge):
    Indicator.objects.filter(code="CT1").update(
        code="-CT1", title='=HYPERLINK("http://evil.example","x")'
    )
    Indicator.objects.filter(code="CT2").update(unit_of_measure="@SUM(1)")
    Unit.objects.filter(pk=world.unit_a.pk).update(name="+cmd|' /C calc'!A0")
    data = _template(pledge)
    sheet = openpyxl.load_workbook(BytesIO(data))[SHEET]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert sheet["A3"].value == "'-CT1"
    assert sheet["B3"].value == '\'=HYPERLINK("http://evil.example","x")'
    assert sheet["C6"].value == "'@SUM(1)"
    assert sheet["E3"].value == "'+cmd|' /C calc'!A0"
    result = read_targets(pledge, data, members_of(pledge))
    assert (result.errors, result.changes, len(result.rows)) == ([], [], 6)


# Round trip, dry run and idempotent apply ------------------------------------


def test_exported_file_imports_with_no_change(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin, Decimal("1234.5"))
    ct2 = pledge.indicators.get(code="CT2")
    services.targets_apply(
        pledge=pledge,
        rows=[(ct2, world.unit_deputy, Decimal("0.1234"), Decimal("98765432.1"))],
        actor=admin,
    )
    result = read_targets(pledge, _template(pledge), members_of(pledge))
    assert result.errors == []
    assert result.changes == []
    assert len(result.rows) == 6
    assert result.rows[-1][2:] == (Decimal("0.1234"), Decimal("98765432.1"))


def test_empty_template_imports_with_no_change(world, pledge):
    result = read_targets(pledge, _template(pledge), members_of(pledge))
    assert (result.errors, result.changes) == ([], [])
    assert result.changed_rows == []


def test_preview_lists_exactly_the_edited_cell_and_writes_nothing(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    before = _state()

    def edit(sheet):
        sheet.cell(CT1_CHAIR, 6).value = 250.5

    result = read_targets(pledge, _edit(_template(pledge), edit), members_of(pledge))
    assert result.errors == []
    assert result.changes == [
        Change(
            pledge.indicators.get(code="CT1"),
            world.unit_chair,
            Decimal(100),
            Decimal("250.5"),
            None,
            None,
        )
    ]
    assert _state() == before


def test_apply_writes_the_change_and_a_second_apply_changes_nothing(world, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)

    def edit(sheet):
        sheet.cell(CT2_DEPUTY, 6).value = 7
        sheet.cell(CT2_DEPUTY, 7).value = 6.25

    data = _edit(_template(pledge), edit)
    members = members_of(pledge)
    result = read_targets(pledge, data, members)
    assert services.targets_apply(pledge=pledge, rows=result.changed_rows, actor=admin)
    target = Target.objects.get(indicator__code="CT2", unit=world.unit_deputy)
    assert (target.planned, target.last_actual) == (Decimal(7), Decimal("6.25"))
    after = _state()
    again = read_targets(pledge, data, members)
    assert (again.errors, again.changes) == ([], [])
    assert (
        services.targets_apply(pledge=pledge, rows=again.changed_rows, actor=admin) == 0
    )
    assert _state() == after


def test_values_are_rounded_to_what_the_database_keeps(world, pledge):
    admin = world.users["admin"]

    def edit(sheet):
        sheet.cell(CT1_A, 6).value = 0.1 + 0.2
        sheet.cell(CT1_A, 7).value = 1.23456

    data = _edit(_template(pledge), edit)
    result = read_targets(pledge, data, members_of(pledge))
    assert result.rows[0][2:] == (Decimal("0.3000"), Decimal("1.2346"))
    services.targets_apply(pledge=pledge, rows=result.changed_rows, actor=admin)
    assert read_targets(pledge, data, members_of(pledge)).changes == []


# Bad input ---------------------------------------------------------------------


def _set(coordinate, value):
    def edit(sheet):
        sheet[coordinate].value = value

    return edit


def _rename(sheet):
    sheet.title = "Sheet1"


def _duplicate(sheet):
    for column in range(1, 8):
        sheet.cell(LAST_ROW + 1, column).value = sheet.cell(CT1_A, column).value


def _note_below(sheet):
    sheet["B12"] = "Tổng cộng"
    sheet["F12"] = 500


def _with_chair_unit(world):
    return _set("D3", world.unit_chair.pk)


BAD_CELLS = [
    ("A3", "CT9", CellError(3, "A", "Unknown indicator code “CT9”.")),
    (
        "D3",
        999999,
        CellError(3, "D", "Unknown unit code “999999”; use the codes of the template."),
    ),
    ("D3", None, CellError(3, "D", "Enter the unit code.")),
    ("F3", "nhiều", CellError(3, "F", "Enter a number, not “nhiều”.")),
    ("G3", "1,234.5", CellError(3, "G", "Enter a number, not “1,234.5”.")),
    ("F3", True, CellError(3, "F", "Enter a number, not “True”.")),
    (
        "F3",
        datetime.datetime(2024, 1, 1),  # noqa: DTZ001  (a date typed in Excel)
        CellError(3, "F", "Enter a number, not “2024-01-01 00:00:00”."),
    ),
    ("F3", -5, CellError(3, "F", "Targets cannot be negative.")),
    ("F3", 1e15, CellError(3, "F", "The number is too large.")),
    (
        "F3",
        "=1+1",
        CellError(3, "F", "Formulas are not accepted; type the value itself."),
    ),
    (
        "A4",
        "=A3",
        CellError(4, "A", "Formulas are not accepted; type the value itself."),
    ),
    ("H5", "ghi chú", CellError(5, "H", "This cell is outside the table; clear it.")),
    (
        "F2",
        "Kế hoạch 2025",
        CellError(2, "F", "The heading here must be “Kế hoạch”, as in the template."),
    ),
]


@pytest.mark.parametrize(("cell", "value", "expected"), BAD_CELLS)
def test_bad_cell_is_reported_by_row_and_column(world, pledge, cell, value, expected):
    data = _edit(_template(pledge), _set(cell, value))
    result = read_targets(pledge, data, members_of(pledge))
    assert result.errors == [expected]
    assert (result.rows, result.changes) == ([], [])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _duplicate,
            CellError(LAST_ROW + 1, "A", "CT1 of Huyện A is already in row 3."),
        ),
        (
            _note_below,
            CellError(
                12,
                "B",
                "This row is outside the table: it has no indicator code and no "
                "unit code.",
            ),
        ),
        (
            _rename,
            CellError(
                None,
                None,
                "The workbook has no sheet “Chỉ tiêu”; its sheets are: Sheet1.",
            ),
        ),
    ],
)
def test_bad_rows_and_sheets_are_reported(world, pledge, edit, expected):
    result = read_targets(pledge, _edit(_template(pledge), edit), members_of(pledge))
    assert result.errors == [expected]
    assert result.rows == []


def test_officer_may_not_import_another_units_row(world, pledge):
    data = _edit(targets_workbook(pledge, [world.unit_a]), _with_chair_unit(world))
    result = read_targets(pledge, data, [world.unit_a])
    assert result.errors == [
        CellError(3, "D", "You may not set the targets of Huyện Chủ trì.")
    ]


def test_unit_of_another_cluster_is_unknown(world, pledge):
    data = _edit(_template(pledge), _set("D3", world.unit_other.pk))
    result = read_targets(pledge, data, members_of(pledge))
    assert result.errors == [
        CellError(
            3,
            "D",
            f"Unknown unit code “{world.unit_other.pk}”; use the codes of the "
            "template.",
        )
    ]


def test_one_bad_cell_keeps_the_good_rows_out_too(world, pledge):
    def edit(sheet):
        sheet.cell(CT1_A, 6).value = 10
        sheet.cell(CT2_DEPUTY, 6).value = "mười"

    result = read_targets(pledge, _edit(_template(pledge), edit), members_of(pledge))
    assert [(e.row, e.column) for e in result.errors] == [(CT2_DEPUTY, "F")]
    assert (result.rows, result.changes) == ([], [])


def test_many_problems_are_capped(world, pledge):
    def edit(sheet):
        for row in range(3, 200):
            sheet.cell(row, 1).value = f"X{row}"
            sheet.cell(row, 4).value = "?"

    result = read_targets(pledge, _edit(_template(pledge), edit), members_of(pledge))
    assert len(result.errors) == 101
    assert result.errors[-1] == CellError(
        None, None, "Only the first 100 problems are listed."
    )


def _zip_bomb():
    return _zip({"xl/worksheets/sheet1.xml": b"0" * (51 * 1024 * 1024)})


def _dense_zip():
    return _zip({"xl/worksheets/sheet1.xml": b"<row/>" * (1024 * 1024)})


def _big_part():
    return _zip({"xl/sharedStrings.xml": os.urandom(3 * 512 * 1024).hex().encode()})


def _many_parts():
    return _zip({f"xl/media/{n}.txt": b"" for n in range(1001)})


DAMAGED = "The file is damaged or is not an Excel workbook (.xlsx)."
BAD_FILES = [
    (
        b"%PDF-1.7\n",
        "This is not an Excel workbook (.xlsx); fill in the template.",
    ),
    (
        "Mã chỉ tiêu;Mã đơn vị\nCT1;1\n".encode(),
        "This is not an Excel workbook (.xlsx); fill in the template.",
    ),
    (b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024), "The file is larger than 5 MB."),
    (b"PK\x03\x04not really a zip", DAMAGED),
    (_zip({"readme.txt": b"hello"}), DAMAGED),
    (_zip({"[Content_Types].xml": b"<not-closed"}), DAMAGED),
]
BOMB = (
    "The file unpacks to far more data than a targets template holds; it was refused."
)


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_file_is_refused_with_a_message(world, pledge, data, message):
    result = read_targets(pledge, data, members_of(pledge))
    assert result.errors == [CellError(None, None, message)]
    assert result.rows == []


@pytest.mark.parametrize("make", [_zip_bomb, _dense_zip, _big_part, _many_parts])
def test_zip_bomb_is_refused_before_it_is_opened(world, pledge, make, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    result = read_targets(pledge, make(), members_of(pledge))
    assert result.errors == [CellError(None, None, BOMB)]


# Views ---------------------------------------------------------------------------


def _english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def _post(client, pledge, data, mode, name="chi-tieu-2024.xlsx"):
    upload = BytesIO(data)
    upload.name = name
    return client.post(
        reverse("targets_import", args=[pledge.term_id]),
        {"file": upload, "mode": mode},
    )


def test_download_gives_the_prefilled_template(world, login, pledge):
    set_all_targets(pledge, world.users["admin"])
    client = login(world.users["admin"])
    response = client.get(reverse("targets_xlsx", args=[pledge.term_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="chi-tieu-2024.xlsx"'
    )
    sheet = openpyxl.load_workbook(BytesIO(response.content))[SHEET]
    assert sheet.max_row == LAST_ROW
    assert sheet.cell(CT1_A, 6).value == 100


def test_officer_downloads_only_its_rows(world, login, pledge):
    client = login(world.users["officer"])
    response = client.get(reverse("targets_xlsx", args=[pledge.term_id]))
    sheet = openpyxl.load_workbook(BytesIO(response.content))[SHEET]
    assert {row[3] for row in sheet.iter_rows(min_row=3, values_only=True)} == {
        world.unit_a.pk
    }


def test_staff_cannot_download_or_import(world, login, pledge):
    client = login(world.users["staff"])
    assert client.get(reverse("targets_xlsx", args=[pledge.term_id])).status_code == 403
    before = _state()
    response = _post(client, pledge, _template(pledge), "apply")
    assert response.status_code == 403
    assert _state() == before


def test_download_query_count_is_stable(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)

    def grow():
        for _n in range(10):
            MembershipFactory(
                term=world.term, unit=UnitFactory(authority=world.authority)
            )
        set_all_targets(pledge, admin, Decimal(5))

    client = login(admin)
    assert_queries_stable(client, reverse("targets_xlsx", args=[pledge.term_id]), grow)


def test_upload_preview_then_apply_then_apply_again(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    client = _english(login(admin))
    template = client.get(reverse("targets_xlsx", args=[pledge.term_id])).content
    data = _edit(template, _set("F4", 321))
    before = _state()

    page = _post(client, pledge, data, "preview")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Applying the file changes 1 target:" in html
    assert "Huyện Chủ trì" in html
    assert "321" in html
    assert _state() == before

    response = _post(client, pledge, data, "apply")
    assert response.status_code == 302
    assert response["Location"] == reverse("targets_grid", args=[pledge.term_id])
    target = Target.objects.get(indicator__code="CT1", unit=world.unit_chair)
    assert target.planned == 321
    assert target.history.first().history_user == admin
    grid = client.get(response["Location"]).content.decode()
    assert "1 target was updated." in grid

    after = _state()
    response = _post(client, pledge, data, "apply")
    assert response.status_code == 302
    assert (
        "0 targets were updated." in client.get(response["Location"]).content.decode()
    )
    assert _state() == after


def test_officer_imports_its_own_rows(world, login, pledge):
    client = _english(login(world.users["officer"]))
    template = client.get(reverse("targets_xlsx", args=[pledge.term_id])).content
    response = _post(client, pledge, _edit(template, _set("F3", 12)), "apply")
    assert response.status_code == 302
    assert Target.objects.get(indicator__code="CT1", unit=world.unit_a).planned == 12


BAD_UPLOADS = [
    ("unknown indicator", _set("A3", "CT9"), "Unknown indicator code “CT9”."),
    ("text", _set("F3", "nhiều"), "Enter a number, not “nhiều”."),
    ("negative", _set("G4", -1), "Targets cannot be negative."),
    ("formula", _set("F5", "=2*3"), "Formulas are not accepted"),
    ("duplicate", _duplicate, "CT1 of Huyện A is already in row 3."),
    ("extra row", _note_below, "This row is outside the table"),
    ("wrong sheet", _rename, "The workbook has no sheet"),
]


@pytest.mark.parametrize(
    ("edit", "message"),
    [pytest.param(e, m, id=name) for name, e, m in BAD_UPLOADS],
)
def test_bad_upload_applies_nothing(world, login, pledge, edit, message):
    set_all_targets(pledge, world.users["admin"])
    client = _english(login(world.users["admin"]))

    def with_a_good_change(sheet):
        sheet.cell(CT2_DEPUTY, 6).value = 55
        edit(sheet)

    data = _edit(_template(pledge), with_a_good_change)
    before = _state()
    response = _post(client, pledge, data, "apply")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7\n", "chi-tieu.xlsx", "This is not an Excel workbook"),
        (b"a;b\n", "chi-tieu.csv", "Choose an Excel workbook (.xlsx)"),
        (_zip_bomb, "bomb.xlsx", "far more data than a targets template holds"),
    ],
)
def test_bad_file_upload_is_refused_next_to_the_field(
    world, login, pledge, data, name, message
):
    client = _english(login(world.users["admin"]))
    before = _state()
    data = data() if callable(data) else data
    response = _post(client, pledge, data, "apply", name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_signed_pledge_imports_nothing(world, login, pledge):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    services.pledge_open_signing(pledge=pledge, actor=admin)
    client = _english(login(admin))
    data = _edit(_template(pledge), _set("F3", 1))
    before = _state()
    response = _post(client, pledge, data, "apply")
    assert response.status_code == 200
    assert "The pledge is not a draft; nothing was imported." in (
        response.content.decode()
    )
    assert _state() == before


def test_import_page_shows_the_form(world, login, pledge):
    client = login(world.users["chair_officer"])
    html = client.get(reverse("targets_import", args=[pledge.term_id])).content.decode()
    assert 'accept=".xlsx"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="mode" value="apply"' in html


def test_import_form_survives_hostile_input(world, login, pledge):
    client = login(world.users["admin"])
    fuzz_form(
        client,
        reverse("targets_import", args=[pledge.term_id]),
        fields=["file", "mode"],
    )
    assert Target.objects.count() == 0


@pytest.mark.parametrize("seed", ["random", "mutated"])
def test_damaged_files_never_raise(world, pledge, seed):
    """Hostile input in the upload itself: random bytes, and the template with bytes
    overwritten here and there, always end in a report, never an exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    template = _template(pledge)
    members = members_of(pledge)
    if seed == "random":
        files = st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b)
    else:
        files = st.lists(
            st.tuples(st.integers(4, len(template) - 1), st.binary(min_size=1)),
            min_size=1,
            max_size=5,
        ).map(lambda edits: _overwrite(template, edits))

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(files)
    def run(data):
        result = read_targets(pledge, data, members)
        assert result.errors or len(result.rows) == 6

    run()


def _overwrite(data, edits):
    data = bytearray(data)
    for position, chunk in edits:
        data[position : position + len(chunk)] = chunk
    return bytes(data)


def test_apply_after_preview_uses_the_kept_file(world, login, pledge):
    """“Apply” after “Preview” needs no second upload, and a
    text number typed the Vietnamese way is read."""
    import re

    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    client = _english(login(admin))
    template = client.get(reverse("targets_xlsx", args=[pledge.term_id])).content
    page = _post(client, pledge, _edit(template, _set("F4", "1.234,5")), "preview")
    html = page.content.decode()
    token = re.search(r'name="preview_token" value="([^"]+)"', html).group(1)
    assert "chi-tieu-2024.xlsx" in html
    response = client.post(
        reverse("targets_import", args=[pledge.term_id]),
        {"preview_token": token, "mode": "apply"},
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator__code="CT1", unit=world.unit_chair)
    assert target.planned == Decimal("1234.5")
