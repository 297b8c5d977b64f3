"""The shared core of the Excel round trips (targets, results): a pre-filled
sheet whose texts never run as formulas, uploads refused before they are opened
when they are not a safe .xlsx, cells read without evaluating anything, and
problems collected by row and column.

Sheet names and headings are part of each file format, so they stay in
Vietnamese whatever the interface language; messages are translated."""

import contextlib
import datetime
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

from core.formatting import parse_decimal, whole_number
from core.hygiene import strip_control

from .models import LARGEST_VALUE, Indicator

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 2  # row 1 holds the title and is never read
NUMBER_FORMAT = "#,##0.####"
DATE_FORMAT = "DD/MM/YYYY"

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
MAX_COLUMNS = 50  # cells up to AX are read, so that stray ones can be reported
MAX_ERRORS = 100
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
STEP = Decimal("0.0001")


class CellError(NamedTuple):
    """A problem of the upload; `row` and `column` (a letter) are None when it
    concerns the whole file. A layout's subclass sets `headings` to name the
    column."""

    row: int | None
    column: str | None
    message: str

    headings = ()

    @property
    def heading(self):
        index = column_index(self.column)
        return self.headings[index - 1] if index and index <= len(self.headings) else ""


@dataclass
class ImportResult:
    """`rows` as the layout's apply service takes them, `changes` only where the
    file differs from the database; both are empty when there are `errors`."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    @property
    def changed_rows(self):
        return [change.applied for change in self.changes]


def column_index(letter):
    index = 0
    for char in letter or "":
        index = index * 26 + ord(char) - ord("A") + 1
    return index


def shown(value):
    """A Decimal without trailing zeros (an int when whole), for display."""
    return None if value is None else value.normalize() if value % 1 else int(value)


def indicators_in_order(pledge):
    """The indicators of `pledge` in the order of the criteria tree, each with
    its criterion's sub-field (1 query)."""
    return list(
        Indicator.objects.filter(pledge=pledge)
        .select_related("criterion__subsection")
        .order_by(
            "criterion__section__position",
            "criterion__subsection__position",
            "criterion__position",
            "position",
            "id",
        )
    )


# A sub-field's heading row holds only this text and the sub-field, in the
# title column; the readers pass over such rows (`Table.rows`).
HEADING_COLUMN = 2
HEADING_LEAD = "Lĩnh vực "


def subfield_heading(sheet, indicator, current):
    """Write the heading row of `indicator`'s sub-field (code, title, maximum
    points) before the first of its indicators; returns the sub-field now
    under way (None outside sub-fields, where no row is written)."""
    subsection = indicator.criterion.subsection
    if subsection is not None and subsection != current:
        sheet.append(
            [
                None,
                text(
                    f"{HEADING_LEAD}{subsection.code}. {subsection.title} "
                    f"(tối đa {shown(subsection.max_points)} điểm)"
                ),
            ]
        )
        sheet.cell(sheet.max_row, HEADING_COLUMN).font = Font(bold=True)
    return subsection


def _is_heading(row):
    """Whether `row` is a sub-field heading row written by `subfield_heading`."""
    _type, value = row.get(HEADING_COLUMN, (None, None))
    return (
        set(row) == {HEADING_COLUMN}
        and isinstance(value, str)
        and value.startswith(HEADING_LEAD)
    )


# Export ----------------------------------------------------------------------


def text(value):
    """A cell text that Excel will never run as a formula (an apostrophe before a
    leading = + - @ tab or carriage return, which the import takes off again),
    without the control characters a workbook cannot hold."""
    value = ILLEGAL_CHARACTERS_RE.sub("", strip_control(str(value)))
    return "'" + value if value.startswith(FORMULA_LEADS) else value


def row(values):
    """`values` for `sheet.append`: every text through `text`, numbers, dates and
    None as they are."""
    return [text(value) if isinstance(value, str) else value for value in values]


def save(workbook):
    """The workbook as .xlsx bytes, every text cell of every sheet neutralised
    by `text` first (what a writer set without `row` or `text` included): this
    is how every workbook the application writes is saved."""
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.value = text(cell.value)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def new_sheet(name, title, headings):
    """A workbook whose only sheet `name` has `title` in row 1 and the styled
    `headings` in HEADER_ROW."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = name
    sheet.append([text(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(headings))
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return workbook, sheet


def workbook_bytes(workbook, sheet, widths):
    """The finished workbook as .xlsx bytes: one column width per heading, the
    header frozen and filterable."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last_column = get_column_letter(len(widths))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{sheet.max_row}"
    return save(workbook)


# Import ----------------------------------------------------------------------


class Unreadable(Exception):
    pass


def archive_problem(data, too_big):
    """Why `data` cannot be opened safely as an .xlsx file, or None. `too_big`
    is the layout's message for an archive that unpacks to far too much."""
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
    too_many = (
        len(entries) > MAX_PARTS or sheets > MAX_SHEET_BYTES or others > MAX_PART_BYTES
    )
    if (
        unpacked > MAX_UNPACKED_BYTES
        or too_dense
        or too_many
        or (unpacked >= RATIO_CHECKED_FROM and unpacked > MAX_RATIO * max(packed, 1))
    ):
        return too_big
    return None


def same(a, b):
    return unicodedata.normalize("NFC", a).strip().casefold() == (
        unicodedata.normalize("NFC", b).strip().casefold()
    )


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def sheet_cells(data, name):
    """{row number: {column: (data type, value)}} of the non-empty cells of the
    sheet `name`, read without evaluating anything; raises Unreadable."""
    try:
        workbook = openpyxl.load_workbook(
            BytesIO(data), read_only=True, data_only=False
        )
    except Exception as error:  # any malformed part of the archive
        raise Unreadable(
            _("The file is damaged or is not an Excel workbook (.xlsx).")
        ) from error
    try:
        names = workbook.sheetnames
        found_name = next((n for n in names if same(n, name)), None)
        if found_name is None:
            raise Unreadable(
                _("The workbook has no sheet “%(sheet)s”; its sheets are: %(names)s.")
                % {"sheet": name, "names": ", ".join(names[:10])}
            )
        sheet = workbook[found_name]
        sheet.reset_dimensions()  # never trust the size the file declares
        rows, too_long = {}, False
        try:
            cells = sheet.iter_rows(max_col=MAX_COLUMNS)
            for number, row in enumerate(cells, start=1):
                found = {
                    cell.column: (cell.data_type, cell.value)
                    for cell in row
                    if not blank(cell.value)
                }
                if number > MAX_ROWS:
                    too_long = bool(found)
                    break
                if found:
                    rows[number] = found
        except Exception as error:  # a malformed sheet
            raise Unreadable(
                _("The file is damaged or is not an Excel workbook (.xlsx).")
            ) from error
    finally:
        workbook.close()
    if too_long:
        raise Unreadable(
            _(
                "The sheet has more than %(count)s rows; delete the rows below "
                "the table."
            )
            % {"count": MAX_ROWS}
        )
    return rows


def code(value):
    """A code as text, whether the cell holds text or a number."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value).strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_LEADS):
        value = value[1:]  # neutralised on export
    return unicodedata.normalize("NFC", value)


def int_code(value):
    """A numeric code (a unit's id) as an int, or None."""
    value = code(value)
    return whole_number(value)


def free_text(value):
    """A free-text cell as text: "" when blank, a date as dd/mm/yyyy, a number
    as typed, neutralised text as it was before export."""
    if blank(value):
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return code(value)


def parse_number(value, negative):
    """(Decimal or None, error message or None) of a value cell; `negative` is
    the layout's message for a value below zero."""
    if blank(value):
        return None, None
    if isinstance(value, str):  # typed as text: “85,3”, “1.234,5” or “85.3”
        with contextlib.suppress(ValueError, ArithmeticError):
            value = parse_decimal(value.lstrip("'"), "vi")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if not value.is_finite() or abs(value) >= LARGEST_VALUE:
            return None, _("The number is too large.")
        if value < 0:
            return None, negative
        return value.quantize(STEP, rounding=ROUND_HALF_UP), None
    typed = str(value).strip()
    if len(typed) > 40:
        typed = typed[:40] + "…"
    return None, _("Enter a number, not “%(value)s”.") % {"value": typed}


def is_formula(data_type, value):
    return data_type == "f" or (isinstance(value, str) and value.startswith("="))


class Table:
    """An uploaded sheet `sheet` with `headings` in HEADER_ROW, checked as far
    as no layout knowledge is needed: a file that is not a safe .xlsx, a missing
    sheet and wrong headings are reported and leave no rows; formulas and cells
    right of the table are reported row by row. `errors` holds `cell_error`s;
    `readable` is False when there are no rows to read."""

    def __init__(self, data, *, sheet, headings, too_big, cell_error=CellError):
        self.headings = headings
        self.cell_error = cell_error
        self.errors = []
        self.cells = {}
        self.readable = False
        problem = archive_problem(data, too_big)
        if problem:
            self.errors.append(cell_error(None, None, problem))
            return
        try:
            self.cells = sheet_cells(data, sheet)
        except Unreadable as error:
            self.errors.append(cell_error(None, None, str(error)))
            return
        header = self.cells.get(HEADER_ROW, {})
        for column, heading in enumerate(headings, start=1):
            value = header.get(column, (None, None))[1]
            if not isinstance(value, str) or not same(value, heading):
                self.add(
                    HEADER_ROW,
                    column,
                    _("The heading here must be “%(heading)s”, as in the template.")
                    % {"heading": heading},
                )
        if self.errors:
            self.cells = {}
            return
        self.readable = True
        for column in sorted(c for c in header if c > len(headings)):
            self.add(HEADER_ROW, column, _("This cell is outside the table; clear it."))

    def add(self, row, column, message):
        self.errors.append(self.cell_error(row, get_column_letter(column), message))

    @property
    def full(self):
        return len(self.errors) >= MAX_ERRORS

    def rows(self, keys, outside=None):
        """(row number, {column: (type, value)}, no formula or stray cell) of
        every row below the header, until the problems are too many. A row with
        no value in the `keys` columns is reported as outside the table, with
        the layout's message `outside` when given."""
        for number in sorted(n for n in self.cells if n > HEADER_ROW):
            if self.full:
                break
            row = self.cells[number]
            row_ok = self._check_row(number, row)
            if all(row.get(key) is None for key in keys):
                if row_ok and not _is_heading(row):
                    self.add(
                        number,
                        min(row),
                        outside
                        or _(
                            "This row is outside the table: it has no indicator "
                            "code and no unit code."
                        ),
                    )
                continue
            yield number, row, row_ok

    def _check_row(self, number, row):
        ok = True
        for column, (data_type, value) in sorted(row.items()):
            if column > len(self.headings):
                self.add(number, column, _("This cell is outside the table; clear it."))
                ok = False
            elif is_formula(data_type, value):
                self.add(
                    number,
                    column,
                    _("Formulas are not accepted; type the value itself."),
                )
                ok = False
        return ok

    def indicator(self, number, row, column, indicators):
        """The indicator whose code is in `column` (from {code: indicator}), or
        None after reporting why."""
        data_type, value = row.get(column, (None, None))
        if is_formula(data_type, value):
            return None
        if value is None:
            self.add(number, column, _("Enter the indicator code."))
            return None
        indicator = indicators.get(code(value))
        if indicator is None:
            self.add(
                number,
                column,
                _("Unknown indicator code “%(code)s”.") % {"code": code(value)[:40]},
            )
        return indicator

    def unit(self, number, row, column, members, allowed, not_allowed):
        """The member unit whose id is in `column` (from {id: unit}) if its id
        is in `allowed`, or None after reporting why; `not_allowed` is the
        layout's message, with %(unit)s."""
        data_type, value = row.get(column, (None, None))
        if is_formula(data_type, value):
            return None
        if value is None:
            self.add(number, column, _("Enter the unit code."))
            return None
        unit = members.get(int_code(value))
        if unit is None:
            self.add(
                number,
                column,
                _("Unknown unit code “%(code)s”; use the codes of the template.")
                % {"code": code(value)[:40]},
            )
            return None
        if unit.pk not in allowed:
            self.add(number, column, not_allowed % {"unit": unit.name})
            return None
        return unit

    def decimal(self, number, row, column, negative):
        """(Decimal or None, ok) of the value cell `column`; a formula there is
        already reported, so it counts as ok here."""
        data_type, value = row.get(column, (None, None))
        if is_formula(data_type, value):
            return None, True
        parsed, message = parse_number(value, negative)
        if message:
            self.add(number, column, message)
            return None, False
        return parsed, True

    def final_errors(self):
        """The problems, at most MAX_ERRORS of them and a note when cut."""
        if not self.full:
            return self.errors
        return [
            *self.errors[:MAX_ERRORS],
            self.cell_error(
                None,
                None,
                _("Only the first %(count)s problems are listed.")
                % {"count": MAX_ERRORS},
            ),
        ]
