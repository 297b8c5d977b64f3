"""The Excel round trip of the members' results: a pre-filled workbook (one
unit's rows for its officer, every member's for the reviewers) and a reader
that checks an uploaded copy cell by cell without writing anything.

The layout is defined here; the safety checks, cell reading and parsing are
shared with the targets in `pledges.xlsx`. Plan and last year's actual are
shown for reference and never read back."""

from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import PatternFill, Protection

from . import xlsx
from .models import Indicator, IndicatorResult, Report, ReportState, Target
from .selectors import members_of
from .xlsx import DATE_FORMAT, NUMBER_FORMAT, ImportResult

SHEET = "Kết quả"
HEADINGS = (
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Mã đơn vị",
    "Đơn vị",
    "Kế hoạch",
    "Thực hiện năm trước",
    "Thực hiện",
    "Ghi chú",
)
WIDTHS = (14, 50, 14, 12, 30, 18, 22, 18, 40)
INDICATOR, UNIT, PLANNED, LAST, ACTUAL, NOTE = 1, 4, 6, 7, 8, 9  # 1-based
NOTE_LENGTH = IndicatorResult._meta.get_field("note").max_length
EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)
TO_FILL = PatternFill("solid", fgColor="FFF2CC")


class CellError(xlsx.CellError):
    __slots__ = ()
    headings = HEADINGS


class Change(NamedTuple):
    indicator: Indicator
    unit: object
    old_actual: Decimal | None
    new_actual: Decimal | None
    old_note: str
    new_note: str

    @property
    def shown(self):
        """The actual now and in the file, without trailing zeros."""
        return (xlsx.shown(self.old_actual), xlsx.shown(self.new_actual))

    @property
    def applied(self):
        """The row as `services.results_apply` takes it."""
        return (self.indicator, self.unit, self.new_actual, self.new_note)


def _saved_results(term, unit_ids=None):
    """{(indicator id, unit id): (actual, note)} of the term's results (1 query)."""
    results = IndicatorResult.objects.filter(report__term=term)
    if unit_ids is not None:
        results = results.filter(report__unit_id__in=unit_ids)
    return {
        (indicator_id, unit_id): (actual, note)
        for indicator_id, unit_id, actual, note in results.values_list(
            "indicator_id", "report__unit_id", "actual", "note"
        )
    }


# Export ----------------------------------------------------------------------


def results_workbook(term, units):
    """The results workbook of `term` as .xlsx bytes: one row per indicator and
    unit of `units` with the plan and last year's actual for reference and the
    saved actual and note to fill in (3 queries). The sheet is protected
    without a password so that only those two columns take typing."""
    pledge = term.pledge
    unit_ids = [u.pk for u in units]
    targets = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge, unit_id__in=unit_ids)
    }
    saved = _saved_results(term, unit_ids)
    workbook, sheet = xlsx.new_sheet(
        SHEET, f"{pledge.title} – Kết quả thực hiện {term.period_phrase}", HEADINGS
    )
    sheet.cell(1, LAST).value = "Ngày xuất"
    exported = sheet.cell(1, ACTUAL)
    exported.value = timezone.localdate()
    exported.number_format = DATE_FORMAT
    text = xlsx.text
    subfield = None
    for indicator in xlsx.indicators_in_order(pledge):
        subfield = xlsx.subfield_heading(sheet, indicator, subfield)
        for unit in units:
            target = targets.get((indicator.pk, unit.pk))
            actual, note = saved.get((indicator.pk, unit.pk), (None, ""))
            sheet.append(
                [
                    text(indicator.code),
                    text(indicator.title),
                    text(indicator.unit_of_measure),
                    unit.pk,
                    text(unit.name),
                    target.planned if target else None,
                    target.last_actual if target else None,
                    actual,
                    text(note) if note else None,
                ]
            )
            row = sheet.max_row
            for column in (PLANNED, LAST, ACTUAL):
                sheet.cell(row, column).number_format = NUMBER_FORMAT
            for column in (ACTUAL, NOTE):
                cell = sheet.cell(row, column)
                cell.protection = Protection(locked=False)
                cell.fill = TO_FILL
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering and sorting stay allowed
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    return xlsx.workbook_bytes(workbook, sheet, WIDTHS)


# Import ----------------------------------------------------------------------


def read_results(term, data, allowed_units):
    """Check an uploaded results workbook against `term` without writing.

    Every problem becomes a `CellError` naming its row and column; a file that
    is not a safe .xlsx (wrong type, over 5 MB, a zip bomb) is refused before it
    is opened, and formulas are refused, never evaluated. Only units of
    `allowed_units` may appear, and a row may not change the result of a report
    that is submitted or accepted (unchanged rows of it are fine, so a reviewer's
    whole-term file still imports). 4 queries."""
    result = ImportResult()
    table = xlsx.Table(
        data,
        sheet=SHEET,
        headings=HEADINGS,
        too_big=_(
            "The file unpacks to far more data than a results template holds; "
            "it was refused."
        ),
        cell_error=CellError,
    )
    if not table.readable:
        result.errors = table.final_errors()
        return result
    pledge = term.pledge
    indicators = {i.code: i for i in xlsx.indicators_in_order(pledge)}
    members = {u.pk: u for u in members_of(pledge)}
    allowed = {u.pk for u in allowed_units}
    locked = dict(
        Report.objects.filter(term=term)
        .exclude(state__in=EDITABLE_STATES)
        .values_list("unit_id", "state")
    )
    saved = _saved_results(term)
    negative = _("Results cannot be negative.")
    not_allowed = _("You may not enter the results of %(unit)s.")
    seen = {}
    for number, row, row_ok in table.rows(keys=(INDICATOR, UNIT)):
        indicator = table.indicator(number, row, INDICATOR, indicators)
        unit = table.unit(number, row, UNIT, members, allowed, not_allowed)
        actual, actual_ok = table.decimal(number, row, ACTUAL, negative)
        note = xlsx.free_text(row.get(NOTE, (None, None))[1])
        note_ok = len(note) <= NOTE_LENGTH
        if not note_ok:
            table.add(
                number,
                NOTE,
                _("The note is longer than %(count)s characters.")
                % {"count": NOTE_LENGTH},
            )
        if indicator is None or unit is None:
            continue
        key = (indicator.pk, unit.pk)
        first = seen.setdefault(key, number)
        if first != number:
            table.add(
                number,
                INDICATOR,
                _("%(code)s of %(unit)s is already in row %(row)s.")
                % {"code": indicator.code, "unit": unit.name, "row": first},
            )
            continue
        if not (row_ok and actual_ok and note_ok):
            continue
        old_actual, old_note = saved.get(key, (None, ""))
        if (old_actual, old_note) != (actual, note):
            if unit.pk in locked:
                table.add(
                    number,
                    ACTUAL if old_actual != actual else NOTE,
                    _(
                        "The report of %(unit)s is %(state)s; it can no longer be "
                        "changed."
                    )
                    % {"unit": unit.name, "state": ReportState(locked[unit.pk]).label},
                )
                continue
            result.changes.append(
                Change(indicator, unit, old_actual, actual, old_note, note)
            )
        result.rows.append((indicator, unit, actual, note))
    if table.errors:
        result.errors, result.rows, result.changes = table.final_errors(), [], []
    return result
