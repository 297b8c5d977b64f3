"""The Excel round trip of a pledge's targets: a pre-filled template to download
and a reader that checks an uploaded copy cell by cell without writing anything.

The layout (sheet, headings, columns) is defined here; the safety checks, cell
reading and parsing are shared with the results in `pledges.xlsx`."""

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from . import xlsx
from .models import Indicator, Target
from .selectors import members_of
from .xlsx import MAX_UPLOAD_BYTES, NUMBER_FORMAT, XLSX_TYPE, ImportResult

__all__ = [
    "HEADINGS",
    "MAX_UPLOAD_BYTES",
    "SHEET",
    "XLSX_TYPE",
    "CellError",
    "Change",
    "ImportResult",
    "read_targets",
    "targets_workbook",
]

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


class CellError(xlsx.CellError):
    __slots__ = ()
    headings = HEADINGS


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
        return tuple(xlsx.shown(v) for v in self[2:])

    @property
    def applied(self):
        """The row as `services.targets_apply` takes it."""
        return (self.indicator, self.unit, self.new_planned, self.new_last)


# Export ----------------------------------------------------------------------


def targets_workbook(pledge, units):
    """The targets template of `pledge` as .xlsx bytes: one row per indicator and
    unit of `units`, pre-filled with the current values (2 queries)."""
    targets = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__pledge=pledge)
    }
    workbook, sheet = xlsx.new_sheet(SHEET, pledge.title, HEADINGS)
    text = xlsx.text
    subfield = None
    for indicator in xlsx.indicators_in_order(pledge):
        subfield = xlsx.subfield_heading(sheet, indicator, subfield)
        for unit in units:
            target = targets.get((indicator.pk, unit.pk))
            sheet.append(
                [
                    text(indicator.code),
                    text(indicator.title),
                    text(indicator.unit_of_measure),
                    unit.pk,
                    text(unit.name),
                    target.planned if target else None,
                    target.last_actual if target else None,
                ]
            )
            row = sheet.max_row
            for column in (PLANNED, LAST):
                sheet.cell(row, column).number_format = NUMBER_FORMAT
    return xlsx.workbook_bytes(workbook, sheet, WIDTHS)


# Import ----------------------------------------------------------------------


def read_targets(pledge, data, allowed_units):
    """Check an uploaded targets workbook against `pledge` without writing.

    Every problem becomes a `CellError` naming its row and column; a file that
    is not a safe .xlsx (wrong type, over 5 MB, a zip bomb) is refused before it
    is opened, and formulas are refused, never evaluated. Only units of
    `allowed_units` may appear (3 queries)."""
    result = ImportResult()
    table = xlsx.Table(
        data,
        sheet=SHEET,
        headings=HEADINGS,
        too_big=_(
            "The file unpacks to far more data than a targets template holds; "
            "it was refused."
        ),
        cell_error=CellError,
    )
    if not table.readable:
        result.errors = table.final_errors()
        return result
    indicators = {i.code: i for i in xlsx.indicators_in_order(pledge)}
    members = {u.pk: u for u in members_of(pledge)}
    allowed = {u.pk for u in allowed_units}
    negative = _("Targets cannot be negative.")
    not_allowed = _("You may not set the targets of %(unit)s.")
    seen = {}
    for number, row, row_ok in table.rows(keys=(INDICATOR, UNIT)):
        indicator = table.indicator(number, row, INDICATOR, indicators)
        unit = table.unit(number, row, UNIT, members, allowed, not_allowed)
        planned, planned_ok = table.decimal(number, row, PLANNED, negative)
        last_actual, last_ok = table.decimal(number, row, LAST, negative)
        if indicator is None or unit is None:
            continue
        first = seen.setdefault((indicator.pk, unit.pk), number)
        if first != number:
            table.add(
                number,
                INDICATOR,
                _("%(code)s of %(unit)s is already in row %(row)s.")
                % {"code": indicator.code, "unit": unit.name, "row": first},
            )
        elif row_ok and planned_ok and last_ok:
            result.rows.append((indicator, unit, planned, last_actual))
    if table.errors:
        result.errors, result.rows = table.final_errors(), []
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
