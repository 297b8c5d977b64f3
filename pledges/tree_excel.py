"""The Excel round trip of a pledge's criteria tree: a template (the current
tree, or one example row of each level) with a second sheet listing the
allowed values, and a reader that checks an uploaded copy cell by cell and
turns it into the content `services.pledge_tree_replace` takes, without
writing anything.

A row's level says what it is; parents follow row order: a sub-field belongs
to the last section above it, a criterion to the last sub-field of that
section or, when it has none, to the section, an indicator to the last
criterion. The layout
is defined here; the safety checks, cell reading and parsing are shared with
the targets and results in `pledges.xlsx`."""

from decimal import Decimal
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import xlsx
from .forms import bands_from_text
from .models import (
    Aggregation,
    Criterion,
    CriterionKind,
    Direction,
    Indicator,
    ScoringRule,
    Section,
    SectionKind,
    Subsection,
)
from .selectors import pledge_content, tree_content, tree_problems
from .services.pledge import CRITERION_KINDS
from .xlsx import ImportResult

SHEET = "Tiêu chí"
GUIDE_SHEET = "Hướng dẫn"
HEADINGS = (
    "Mã",
    "Cấp",
    "Tên",
    "Loại",
    "Điểm tối đa",
    "Cần minh chứng",
    "Hướng dẫn chấm",
    "Đơn vị tính",
    "Chiều",
    "Tổng của cụm",
    "Quy tắc chấm",
    "Tham số quy tắc",
    "Trọng số",
    "Căn cứ",
)
WIDTHS = (10, 11, 50, 24, 12, 12, 30, 14, 20, 22, 30, 24, 10, 30)
(
    CODE,
    LEVEL,
    TITLE,
    KIND,
    POINTS,
    EVIDENCE,
    GUIDANCE,
    MEASURE,
    DIRECTION,
    AGGREGATION,
    RULE,
    PARAMS,
    WEIGHT,
    SOURCE,
) = range(1, len(HEADINGS) + 1)

SECTION, SUBSECTION, CRITERION, INDICATOR = (
    "section",
    "subsection",
    "criterion",
    "indicator",
)
# The level names of the file (the first is written; all are read).
LEVEL_NAMES = {
    SECTION: ("Phần", "Nhóm", "Phần/nhóm"),
    SUBSECTION: ("Lĩnh vực",),
    CRITERION: ("Tiêu chí",),
    INDICATOR: ("Chỉ tiêu",),
}
LEVEL_LABELS = {
    SECTION: gettext_lazy("section"),
    SUBSECTION: gettext_lazy("sub-field"),
    CRITERION: gettext_lazy("criterion"),
    INDICATOR: gettext_lazy("indicator"),
}
# The columns each level fills in; any other is left empty.
COLUMNS = {
    SECTION: {CODE, LEVEL, TITLE, KIND, POINTS},
    SUBSECTION: {CODE, LEVEL, TITLE, POINTS, SOURCE},
    CRITERION: {CODE, LEVEL, TITLE, KIND, POINTS, EVIDENCE, GUIDANCE},
    INDICATOR: {
        CODE,
        LEVEL,
        TITLE,
        MEASURE,
        DIRECTION,
        AGGREGATION,
        RULE,
        PARAMS,
        WEIGHT,
    },
}
YES, NO = "có", "không"
CAP, FLOOR = "trần", "sàn"
MODEL = {
    SECTION: Section,
    SUBSECTION: Subsection,
    CRITERION: Criterion,
    INDICATOR: Indicator,
}
MAX_POINTS = Decimal(10_000)  # points have 4 digits before the point, 2 after
POINTS_STEP = Decimal("0.01")
MAX_WEIGHT = Decimal(10_000)  # a weight has 4 digits before the point, 4 after


def _length(model, name):
    return model._meta.get_field(name).max_length


def vietnamese(choice):
    """The label of `choice` as the file writes it: in Vietnamese whatever the
    interface language, like the sheet's headings."""
    with translation.override("vi"):
        return str(choice.label)


def _options(choices):
    """{text as typed: value}: the Vietnamese label and the stored value."""
    options = {}
    for choice in choices:
        options[vietnamese(choice)] = choice.value
        options[choice.value] = choice.value
    return options


class CellError(xlsx.CellError):
    __slots__ = ()
    headings = HEADINGS


class Change(NamedTuple):
    """One row of the tree that the file adds, changes or removes."""

    level: str
    code: str
    title: str
    action: str

    ADDED, CHANGED, REMOVED = "added", "changed", "removed"

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]

    @property
    def action_label(self):
        return {
            self.ADDED: _("added"),
            self.CHANGED: _("changed"),
            self.REMOVED: _("removed"),
        }[self.action]


class TreeImportResult(ImportResult):
    """`rows` holds one item, the whole tree as `pledge_content` shapes it,
    since the tree is replaced as a whole; it is applied only when `changes`
    is not empty."""

    @property
    def changed_rows(self):
        return self.rows if self.changes else []


# Export ----------------------------------------------------------------------


def _params_text(indicator):
    """The rule parameters as the “Tham số quy tắc” cell writes them."""
    params = indicator["params"] or {}
    rule = indicator["rule"]

    def number(value):
        return str(xlsx.shown(Decimal(str(value))))

    if rule == ScoringRule.PROPORTIONAL:
        parts = [
            f"{name}: {number(params[key])}"
            for key, name in (("cap", CAP), ("floor", FLOOR))
            if key in params
        ]
        return "; ".join(parts) or None
    if rule == ScoringRule.BANDS and params.get("bands"):
        return "; ".join(
            f"{number(low)}:{number(share)}" for low, share in params["bands"]
        )
    if rule == ScoringRule.GROWTH and "full" in params:
        return number(params["full"])
    return None


def _example(scale):
    """One row of each level that imports as it is on a scale of `scale`."""
    return {
        "sections": [
            {
                "code": "I",
                "title": "Thực hiện nhiệm vụ kinh tế – xã hội",
                "kind": SectionKind.SCORED,
                "max_points": str(scale),
                "subsections": [],
                "criteria": [
                    {
                        "code": "I.1",
                        "title": "Tăng trưởng kinh tế",
                        "kind": CriterionKind.INDICATOR,
                        "max_points": str(scale),
                        "evidence_required": False,
                        "guidance": "",
                        "subsection": "",
                        "indicators": [
                            {
                                "code": "CT1",
                                "title": "Tổng giá trị sản xuất",
                                "unit_of_measure": "tỷ đồng",
                                "direction": Direction.HIGHER,
                                "aggregation": Aggregation.SUM,
                                "rule": ScoringRule.PROPORTIONAL,
                                "params": {"cap": 100, "floor": 50},
                                "weight": "1",
                            }
                        ],
                    }
                ],
            }
        ]
    }


def _guide(workbook):
    """The “Hướng dẫn” sheet: what each column holds and its allowed values."""
    sheet = workbook.create_sheet(GUIDE_SHEET)
    level_names = ", ".join(names[0] for names in LEVEL_NAMES.values())

    def labels(choices):
        return "; ".join(vietnamese(c) for c in choices)

    rows = [
        ("Cột", "Dùng cho", "Giá trị"),
        ("Mã", "mọi cấp", "bắt buộc, không trùng trong cùng cấp, tối đa 16 ký tự"),
        (
            "Cấp",
            "mọi cấp",
            f"{level_names}. Lĩnh vực thuộc phần gần nhất phía trên; tiêu chí "
            "thuộc lĩnh vực (nếu phần có lĩnh vực) hoặc phần gần nhất phía trên; "
            "chỉ tiêu thuộc tiêu chí gần nhất phía trên. Tiêu chí của một phần "
            "hoặc đều thuộc lĩnh vực, hoặc đều không.",
        ),
        ("Tên", "mọi cấp", "bắt buộc"),
        ("Loại", "Phần", labels(SectionKind) + " (để trống: tính trong thang điểm)"),
        ("Loại", "Tiêu chí", labels(CriterionKind) + " (bắt buộc)"),
        (
            "Điểm tối đa",
            "Phần, Lĩnh vực, Tiêu chí",
            "số không âm, tối đa 2 chữ số thập phân; điểm các phần tính trong "
            "thang điểm cộng lại bằng thang điểm của năm, điểm các lĩnh vực (hoặc "
            "tiêu chí) cộng lại bằng điểm của phần, điểm các tiêu chí của một lĩnh "
            "vực bằng điểm của lĩnh vực",
        ),
        ("Cần minh chứng", "Tiêu chí", f"{YES}; {NO} (để trống: {NO})"),
        ("Hướng dẫn chấm", "Tiêu chí", "tùy ý"),
        ("Đơn vị tính", "Chỉ tiêu", "bắt buộc, ví dụ: tỷ đồng, %, người"),
        ("Chiều", "Chỉ tiêu", labels(Direction) + " (để trống: càng cao càng tốt)"),
        (
            "Tổng của cụm",
            "Chỉ tiêu",
            labels(Aggregation) + " (để trống: tổng của các đơn vị)",
        ),
        (
            "Quy tắc chấm",
            "Chỉ tiêu",
            labels(ScoringRule) + " (để trống: tỷ lệ thuận với mức đạt)",
        ),
        (
            "Tham số quy tắc",
            "Chỉ tiêu",
            f"tỷ lệ thuận: “{CAP}: 100; {FLOOR}: 50” (% kế hoạch); theo khung: "
            "“100:100; 90:80” (mức đạt tối thiểu %: tỷ lệ điểm %); tăng trưởng: "
            "“10” (% tăng trưởng được điểm tối đa); để trống: mặc định",
        ),
        (
            "Trọng số",
            "Chỉ tiêu",
            "số lớn hơn 0 (để trống: 1); điểm của tiêu chí chia cho các chỉ tiêu "
            "theo tỷ lệ trọng số",
        ),
        ("Căn cứ", "Lĩnh vực", "văn bản quy định lĩnh vực và điểm của lĩnh vực"),
        ("", "", "Không nhập công thức. Các cột không dùng cho cấp của dòng để trống."),
    ]
    for values in rows:
        sheet.append(xlsx.row(values))
    for letter, width in zip("ABC", (18, 16, 100), strict=True):
        sheet.column_dimensions[letter].width = width


def _cells(values):
    """A sheet row from {column: value}."""
    return xlsx.row([values.get(column) for column in range(1, len(HEADINGS) + 1)])


def _criterion_cells(c, names):
    return {
        CODE: c["code"],
        LEVEL: names[CRITERION],
        TITLE: c["title"],
        KIND: vietnamese(CriterionKind(c["kind"])),
        POINTS: Decimal(c["max_points"]),
        EVIDENCE: YES if c["evidence_required"] else NO,
        GUIDANCE: c["guidance"] or None,
    }


def _indicator_cells(i, names):
    return {
        CODE: i["code"],
        LEVEL: names[INDICATOR],
        TITLE: i["title"],
        MEASURE: i["unit_of_measure"],
        DIRECTION: vietnamese(Direction(i["direction"])),
        AGGREGATION: vietnamese(Aggregation(i["aggregation"])),
        RULE: vietnamese(ScoringRule(i["rule"])),
        PARAMS: _params_text(i),
        WEIGHT: Decimal(i.get("weight") or 1),
    }


def tree_workbook(pledge):
    """The criteria template of `pledge` as .xlsx bytes: its tree, or when it
    has none an example row of each level that fits the term's scale, and the
    “Hướng dẫn” sheet (the queries of `pledge_content`). A section's criteria
    outside sub-fields come before its sub-fields, so that none is read into
    a sub-field."""
    content = pledge_content(pledge)
    if not content["sections"]:
        content = _example(pledge.term.total_points)
    workbook, sheet = xlsx.new_sheet(SHEET, pledge.title, HEADINGS)
    names = {level: names[0] for level, names in LEVEL_NAMES.items()}
    for s in content["sections"]:
        rows = [
            {
                CODE: s["code"],
                LEVEL: names[SECTION],
                TITLE: s["title"],
                KIND: vietnamese(SectionKind(s["kind"])),
                POINTS: Decimal(s["max_points"]),
            }
        ]
        groups = [(None, "")] + [(sub, sub["code"]) for sub in s["subsections"]]
        for sub, sub_code in groups:
            if sub is not None:
                rows.append(
                    {
                        CODE: sub["code"],
                        LEVEL: names[SUBSECTION],
                        TITLE: sub["title"],
                        POINTS: Decimal(sub["max_points"]),
                        SOURCE: sub["source"] or None,
                    }
                )
            for c in s["criteria"]:
                if c["subsection"] == sub_code:
                    rows.append(_criterion_cells(c, names))
                    rows.extend(_indicator_cells(i, names) for i in c["indicators"])
        for values in rows:
            sheet.append(_cells(values))
    for cells in sheet.iter_rows(min_row=xlsx.HEADER_ROW + 1):
        for column in (POINTS, WEIGHT):
            cells[column - 1].number_format = xlsx.NUMBER_FORMAT
    _guide(workbook)
    return xlsx.workbook_bytes(workbook, sheet, WIDTHS)


# Import ----------------------------------------------------------------------


class _Reader:
    """Reads the rows of one uploaded table into unsaved sections, criteria and
    indicators (each with its sheet row in `line`), reporting every bad cell."""

    def __init__(self, table):
        self.table = table
        self.sections = []
        self.section = self.subsection = self.criterion = None
        self.codes = {level: {} for level in LEVEL_NAMES}
        self.levels = {
            name: level for level, names in LEVEL_NAMES.items() for name in names
        }
        self.section_kinds = _options(SectionKind)
        self.criterion_kinds = _options(CriterionKind)
        self.directions = _options(Direction)
        self.aggregations = _options(Aggregation)
        self.rules = _options(ScoringRule)

    def add(self, number, column, message):
        self.table.add(number, column, message)

    def value(self, row, column):
        """The cell's value, None when blank or a formula (already reported)."""
        data_type, value = row.get(column, (None, None))
        return None if xlsx.is_formula(data_type, value) else value

    def text(self, number, row, column, length, *, required):
        value = self.value(row, column)
        if value is None:
            if required and column not in row:
                self.add(number, column, _("Fill in this cell."))
            return ""
        value = xlsx.free_text(value)
        if len(value) > length:
            self.add(
                number,
                column,
                _("The text is longer than %(count)s characters.") % {"count": length},
            )
        return value

    def choice(self, number, row, column, options, default):
        value = self.value(row, column)
        if value is None:
            if default is None and column not in row:
                self.add(number, column, _("Fill in this cell."))
            return default
        typed = xlsx.code(value)
        found = next((v for k, v in options.items() if xlsx.same(k, typed)), None)
        if found is None:
            allowed = [k for k, v in options.items() if k != v]
            self.add(
                number,
                column,
                _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
                % {"value": typed[:40], "allowed": "; ".join(allowed)},
            )
        return found

    def points(self, number, row):
        if POINTS not in row:
            self.add(number, POINTS, _("Fill in this cell."))
            return Decimal(0)
        points, ok = self.table.decimal(
            number, row, POINTS, _("Points cannot be negative.")
        )
        if points is None:
            return Decimal(0) if ok else None
        if points >= MAX_POINTS or points != points.quantize(POINTS_STEP):
            self.add(
                number,
                POINTS,
                _("Points are below %(max)s with at most 2 decimals.")
                % {"max": MAX_POINTS},
            )
        return points.quantize(POINTS_STEP)

    def weight(self, number, row):
        weight, _ok = self.table.decimal(
            number, row, WEIGHT, _("A weight must be above 0.")
        )
        if weight is None:
            return Decimal(1)
        if not 0 < weight < MAX_WEIGHT:
            self.add(
                number,
                WEIGHT,
                _("A weight is above 0 and below %(max)s.") % {"max": MAX_WEIGHT},
            )
        return weight

    def evidence(self, number, row):
        value = self.value(row, EVIDENCE)
        if value is None:
            return False
        for answer, meaning in ((YES, True), (NO, False)):
            if xlsx.same(xlsx.code(value), answer):
                return meaning
        self.add(
            number,
            EVIDENCE,
            _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
            % {"value": xlsx.code(value)[:40], "allowed": f"{YES}; {NO}"},
        )
        return False

    def params(self, number, row, rule):
        value = self.value(row, PARAMS)
        if value is None or rule is None:
            return {}
        typed = xlsx.code(value)
        try:
            if rule == ScoringRule.PROPORTIONAL:
                return self._cap_and_floor(typed)
            if rule == ScoringRule.BANDS:
                return {"bands": bands_from_text(typed)}
            if rule == ScoringRule.GROWTH:
                return {"full": float(_decimal(typed))}
        except ValueError:
            pass
        if rule == ScoringRule.THRESHOLD:
            message = _("This rule takes no parameters; clear the cell.")
        else:
            message = _("Write the parameters as the “Hướng dẫn” sheet shows.")
        self.add(number, PARAMS, message)
        return {}

    @staticmethod
    def _cap_and_floor(typed):
        params = {}
        for part in filter(None, (p.strip() for p in typed.split(";"))):
            name, _sep, number = part.partition(":")
            key = next(
                (k for k, n in (("cap", CAP), ("floor", FLOOR)) if xlsx.same(n, name)),
                None,
            )
            if key is None or key in params:
                raise ValueError(part)
            params[key] = float(_decimal(number))
        return params

    def read(self, number, row):
        level = self.choice(number, row, LEVEL, self.levels, None)
        code = self.text(number, row, CODE, 16, required=True)
        if level is None:
            # Whatever the row was meant to be, the indicators below it are
            # not reported again as having no criterion above.
            self.criterion = Criterion(kind=None)
            self.criterion.indicator_list = []
            return
        for column in sorted(set(row) - COLUMNS[level]):
            if column <= len(HEADINGS):
                self.add(
                    number,
                    column,
                    _("This column is not used for a %(level)s row; clear it.")
                    % {"level": LEVEL_LABELS[level]},
                )
        if code:
            first = self.codes[level].setdefault(code, number)
            if first != number:
                self.add(
                    number,
                    CODE,
                    _("The code %(code)s is already used in row %(row)s.")
                    % {"code": code, "row": first},
                )
        title = self.text(
            number, row, TITLE, _length(MODEL[level], "title"), required=True
        )
        getattr(self, f"_{level}")(number, row, code, title)

    def _section(self, number, row, code, title):
        kind = self.choice(number, row, KIND, self.section_kinds, SectionKind.SCORED)
        section = Section(
            code=code, title=title, kind=kind, max_points=self.points(number, row)
        )
        section.line, section.criteria_list, section.subsection_list = number, [], []
        self.sections.append(section)
        self.section, self.subsection, self.criterion = section, None, None

    def _subsection(self, number, row, code, title):
        subsection = Subsection(
            code=code,
            title=title,
            max_points=self.points(number, row),
            source=self.text(
                number, row, SOURCE, _length(Subsection, "source"), required=False
            ),
        )
        # Never saved: a stand-in id ties its criteria to it as `pledge_tree`
        # ties saved ones (`subsection_id`).
        subsection.pk = -number
        subsection.line, subsection.criteria_list = number, []
        self.criterion = None
        if self.section is None:
            self.add(
                number,
                LEVEL,
                _("A sub-field belongs to the last section above it; there is none."),
            )
            return
        self.section.subsection_list.append(subsection)
        self.subsection = subsection

    def _criterion(self, number, row, code, title):
        kind = self.choice(number, row, KIND, self.criterion_kinds, None)
        criterion = Criterion(
            code=code,
            title=title,
            kind=kind,
            max_points=self.points(number, row),
            evidence_required=self.evidence(number, row),
            guidance=self.text(number, row, GUIDANCE, 5000, required=False),
        )
        criterion.line, criterion.indicator_list = number, []
        criterion.subsection = self.subsection
        self.criterion = criterion
        if self.section is None:
            self.add(
                number,
                LEVEL,
                _("A criterion belongs to the last section above it; there is none."),
            )
            return
        section_kind = self.section.kind
        if kind and section_kind and kind not in CRITERION_KINDS[section_kind]:
            self.add(
                number,
                KIND,
                _("A criterion “%(kind)s” does not belong in a section “%(section)s”.")
                % {
                    "kind": CriterionKind(kind).label,
                    "section": SectionKind(section_kind).label,
                },
            )
        self.section.criteria_list.append(criterion)
        if self.subsection is not None:
            self.subsection.criteria_list.append(criterion)

    def _indicator(self, number, row, code, title):
        rule = self.choice(number, row, RULE, self.rules, ScoringRule.PROPORTIONAL)
        indicator = Indicator(
            code=code,
            title=title,
            unit_of_measure=self.text(
                number,
                row,
                MEASURE,
                _length(Indicator, "unit_of_measure"),
                required=True,
            ),
            direction=self.choice(
                number, row, DIRECTION, self.directions, Direction.HIGHER
            ),
            aggregation=self.choice(
                number, row, AGGREGATION, self.aggregations, Aggregation.SUM
            ),
            rule=rule,
            params=self.params(number, row, rule),
            weight=self.weight(number, row),
        )
        indicator.line = number
        if self.criterion is None:
            self.add(
                number,
                LEVEL,
                _(
                    "An indicator belongs to the last criterion above it; there "
                    "is none."
                ),
            )
        elif self.criterion.kind not in (CriterionKind.INDICATOR, None):
            self.add(
                number,
                LEVEL,
                _("An indicator feeds a criterion of kind “computed from indicators”."),
            )
        else:
            self.criterion.indicator_list.append(indicator)

    def check_tree(self, scale):
        """Report the tree's own problems (points that do not add up, …) on
        the cell of the row concerned."""
        columns = {
            Section: POINTS,
            Subsection: POINTS,
            Criterion: LEVEL,
            Indicator: PARAMS,
        }
        for row, message in tree_problems(self.sections, scale):
            if row is None:
                self.table.errors.append(CellError(None, None, message))
            else:
                self.add(row.line, columns[type(row)], message)


def _decimal(text):
    try:
        value = Decimal(text.strip().replace(",", "."))
    except ArithmeticError as error:
        raise ValueError(text) from error
    if not value.is_finite() or value < 0 or value >= xlsx.LARGEST_VALUE:
        raise ValueError(text)
    return value


def _flat(content):
    """{(level, code): (title, what else the row holds, its parent, its place)}
    of every row of `content`."""
    flat = {}
    for s_pos, s in enumerate(content["sections"]):
        skip = ("code", "title", "criteria", "subsections")
        rest = {k: v for k, v in s.items() if k not in skip}
        flat[SECTION, s["code"]] = (s["title"], rest, None, s_pos)
        for sub_pos, sub in enumerate(s.get("subsections", [])):
            rest = {k: v for k, v in sub.items() if k not in ("code", "title")}
            flat[SUBSECTION, sub["code"]] = (sub["title"], rest, s["code"], sub_pos)
        for c_pos, c in enumerate(s["criteria"]):
            rest = {
                k: v for k, v in c.items() if k not in ("code", "title", "indicators")
            }
            flat[CRITERION, c["code"]] = (c["title"], rest, s["code"], c_pos)
            for i_pos, i in enumerate(c["indicators"]):
                rest = {k: v for k, v in i.items() if k not in ("code", "title")}
                flat[INDICATOR, i["code"]] = (i["title"], rest, c["code"], i_pos)
    return flat


def tree_changes(old, new):
    """The `Change`s that turn the content `old` into `new`: rows added or
    changed in the order of `new`, then rows removed in the order of `old`."""
    before, after = _flat(old), _flat(new)
    changes = [
        Change(level, code, row[0], Change.ADDED if old_row is None else Change.CHANGED)
        for (level, code), row in after.items()
        if (old_row := before.get((level, code))) != row
    ]
    changes.extend(
        Change(level, code, row[0], Change.REMOVED)
        for (level, code), row in before.items()
        if (level, code) not in after
    )
    return changes


def read_tree(pledge, data):
    """Check an uploaded criteria workbook against `pledge` without writing.

    Every problem becomes a `CellError` naming its row and column; a file that
    is not a safe .xlsx (wrong type, over 5 MB, a zip bomb) is refused before
    it is opened, and formulas are refused, never evaluated. The tree must pass
    `selectors.tree_problems` on the term's scale. `changes` compares the file
    with the current tree (the queries of `pledge_content`)."""
    result = TreeImportResult()
    table = xlsx.Table(
        data,
        sheet=SHEET,
        headings=HEADINGS,
        too_big=_(
            "The file unpacks to far more data than a criteria template holds; "
            "it was refused."
        ),
        cell_error=CellError,
    )
    if not table.readable:
        result.errors = table.final_errors()
        return result
    reader = _Reader(table)
    read_any = False
    outside = _("This row is outside the table: it has no code, level or title.")
    for number, row, _row_ok in table.rows(keys=(CODE, LEVEL, TITLE), outside=outside):
        read_any = True
        reader.read(number, row)
    if not read_any and not table.errors:
        table.errors.append(
            CellError(
                None, None, _("The sheet has no rows of criteria below its headings.")
            )
        )
    if not table.errors:
        reader.check_tree(pledge.term.total_points)
    if table.errors:
        result.errors = table.final_errors()
        return result
    content = tree_content(reader.sections)
    result.rows = [content]
    result.changes = tree_changes(pledge_content(pledge), content)
    return result
