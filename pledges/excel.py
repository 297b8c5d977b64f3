"""The Excel round trip of a pledge's targets: a pre-filled template to download
and a reader that checks an uploaded copy cell by cell without writing anything.

The sheet name and headings are part of the file format, so they stay in
Vietnamese whatever the interface language; messages are translated."""

import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import NamedTuple

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .models import LARGEST_VALUE, Indicator, Target
from .selectors import members_of

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Chỉ tiêu"
HEADINGS = (
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Mã đơn vị",
    "Đơn vị",
    "Kế hoạch",
    "Thực hiện năm trước",
)
WIDTHS = (14, 50, 14, 12, 30, 18, 22)
INDICATOR, UNIT, PLANNED, LAST = 1, 4, 6, 7  # 1-based columns read on import
HEADER_ROW = 2
NUMBER_FORMAT = "#,##0.####"

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# openpyxl parses a few MB a second; a template is far smaller than these caps,
# which bound the time a hostile file can take (all sheets together, and each
# other part).
MAX_SHEET_BYTES = 8 * 1024 * 1024
MAX_PART_BYTES = 2 * 1024 * 1024
MAX_PARTS = 1000
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # a small part compresses as it likes
MAX_ROWS = 10_000
MAX_COLUMNS = 50  # cells in H…AX are reported as outside the table
MAX_ERRORS = 100
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
STEP = Decimal("0.0001")


class CellError(NamedTuple):
    """A problem of the upload; `row` and `column` (a letter) are None when it
    concerns the whole file."""

    row: int | None
    column: str | None
    message: str

    @property
    def heading(self):
        index = _column_index(self.column)
        return HEADINGS[index - 1] if index and index <= len(HEADINGS) else ""


class Change(NamedTuple):
    indicator: Indicator
    unit: object
    old_planned: Decimal | None
    new_planned: Decimal | None
    old_last: Decimal | None
    new_last: Decimal | None

    @property
    def shown(self):
        """Planned now, in the file, last year's actual now, in the file: without
        trailing zeros, for display."""
        return tuple(
            None if v is None else v.normalize() if v % 1 else int(v) for v in self[2:]
        )


@dataclass
class ImportResult:
    """`rows` as `services.targets_apply` takes them, `changes` only where the
    file differs from the database; both are empty when there are `errors`."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    @property
    def changed_rows(self):
        return [(c.indicator, c.unit, c.new_planned, c.new_last) for c in self.changes]


def _column_index(letter):
    index = 0
    for char in letter or "":
        index = index * 26 + ord(char) - ord("A") + 1
    return index


# Export ----------------------------------------------------------------------


def _text(value):
    """A cell text that Excel will never run as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _indicators(pledge):
    return list(
        Indicator.objects.filter(pledge=pledge).order_by(
            "criterion__section__position",
            "criterion__position",
            "position",
            "id",
        )
    )


def targets_workbook(pledge, units):
    """The targets template of `pledge` as .xlsx bytes: one row per indicator and
    unit of `units`, pre-filled with the current values (2 queries)."""
    targets = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge)
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([_text(pledge.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADINGS))
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for indicator in _indicators(pledge):
        for unit in units:
            target = targets.get((indicator.pk, unit.pk))
            sheet.append(
                [
                    _text(indicator.code),
                    _text(indicator.title),
                    _text(indicator.unit_of_measure),
                    unit.pk,
                    _text(unit.name),
                    target.planned if target else None,
                    target.last_actual if target else None,
                ]
            )
            row = sheet.max_row
            for column in (PLANNED, LAST):
                sheet.cell(row, column).number_format = NUMBER_FORMAT
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last_column = get_column_letter(len(HEADINGS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{sheet.max_row}"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# Import ----------------------------------------------------------------------


class _Unreadable(Exception):
    pass


def _archive_problem(data):
    """Why `data` cannot be opened safely as an .xlsx file, or None."""
    if len(data) > MAX_UPLOAD_BYTES:
        return _("The file is larger than %(size)s MB.") % {
            "size": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    if not data.startswith(b"PK\x03\x04"):
        return _("This is not an Excel workbook (.xlsx); fill in the template.")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception:  # zipfile raises many kinds of error on a damaged archive
        return _("The file is damaged or is not an Excel workbook (.xlsx).")
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    too_dense = any(
        e.file_size >= RATIO_CHECKED_FROM
        and e.file_size > MAX_RATIO * max(e.compress_size, 1)
        for e in entries
    )
    sheets = others = 0
    for entry in entries:
        if entry.filename.startswith("xl/worksheets/"):
            sheets += entry.file_size
        else:
            others = max(others, entry.file_size)
    too_big = (
        len(entries) > MAX_PARTS or sheets > MAX_SHEET_BYTES or others > MAX_PART_BYTES
    )
    if (
        unpacked > MAX_UNPACKED_BYTES
        or too_dense
        or too_big
        or (unpacked >= RATIO_CHECKED_FROM and unpacked > MAX_RATIO * max(packed, 1))
    ):
        return _(
            "The file unpacks to far more data than a targets template holds; "
            "it was refused."
        )
    return None


def _same(a, b):
    return unicodedata.normalize("NFC", a).strip().casefold() == (
        unicodedata.normalize("NFC", b).strip().casefold()
    )


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet_cells(data):
    """{row number: {column: (data type, value)}} of the non-empty cells of the
    targets sheet, read without evaluating anything."""
    try:
        workbook = openpyxl.load_workbook(
            BytesIO(data), read_only=True, data_only=False
        )
    except Exception as error:  # any malformed part of the archive
        raise _Unreadable(
            _("The file is damaged or is not an Excel workbook (.xlsx).")
        ) from error
    try:
        names = workbook.sheetnames
        name = next((n for n in names if _same(n, SHEET)), None)
        if name is None:
            raise _Unreadable(
                _("The workbook has no sheet “%(sheet)s”; its sheets are: %(names)s.")
                % {"sheet": SHEET, "names": ", ".join(names[:10])}
            )
        sheet = workbook[name]
        sheet.reset_dimensions()  # never trust the size the file declares
        rows, too_long = {}, False
        try:
            cells = sheet.iter_rows(max_col=MAX_COLUMNS)
            for number, row in enumerate(cells, start=1):
                found = {
                    cell.column: (cell.data_type, cell.value)
                    for cell in row
                    if not _blank(cell.value)
                }
                if number > MAX_ROWS:
                    too_long = bool(found)
                    break
                if found:
                    rows[number] = found
        except Exception as error:  # a malformed sheet
            raise _Unreadable(
                _("The file is damaged or is not an Excel workbook (.xlsx).")
            ) from error
    finally:
        workbook.close()
    if too_long:
        raise _Unreadable(
            _(
                "The sheet has more than %(count)s rows; delete the rows below "
                "the table."
            )
            % {"count": MAX_ROWS}
        )
    return rows


def _code(value):
    """A code as text, whether the cell holds text or a number."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_LEADS):
        text = text[1:]  # neutralised on export
    return unicodedata.normalize("NFC", text)


def _unit_id(value):
    code = _code(value)
    return int(code) if code.isascii() and code.isdigit() else None


def _number(value):
    """(Decimal or None, error message or None) of a value cell."""
    if _blank(value):
        return None, None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if not number.is_finite() or abs(number) >= LARGEST_VALUE:
            return None, _("The number is too large.")
        if number < 0:
            return None, _("Targets cannot be negative.")
        return number.quantize(STEP, rounding=ROUND_HALF_UP), None
    shown = str(value).strip()
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return None, _("Enter a number, not “%(value)s”.") % {"value": shown}


def _is_formula(data_type, value):
    return data_type == "f" or (isinstance(value, str) and value.startswith("="))


class _Report:
    def __init__(self):
        self.errors = []

    def add(self, row, column, message):
        self.errors.append(CellError(row, get_column_letter(column), message))

    @property
    def full(self):
        return len(self.errors) >= MAX_ERRORS


def read_targets(pledge, data, allowed_units):
    """Check an uploaded targets workbook against `pledge` without writing.

    Every problem becomes a `CellError` naming its row and column; a file that
    is not a safe .xlsx (wrong type, over 5 MB, a zip bomb) is refused before it
    is opened, and formulas are refused, never evaluated. Only units of
    `allowed_units` may appear (3 queries)."""
    result = ImportResult()
    problem = _archive_problem(data)
    if problem:
        result.errors.append(CellError(None, None, problem))
        return result
    try:
        cells = _sheet_cells(data)
    except _Unreadable as error:
        result.errors.append(CellError(None, None, str(error)))
        return result
    report = _Report()
    header = cells.get(HEADER_ROW, {})
    for column, heading in enumerate(HEADINGS, start=1):
        value = header.get(column, (None, None))[1]
        if not isinstance(value, str) or not _same(value, heading):
            report.add(
                HEADER_ROW,
                column,
                _("The heading here must be “%(heading)s”, as in the template.")
                % {"heading": heading},
            )
    if report.errors:
        result.errors = report.errors
        return result

    for column in sorted(c for c in header if c > len(HEADINGS)):
        report.add(HEADER_ROW, column, _("This cell is outside the table; clear it."))

    indicators = {i.code: i for i in _indicators(pledge)}
    members = {u.pk: u for u in members_of(pledge)}
    allowed = {u.pk for u in allowed_units}
    seen = {}
    for number in sorted(n for n in cells if n > HEADER_ROW):  # row 1 is the title
        if report.full:
            break
        row = cells[number]
        row_ok = _check_row(report, number, row)
        if row.get(INDICATOR) is None and row.get(UNIT) is None:
            if row_ok:
                report.add(
                    number,
                    min(row),
                    _(
                        "This row is outside the table: it has no indicator code "
                        "and no unit code."
                    ),
                )
            continue
        indicator = _row_indicator(report, number, row, indicators)
        unit = _row_unit(report, number, row, members, allowed)
        values = []
        for column in (PLANNED, LAST):
            data_type, value = row.get(column, (None, None))
            if _is_formula(data_type, value):
                values.append(None)
                continue
            number_value, message = _number(value)
            if message:
                report.add(number, column, message)
                row_ok = False
            values.append(number_value)
        if indicator is None or unit is None:
            continue
        first = seen.setdefault((indicator.pk, unit.pk), number)
        if first != number:
            report.add(
                number,
                INDICATOR,
                _("%(code)s of %(unit)s is already in row %(row)s.")
                % {"code": indicator.code, "unit": unit.name, "row": first},
            )
        elif row_ok:
            result.rows.append((indicator, unit, *values))
    if report.full:
        del report.errors[MAX_ERRORS:]
        report.errors.append(
            CellError(
                None,
                None,
                _("Only the first %(count)s problems are listed.")
                % {"count": MAX_ERRORS},
            )
        )
    if report.errors:
        result.errors, result.rows = report.errors, []
        return result
    existing = {
        (t.indicator_id, t.unit_id): (t.planned, t.last_actual)
        for t in Target.objects.filter(indicator__pledge=pledge)
    }
    for indicator, unit, planned, last_actual in result.rows:
        old = existing.get((indicator.pk, unit.pk), (None, None))
        if old != (planned, last_actual):
            result.changes.append(
                Change(indicator, unit, old[0], planned, old[1], last_actual)
            )
    return result


def _check_row(report, number, row):
    """Report formulas and cells right of the table; False if there were any."""
    ok = True
    for column, (data_type, value) in sorted(row.items()):
        if column > len(HEADINGS):
            report.add(
                number,
                column,
                _("This cell is outside the table; clear it."),
            )
            ok = False
        elif _is_formula(data_type, value):
            report.add(
                number,
                column,
                _("Formulas are not accepted; type the value itself."),
            )
            ok = False
    return ok


def _row_indicator(report, number, row, indicators):
    data_type, value = row.get(INDICATOR, (None, None))
    if _is_formula(data_type, value):
        return None
    if value is None:
        report.add(number, INDICATOR, _("Enter the indicator code."))
        return None
    indicator = indicators.get(_code(value))
    if indicator is None:
        report.add(
            number,
            INDICATOR,
            _("Unknown indicator code “%(code)s”.") % {"code": _code(value)[:40]},
        )
    return indicator


def _row_unit(report, number, row, members, allowed):
    data_type, value = row.get(UNIT, (None, None))
    if _is_formula(data_type, value):
        return None
    if value is None:
        report.add(number, UNIT, _("Enter the unit code."))
        return None
    unit = members.get(_unit_id(value))
    if unit is None:
        report.add(
            number,
            UNIT,
            _("Unknown unit code “%(code)s”; use the codes of the template.")
            % {"code": _code(value)[:40]},
        )
        return None
    if unit.pk not in allowed:
        report.add(
            number,
            UNIT,
            _("You may not set the targets of %(unit)s.") % {"unit": unit.name},
        )
        return None
    return unit
