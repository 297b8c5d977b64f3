"""The pledge as an official document (Decree 30/2020/NĐ-CP layout): the content
shaped once by `pledge_document`, written as Word by `pledge_docx` and as HTML by
the print view. The document body is Vietnamese whatever the UI language."""

import io
from dataclasses import dataclass

from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from clusters.models import UnitKind, share_of_scale
from core.formatting import format_number
from core.hygiene import strip_control

from . import selectors
from .models import (
    Aggregation,
    CriterionKind,
    Direction,
    PledgeState,
    PledgeVersion,
    ScoringRule,
    SectionKind,
    Signature,
)
from .totals import combine, indicator_total

FONT = "Times New Roman"
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SUB_MOTTO = "Độc lập - Tự do - Hạnh phúc"
TO_BE_FILLED = "……………………………"
NO_TARGETS = "Giao ước không có chỉ tiêu định lượng."
HEADINGS = (
    "TIÊU CHÍ THI ĐUA VÀ THANG ĐIỂM",
    "CHỈ TIÊU ĐĂNG KÝ CỦA CÁC ĐƠN VỊ THÀNH VIÊN",
    "ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN KÝ GIAO ƯỚC",
)
# More members than this and the targets go on a landscape page, split into
# tables of at most MEMBERS_PER_TABLE members so that 1.234.567,5 fits a cell.
PORTRAIT_MEMBERS = 3
MEMBERS_PER_TABLE = 6
LOCAL_GOVERNMENT = {
    UnitKind.DISTRICT,
    UnitKind.TOWN,
    UnitKind.CITY,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
}

BAND_WORDS = {
    "excellent": "Xuất sắc",
    "good": "Tốt",
    "complete": "Hoàn thành",
    "not_complete": "Không hoàn thành",
}
SECTION_NOTES = {
    SectionKind.SCORED: "",
    SectionKind.BONUS: "Điểm thưởng, ngoài thang điểm",
    SectionKind.DEDUCTION: "Điểm trừ, ngoài thang điểm",
}
CRITERION_NOTES = {
    CriterionKind.INDICATOR: "Chấm theo chỉ tiêu",
    CriterionKind.ASSESSED: "Chấm theo đánh giá",
    CriterionKind.BONUS: "Điểm thưởng",
    CriterionKind.DEDUCTION: "Điểm trừ",
}


def vn_number(value, places=None):
    """`format_number` in Vietnamese whatever the active language."""
    with translation.override("vi"):
        return format_number(value, places)


def vn_date_line(place, day):
    """ "Hậu Giang, ngày 05 tháng 02 năm 2023": days below 10 and months 1 and 2
    take a leading zero (Decree 30/2020/NĐ-CP, appendix I). Without a day (the
    draft of an act not done yet) the date is left for the clerk to fill in:
    "Hậu Giang, ngày … tháng … năm …"."""
    if day is None:
        return f"{place}, ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def rule_words(indicator):
    """The indicator's scoring rule in Vietnamese words."""
    params = indicator.params or {}
    if indicator.rule == ScoringRule.THRESHOLD:
        return "đạt 100% trở lên được điểm tối đa"
    if indicator.rule == ScoringRule.BANDS:
        bands = sorted(params.get("bands") or [], key=lambda b: b[0], reverse=True)
        steps = "; ".join(
            f"đạt từ {vn_number(low)}% được {vn_number(share)}% số điểm"
            for low, share in bands
        )
        return f"theo khung: {steps}" if steps else "theo khung"
    cap, floor = params.get("cap", 100), params.get("floor", 50)
    if cap > 100:
        return (
            f"tỷ lệ thuận với mức đạt; vượt kế hoạch được tính tối đa "
            f"{vn_number(cap)}% kế hoạch, tức chỉ tiêu được tối đa {vn_number(cap)}% "
            f"phần điểm của chỉ tiêu, nhưng tổng điểm của tiêu chí không vượt quá "
            f"điểm tối đa của tiêu chí; đạt dưới {vn_number(floor)}% không có điểm"
        )
    return (
        f"tỷ lệ thuận với mức đạt (tính tối đa {vn_number(cap)}% kế hoạch; "
        f"đạt dưới {vn_number(floor)}% không có điểm)"
    )


def _percent_and_points(percent, scale):
    points = share_of_scale(percent, scale)
    return f"{vn_number(percent)}% thang điểm ({vn_number(points)} điểm)"


def rules_paragraphs(term):
    """The year's scoring rules in Vietnamese (DESIGN.md §5): how an indicator's
    share is split, the bonus and deduction caps, the late deduction and the
    classification bands, exactly as the ranking applies them."""
    scale = term.total_points
    lines = [
        "Điểm của tiêu chí chấm theo chỉ tiêu được chia đều cho các chỉ tiêu của "
        "tiêu chí; mức đạt bằng thực hiện chia kế hoạch (chỉ tiêu càng thấp càng "
        "tốt: kế hoạch chia thực hiện); tổng điểm của tiêu chí không vượt quá "
        "điểm tối đa của tiêu chí.",
        f"Điểm thưởng được tính tối đa "
        f"{_percent_and_points(term.bonus_cap, scale)}; điểm trừ được tính tối "
        f"đa {_percent_and_points(term.deduction_cap, scale)}; đơn vị nộp báo cáo "
        f"muộn bị trừ {_percent_and_points(term.late_deduction, scale)}.",
    ]
    bands = []
    for band, total, share in term.band_table:
        words = (
            f"{BAND_WORDS[band]}: tổng điểm đạt từ "
            f"{_percent_and_points(total, scale)} trở lên"
        )
        if share is not None:
            words += (
                f" và mỗi tiêu chí đạt từ {vn_number(share)}% điểm tối đa của "
                "tiêu chí trở lên"
            )
        bands.append(words)
    bands.append(f"{BAND_WORDS['not_complete']}: các trường hợp còn lại")
    lines.append("Xếp loại: " + "; ".join(bands) + ".")
    return tuple(lines)


@dataclass(frozen=True)
class CriteriaRow:
    level: str  # "section", "criterion" or "indicator"
    code: str
    text: str
    details: tuple
    points: str
    note: str


@dataclass(frozen=True)
class TargetRow:
    code: str
    title: str
    unit_of_measure: str
    values: tuple
    total: str


@dataclass(frozen=True)
class TargetTable:
    members: tuple
    rows: tuple  # TargetRow, values for these members; total on the last table
    with_total: bool


@dataclass(frozen=True)
class SignatureBlock:
    capacity: str
    unit: str
    title: str
    name: str
    signed: bool


@dataclass(frozen=True)
class PledgeDocument:
    motto = MOTTO
    no_targets = NO_TARGETS
    sub_motto = SUB_MOTTO
    headings = HEADINGS

    issuer: str
    cluster: str
    place_date: str
    title: str
    subtitle: str
    draft: bool
    amendment: str
    criteria: tuple
    scale: str
    rules: tuple
    members: tuple  # units, in column order
    target_tables: tuple
    signatures: tuple

    @property
    def has_targets(self):
        return bool(self.target_tables[0].rows)

    @property
    def wide(self):
        return len(self.members) > PORTRAIT_MEMBERS

    @property
    def signature_rows(self):
        blocks = self.signatures
        return tuple(blocks[i : i + 2] for i in range(0, len(blocks), 2))


def _criteria_rows(sections):
    rows = []
    for section in sections:
        rows.append(
            CriteriaRow(
                "section",
                section.code,
                section.title,
                (),
                vn_number(section.max_points),
                SECTION_NOTES.get(section.kind, ""),
            )
        )
        for criterion in section.criteria_list:
            note = CRITERION_NOTES.get(criterion.kind, "")
            if criterion.evidence_required:
                note = f"{note}; phải có minh chứng" if note else "Phải có minh chứng"
            rows.append(
                CriteriaRow(
                    "criterion",
                    criterion.code,
                    criterion.title,
                    (criterion.guidance,) if criterion.guidance else (),
                    vn_number(criterion.max_points),
                    note,
                )
            )
            for indicator in criterion.indicator_list:
                rows.append(
                    CriteriaRow(
                        "indicator",
                        indicator.code,
                        f"Chỉ tiêu: {indicator.title}",
                        (
                            f"Đơn vị tính: {indicator.unit_of_measure}.",
                            f"Cách tính điểm: {rule_words(indicator)}.",
                        ),
                        "",
                        "Càng thấp càng tốt"
                        if indicator.direction == Direction.LOWER
                        else "",
                    )
                )
    return tuple(rows)


def _cluster_total(indicator, planned, totals):
    how = indicator_total(indicator)
    total = combine(planned, how)
    if total is None:
        return ""
    return vn_number(total, places=2) if how == Aggregation.MEAN else vn_number(total)


def _target_tables(members, indicators, targets, totals):
    planned = {
        indicator.pk: [
            getattr(targets.get((indicator.pk, unit.pk)), "planned", None)
            for unit in members
        ]
        for indicator in indicators
    }
    size = len(members) if len(members) <= PORTRAIT_MEMBERS else MEMBERS_PER_TABLE
    starts = range(0, max(len(members), 1), max(size, 1))
    return tuple(
        TargetTable(
            members=tuple(members[start : start + size]),
            rows=tuple(
                TargetRow(
                    indicator.code,
                    indicator.title,
                    indicator.unit_of_measure,
                    tuple(
                        vn_number(v)
                        for v in planned[indicator.pk][start : start + size]
                    ),
                    _cluster_total(indicator, planned[indicator.pk], totals)
                    if start == starts[-1]
                    else "",
                )
                for indicator in indicators
            ),
            with_total=start == starts[-1],
        )
        for start in starts
    )


def _signature_blocks(members, signatures):
    blocks = []
    for unit in members:
        signature = signatures.get(unit.pk)
        blocks.append(
            SignatureBlock(
                capacity="TM. ỦY BAN NHÂN DÂN" if unit.kind in LOCAL_GOVERNMENT else "",
                unit=unit.name.upper(),
                title=signature.signer_title.upper() if signature else TO_BE_FILLED,
                name=signature.signer_name if signature else TO_BE_FILLED,
                signed=signature is not None,
            )
        )
    return tuple(blocks)


def pledge_document(pledge):
    """Everything the pledge document shows, shaped for both the Word file and the
    print page. Runs a constant number of queries whatever the number of members,
    criteria and indicators (tree, grid, current version, its signatures)."""
    term = pledge.term
    cluster = term.cluster
    authority = cluster.authority
    sections = selectors.pledge_tree(pledge)
    members, indicators, targets, totals = selectors.targets_grid(pledge)
    version = PledgeVersion.objects.filter(pledge=pledge, number=pledge.version).first()
    signatures = (
        {s.unit_id: s for s in Signature.objects.filter(version=version)}
        if version is not None
        else {}
    )
    # Dated the day the last member signed; blank until every member has.
    signed = [s.signed_on for s in signatures.values()]
    day = max(signed) if signed and all(m.pk in signatures for m in members) else None
    return PledgeDocument(
        issuer=authority.name.upper(),
        cluster=cluster.name.upper(),
        place_date=vn_date_line(authority.place_name, day),
        title=f"GIAO ƯỚC THI ĐUA NĂM {term.year}",
        subtitle=cluster.name,
        draft=pledge.state == PledgeState.DRAFT,
        amendment=f"(Sửa đổi lần {pledge.version - 1})" if pledge.version > 1 else "",
        criteria=_criteria_rows(sections),
        scale=vn_number(term.total_points),
        rules=rules_paragraphs(term),
        members=tuple(members),
        target_tables=_target_tables(members, indicators, targets, totals),
        signatures=_signature_blocks(members, signatures),
    )


# Word ---------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
BODY_SIZE = Pt(13)
TABLE_SIZE = Pt(12)
# Elements that follow w:pBdr inside w:pPr (ECMA-376 order), so the border goes
# where Word expects it.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _set_fonts(rpr):
    """Times New Roman for every script (East Asian included) and Vietnamese as
    the language, overriding the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")


def _setup_styles(document):
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _page(section, *, landscape=False):
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    )
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    return section.page_width - section.left_margin - section.right_margin


def _write(paragraph, text, *, bold=False, italic=False, size=None, align=None):
    """Every text of the project's Word documents is written here, without the
    control characters Word cannot hold (`core.hygiene.strip_control`)."""
    run = paragraph.add_run(strip_control(text))
    run.bold = bold
    run.italic = italic
    if size is not None:
        run.font.size = size
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _cell_paragraph(cell):
    """The cell's first, still empty paragraph, or a new one after it."""
    paragraph = cell.paragraphs[-1]
    if paragraph.runs or paragraph.text:
        paragraph = cell.add_paragraph()
    return paragraph


def _cell_text(cell, text, **style):
    return _write(_cell_paragraph(cell), text, **style)


def _rule(cell, cell_width, rule_width):
    """A centred horizontal line of `rule_width` under the text above it."""
    paragraph = cell.add_paragraph()
    indent = max((cell_width - rule_width) // 2, 0)
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.line_spacing = Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {
        "val": "single",
        "sz": "6",
        "space": "1",
        "color": "auto",
    }.items():
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)


def _row_property(row, tag):
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement(tag)
    tr_pr.append(element)


def _table(document, widths, *, style=None):
    table = document.add_table(rows=0, cols=len(widths))
    if style:
        table.style = document.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return table


def _add_row(table, widths, texts=(), **style):
    row = table.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for cell, text in zip(row.cells, texts, strict=False):
        if text:
            _cell_text(cell, text, **style)
    return row


def _header(document, doc, width):
    left, right = Mm(62), width - Mm(62)
    table = _table(document, (left, right))
    row = _add_row(table, (left, right))
    row.cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    row.cells[1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _cell_text(row.cells[0], doc.issuer, size=Pt(12), align=centre)
    _cell_text(row.cells[0], doc.cluster, bold=True, size=Pt(12), align=centre)
    _rule(row.cells[0], left, Mm(25))
    if getattr(doc, "number", ""):  # "Số: …/BB-CTĐ" under the issuer's rule
        number = row.cells[0].add_paragraph()
        number.paragraph_format.space_before = Pt(6)
        _write(number, doc.number, size=Pt(13), align=centre)
    _cell_text(row.cells[1], doc.motto, bold=True, size=Pt(12), align=centre)
    _cell_text(row.cells[1], doc.sub_motto, bold=True, size=Pt(13), align=centre)
    _rule(row.cells[1], right, Mm(60))
    line = document.add_paragraph()
    line.paragraph_format.space_before = Pt(6)
    _write(line, doc.place_date, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _title(document, doc):
    centre = WD_ALIGN_PARAGRAPH.CENTER
    if doc.draft:
        _write(document.add_paragraph(), "DỰ THẢO", bold=True, align=centre)
    title = _write(
        document.add_paragraph(), doc.title, bold=True, size=Pt(14), align=centre
    )
    title.paragraph_format.space_before = Pt(18)
    _write(document.add_paragraph(), doc.subtitle, bold=True, size=Pt(14), align=centre)
    if doc.amendment:
        _write(document.add_paragraph(), doc.amendment, italic=True, align=centre)


def _heading(document, text):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _write(paragraph, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _criteria(document, doc, width):
    widths = (Mm(18), width - Mm(18 + 20 + 40), Mm(20), Mm(40))
    table = _table(document, widths, style="Table Grid")
    head = _add_row(
        table,
        widths,
        ("TT/Mã", "Nội dung tiêu chí", "Điểm tối đa", "Ghi chú: loại/minh chứng"),
        bold=True,
        size=TABLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _row_property(head, "w:tblHeader")
    for item in doc.criteria:
        bold = item.level == "section"
        italic = item.level == "indicator"
        row = _add_row(table, widths)
        _cell_text(
            row.cells[0],
            item.code,
            bold=bold,
            italic=italic,
            size=TABLE_SIZE,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _cell_text(row.cells[1], item.text, bold=bold, italic=italic, size=TABLE_SIZE)
        for detail in item.details:
            _cell_text(row.cells[1], detail, italic=True, size=Pt(11))
        _cell_text(
            row.cells[2],
            item.points,
            bold=bold,
            size=TABLE_SIZE,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _cell_text(row.cells[3], item.note, size=Pt(11))
    total = _add_row(table, widths)
    label = total.cells[0].merge(total.cells[1])
    _cell_text(label, "Tổng cộng (thang điểm)", bold=True, size=TABLE_SIZE)
    _cell_text(
        total.cells[2],
        doc.scale,
        bold=True,
        size=TABLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )


def _narrow_cells(table):
    """Cell margins of 1 mm so that numbers keep to one line."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(Mm(1).twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _targets(document, doc, width):
    size = Pt(11)
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    fixed = (Mm(12), Mm(40), Mm(16))
    if not doc.has_targets:
        _write(document.add_paragraph(), NO_TARGETS, italic=True)
        return
    for part in doc.target_tables:
        columns = len(part.members) + (1 if part.with_total else 0)
        number = (width - sum(fixed)) // max(columns, 1)
        widths = (*fixed, *([number] * columns))
        if part is not doc.target_tables[0]:
            document.add_paragraph()
        table = _table(document, widths, style="Table Grid")
        _narrow_cells(table)
        head = _add_row(
            table,
            widths,
            (
                "Mã",
                "Chỉ tiêu",
                "Đơn vị tính",
                *(unit.short_name for unit in part.members),
                *(["Tổng cụm"] if part.with_total else []),
            ),
            bold=True,
            size=size,
            align=centre,
        )
        _row_property(head, "w:tblHeader")
        for item in part.rows:
            row = _add_row(table, widths)
            _cell_text(row.cells[0], item.code, size=size, align=centre)
            _cell_text(row.cells[1], item.title, size=size)
            _cell_text(row.cells[2], item.unit_of_measure, size=size, align=centre)
            for cell, value in zip(row.cells[3:], item.values, strict=False):
                _cell_text(cell, value, size=size, align=right)
            if part.with_total:
                _cell_text(row.cells[-1], item.total, bold=True, size=size, align=right)


def _signatures(document, doc, width):
    half = width // 2
    widths = (half, width - half)
    table = _table(document, widths)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for pair in doc.signature_rows:
        row = _add_row(table, widths)
        _row_property(row, "w:cantSplit")
        cells = row.cells
        if len(pair) == 1:
            cells = [cells[0].merge(cells[1])]
        for cell, block in zip(cells, pair, strict=True):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            first = _cell_paragraph(cell)
            first.paragraph_format.space_before = Pt(18)
            if block.capacity:
                _write(first, block.capacity, bold=True, align=centre)
                first = _cell_paragraph(cell)
            _write(first, block.unit, bold=True, align=centre)
            _cell_text(cell, block.title, bold=True, align=centre)
            for _blank in range(4):
                cell.add_paragraph()
            _write(cell.add_paragraph(), block.name, bold=True, align=centre)


def pledge_docx(pledge):
    """The pledge as a .docx file (bytes) laid out per Decree 30/2020/NĐ-CP: A4,
    Times New Roman 13 pt, issuing body and national motto header, place and date,
    criteria, targets (on a landscape page when members are many) and one
    signature block per member unit."""
    doc = pledge_document(pledge)
    document = Document()
    _setup_styles(document)
    document.core_properties.title = strip_control(doc.title)
    document.core_properties.language = "vi-VN"
    width = _page(document.sections[0])
    _header(document, doc, width)
    _title(document, doc)
    _heading(document, doc.headings[0])
    _criteria(document, doc, width)
    for line in doc.rules:
        rule = _write(document.add_paragraph(), line)
        rule.paragraph_format.space_before = Pt(6)
        rule.paragraph_format.first_line_indent = Mm(10)
    if doc.wide:
        landscape = document.add_section(WD_SECTION.NEW_PAGE)
        _heading(document, doc.headings[1])
        _targets(document, doc, _page(landscape, landscape=True))
        width = _page(document.add_section(WD_SECTION.NEW_PAGE))
    else:
        _heading(document, doc.headings[1])
        _targets(document, doc, width)
    _heading(document, doc.headings[2])
    _signatures(document, doc, width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
