"""The pledge as an official document (Decree 30/2020/NĐ-CP layout): the content
shaped once by `pledge_document`, written as Word by `pledge_docx` and as HTML by
the print view. The document body is Vietnamese whatever the UI language."""

from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from clusters.models import UnitKind, share_of_scale
from core.documents import (
    CENTRE,
    DOCX_CONTENT_TYPE,
    MOTTO,
    RIGHT,
    SMALL_SIZE,
    SUB_MOTTO,
    TABLE_SIZE,
    TO_BE_FILLED,
    Layout,
    Signer,
    _row_property,
    vn_date_line,
    vn_number,
)

from . import scoring, selectors
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

__all__ = [
    "DOCX_CONTENT_TYPE",
    "MOTTO",
    "SUB_MOTTO",
    "TO_BE_FILLED",
    "pledge_document",
    "pledge_docx",
    "vn_date_line",
    "vn_number",
]

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


def rule_words(indicator):
    """The indicator's scoring rule in Vietnamese words."""
    params = indicator.params or {}
    if indicator.rule == ScoringRule.THRESHOLD:
        return "đạt 100% trở lên được điểm tối đa"
    if indicator.rule == ScoringRule.GROWTH:
        full = vn_number(params.get("full", 10))
        if indicator.direction == Direction.LOWER:
            return (
                f"theo mức giảm so với thực hiện năm trước: giảm từ {full}% trở lên "
                f"được điểm tối đa, giảm dưới {full}% được điểm tương ứng theo tỷ "
                "lệ, không giảm không có điểm"
            )
        return (
            f"theo mức tăng trưởng so với thực hiện năm trước: tăng từ {full}% trở "
            f"lên được điểm tối đa, tăng dưới {full}% được điểm tương ứng theo tỷ "
            "lệ, không tăng không có điểm"
        )
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
    """The year's scoring rules in Vietnamese: how an indicator's
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
    level: str  # "section", "subsection", "criterion" or "indicator"
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
    """A member's signature block: "TM. ỦY BAN NHÂN DÂN" for a local
    government, the unit, "KT. CHỦ TỊCH" when a deputy signs for the head, the
    signer's title and name as entered at signing (dotted lines to fill in
    by hand when not entered; never the account of who recorded it)."""

    capacity: str
    unit: str
    title: str
    name: str
    signed: bool
    deputy: str = ""


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
    """The rows of the criteria table: each section, each of its sub-fields
    (lĩnh vực) with its points, each criterion after its sub-field's row, and
    each indicator with its weight when its criterion weighs them unequally."""
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
        firsts = {
            sub.criteria_list[0].pk: sub
            for sub in section.subsection_list
            if sub.criteria_list
        }
        for sub in section.subsection_list:
            if not sub.criteria_list:
                rows.append(_subsection_row(sub))
        for criterion in section.criteria_list:
            if criterion.pk in firsts:
                rows.append(_subsection_row(firsts[criterion.pk]))
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
            weights = [i.weight for i in criterion.indicator_list]
            shares = scoring.indicator_shares(criterion.max_points, weights)
            unequal = len(set(weights)) > 1
            for indicator, share in zip(criterion.indicator_list, shares, strict=True):
                weighed = (
                    (
                        f"Trọng số: {vn_number(indicator.weight)} trên tổng "
                        f"{vn_number(sum(weights))} của tiêu chí "
                        f"({vn_number(share, places=2)} điểm).",
                    )
                    if unequal
                    else ()
                )
                rows.append(
                    CriteriaRow(
                        "indicator",
                        indicator.code,
                        f"Chỉ tiêu: {indicator.title}",
                        (
                            f"Đơn vị tính: {indicator.unit_of_measure}.",
                            f"Cách tính điểm: {rule_words(indicator)}.",
                            *weighed,
                        ),
                        "",
                        "Càng thấp càng tốt"
                        if indicator.direction == Direction.LOWER
                        else "",
                    )
                )
    return tuple(rows)


def _subsection_row(sub):
    return CriteriaRow(
        "subsection",
        sub.code,
        f"Lĩnh vực: {sub.title}",
        (),
        vn_number(sub.max_points),
        f"Căn cứ: {sub.source}" if sub.source else "",
    )


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
        title = signature.signer_title.strip() if signature else ""
        deputy = signature.signs_for.strip() if signature else ""
        name = signature.signer_name.strip() if signature else ""
        blocks.append(
            SignatureBlock(
                capacity="TM. ỦY BAN NHÂN DÂN" if unit.kind in LOCAL_GOVERNMENT else "",
                unit=unit.name.upper(),
                title=title.upper() or TO_BE_FILLED,
                name=name or TO_BE_FILLED,
                signed=signature is not None,
                deputy=f"KT. {deputy.upper()}" if deputy else "",
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
        title=f"GIAO ƯỚC THI ĐUA {term.period_label.upper()}",
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


def signer_lines(block):
    """The signature block's capacity lines, top to bottom."""
    return tuple(
        line for line in (block.capacity, block.unit, block.deputy, block.title) if line
    )


def _criteria(layout, doc):
    widths = (Mm(18), layout.width - Mm(18 + 20 + 40), Mm(20), Mm(40))
    table = layout.table(widths, grid=True)
    head = layout.row(
        table,
        widths,
        ("TT/Mã", "Nội dung tiêu chí", "Điểm tối đa", "Ghi chú: loại/minh chứng"),
        align=CENTRE,
        bold=True,
        size=TABLE_SIZE,
    )
    _row_property(head, "w:tblHeader")
    for item in doc.criteria:
        bold = item.level in ("section", "subsection")
        italic = item.level == "indicator"
        row = layout.row(table, widths)
        _row_property(row, "w:cantSplit")
        code, text, points, note = row.cells
        style = {"bold": bold, "italic": italic, "size": TABLE_SIZE}
        layout.cell_text(code, item.code, align=CENTRE, **style)
        layout.cell_text(text, item.text, **style)
        for detail in item.details:
            layout.cell_text(text, detail, italic=True, size=SMALL_SIZE)
        layout.cell_text(points, item.points, align=CENTRE, bold=bold, size=TABLE_SIZE)
        layout.cell_text(note, item.note, size=SMALL_SIZE)
    total = layout.row(table, widths)
    label = total.cells[0].merge(total.cells[1])
    layout.cell_text(label, "Tổng cộng (thang điểm)", bold=True, size=TABLE_SIZE)
    layout.cell_text(
        total.cells[2], doc.scale, align=CENTRE, bold=True, size=TABLE_SIZE
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


def _targets(layout, doc):
    size = SMALL_SIZE
    fixed = (Mm(12), Mm(40), Mm(16))
    if not doc.has_targets:
        layout.paragraph(NO_TARGETS, italic=True)
        return
    for part in doc.target_tables:
        columns = len(part.members) + (1 if part.with_total else 0)
        number = (layout.width - sum(fixed)) // max(columns, 1)
        widths = (*fixed, *([number] * columns))
        if part is not doc.target_tables[0]:
            layout.line(layout.document, "", after=6)
        table = layout.table(widths, grid=True)
        _narrow_cells(table)
        head = layout.row(
            table,
            widths,
            (
                "Mã",
                "Chỉ tiêu",
                "Đơn vị tính",
                *(unit.short_name for unit in part.members),
                *(["Tổng cụm"] if part.with_total else []),
            ),
            align=CENTRE,
            bold=True,
            size=size,
        )
        _row_property(head, "w:tblHeader")
        for item in part.rows:
            row = layout.row(table, widths)
            _row_property(row, "w:cantSplit")
            layout.cell_text(row.cells[0], item.code, align=CENTRE, size=size)
            layout.cell_text(row.cells[1], item.title, size=size)
            layout.cell_text(
                row.cells[2], item.unit_of_measure, align=CENTRE, size=size
            )
            for cell, value in zip(row.cells[3:], item.values, strict=False):
                layout.cell_text(cell, value, align=RIGHT, size=size)
            if part.with_total:
                layout.cell_text(
                    row.cells[-1], item.total, align=RIGHT, bold=True, size=size
                )


def pledge_docx(pledge):
    """The pledge as a .docx file (bytes) in the layout of `core.documents`
    (Decree 30/2020/NĐ-CP): the authority and cluster beside the national motto,
    place and date, criteria, targets (on a landscape page when members are
    many) and one signature block per member unit, signed by its leader."""
    doc = pledge_document(pledge)
    layout = Layout(title=doc.title)
    layout.header(parent=doc.issuer, issuer=(doc.cluster,), place_date=doc.place_date)
    layout.title(doc.title, (doc.subtitle,), draft=doc.draft, note=doc.amendment)
    layout.heading(doc.headings[0], centred=True)
    _criteria(layout, doc)
    for line in doc.rules:
        layout.paragraph(line)
    if doc.wide:
        layout.new_page(landscape=True)
        layout.heading(doc.headings[1], centred=True)
        _targets(layout, doc)
        layout.new_page()
    else:
        layout.heading(doc.headings[1], centred=True)
        _targets(layout, doc)
    layout.heading(doc.headings[2], centred=True)
    layout.closing(
        signers=tuple(
            Signer(lines=signer_lines(block), name=block.name)
            for block in doc.signatures
        )
    )
    return layout.bytes()
