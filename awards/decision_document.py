"""The award decision as a Word file in the layout of Decree 30/2020/NĐ-CP:
issuing body and number ("Số: 05/QĐ-UBND") top left, national motto and the
italic place and date line top right, the title and subject, legal bases, the
articles (recipients and rewards; execution), the distribution list and the
signature block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH"). Written with the helpers of `pledges.documents` (Times New Roman, A4).
The body is Vietnamese whatever the UI language."""

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from clusters.models import AuthorityLevel
from pledges.documents import (
    DOCX_CONTENT_TYPE,
    MOTTO,
    SUB_MOTTO,
    _add_row,
    _cell_text,
    _page,
    _rule,
    _setup_styles,
    _table,
    _write,
    vn_date_line,
    vn_number,
)

__all__ = ["DOCX_CONTENT_TYPE", "decision_docx", "decision_document"]

COMMITTEE = "ỦY BAN NHÂN DÂN"
DISTRIBUTION = ("Như Điều 2;", "Lưu: VT.")


def issuer_lines(body):
    """ "Ủy ban nhân dân tỉnh Hậu Giang" → ("ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG")."""
    upper = body.strip().upper()
    if upper.startswith(f"{COMMITTEE} ") and len(upper) > len(COMMITTEE) + 1:
        return (COMMITTEE, upper[len(COMMITTEE) + 1 :])
    return (upper,)


@dataclass(frozen=True)
class GrantLine:
    recipient: str
    details: str
    achievements: str
    amount: str


@dataclass(frozen=True)
class FormGroup:
    form: str
    lines: tuple


@dataclass(frozen=True)
class DecisionDocument:
    motto = MOTTO
    sub_motto = SUB_MOTTO
    distribution = DISTRIBUTION

    issuer: tuple
    number_line: str
    place_date: str
    subject: str
    deciding_body: str
    legal_bases: tuple
    proposed_by: str
    groups: tuple
    total: str
    execution: str
    capacity: tuple
    signer: str


def _amount_words(grant, base_salary, authority):
    if grant.amount is None:
        return f"Mức tiền thưởng theo quy định của {authority.place_word_vi}."
    multiplier = vn_number(grant.award_form.multiplier)
    return (
        f"Tiền thưởng: {vn_number(grant.amount)} đồng ({multiplier} lần mức lương "
        f"cơ sở {vn_number(base_salary)} đồng)."
    )


def _execution(authority):
    """Article 2: who carries the decision out, named after the issuer's tier
    (“Chánh Văn phòng Ủy ban nhân dân tỉnh”, “… thành phố”; a ministry's own
    office)."""
    if authority.level == AuthorityLevel.MINISTRY:
        office = f"Chánh Văn phòng {authority.name}"
    else:
        office = f"Chánh Văn phòng Ủy ban nhân dân {authority.place_word_vi}"
    return (
        f"Quyết định này có hiệu lực kể từ ngày ký. {office}, Giám đốc Sở Nội vụ, "
        "Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có "
        "tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."
    )


def decision_document(decision):
    """Everything the decision document shows; its grants must be prefetched
    with their forms and units (see `selectors.decision_detail`)."""
    grants = sorted(
        decision.grants.all(),
        key=lambda g: (g.award_form.position, g.award_form.name, g.pk),
    )
    groups, current = [], None
    for grant in grants:
        if current is None or current[0] != grant.award_form.name:
            current = (grant.award_form.name, [])
            groups.append(current)
        if grant.unit_id:
            recipient, details = grant.recipient_name, ""
        else:
            recipient = f"Ông (Bà) {grant.person_name}"
            details = ", ".join(
                part
                for part in (grant.person_position, grant.person_organisation)
                if part
            )
        current[1].append(
            GrantLine(
                recipient=recipient,
                details=details,
                achievements=grant.reason,
                amount=_amount_words(grant, decision.base_salary, decision.authority),
            )
        )
    total = sum((g.amount for g in grants if g.amount is not None), 0)
    place = decision.authority.place_name
    return DecisionDocument(
        issuer=issuer_lines(decision.issuing_body),
        number_line=f"Số: {decision.number_display}",
        place_date=vn_date_line(place, decision.date),
        subject=decision.subject,
        deciding_body=decision.issuing_body.upper(),
        legal_bases=tuple(
            line.strip() for line in decision.legal_bases.splitlines() if line.strip()
        ),
        proposed_by=decision.proposed_by,
        groups=tuple(FormGroup(name, tuple(lines)) for name, lines in groups),
        total=vn_number(total) if total else "",
        execution=_execution(decision.authority),
        capacity=decision.capacity_lines,
        signer=decision.signer_name,
    )


def _header(document, doc, width):
    left, right = Mm(62), width - Mm(62)
    table = _table(document, (left, right))
    row = _add_row(table, (left, right))
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for line in doc.issuer:
        _cell_text(row.cells[0], line, bold=True, size=Pt(13), align=centre)
    _rule(row.cells[0], left, Mm(20))
    _cell_text(row.cells[0], doc.number_line, size=Pt(13), align=centre)
    _cell_text(row.cells[1], doc.motto, bold=True, size=Pt(12), align=centre)
    _cell_text(row.cells[1], doc.sub_motto, bold=True, size=Pt(13), align=centre)
    _rule(row.cells[1], right, Mm(60))
    _cell_text(row.cells[1], doc.place_date, italic=True, size=Pt(13), align=centre)


def _paragraph(document, text, *, bold=False, italic=False, indent=True, align=None):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(6)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    _write(
        paragraph,
        text,
        bold=bold,
        italic=italic,
        align=align or WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    return paragraph


def _article(document, label, text):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _write(paragraph, label, bold=True)
    _write(paragraph, f" {text}")


def _body(document, doc):
    centre = WD_ALIGN_PARAGRAPH.CENTER
    title = _write(document.add_paragraph(), "QUYẾT ĐỊNH", bold=True, align=centre)
    title.paragraph_format.space_before = Pt(18)
    _write(document.add_paragraph(), doc.subject, bold=True, align=centre)
    rule = document.add_paragraph()
    _write(rule, "—————", align=centre)
    _write(document.add_paragraph(), doc.deciding_body, bold=True, align=centre)
    document.add_paragraph()
    for basis in doc.legal_bases:
        _paragraph(document, basis, italic=True)
    if doc.proposed_by:
        _paragraph(document, f"Xét đề nghị của {doc.proposed_by}.", italic=True)
    decides = _write(document.add_paragraph(), "QUYẾT ĐỊNH:", bold=True, align=centre)
    decides.paragraph_format.space_before = Pt(6)
    decides.paragraph_format.space_after = Pt(6)
    forms = ", ".join(group.form for group in doc.groups)
    _article(
        document,
        "Điều 1.",
        f"Tặng {forms} cho các tập thể, cá nhân có tên sau:",
    )
    for group in doc.groups:
        _paragraph(document, f"{group.form}:", bold=True)
        for index, line in enumerate(group.lines, start=1):
            recipient = f"{index}. {line.recipient}"
            if line.details:
                recipient = f"{recipient}, {line.details}"
            _paragraph(document, f"{recipient}.", bold=False)
            if line.achievements:
                _paragraph(document, f"Đã có thành tích: {line.achievements}")
            _paragraph(document, line.amount, italic=True)
    if doc.total:
        _paragraph(
            document,
            f"Tổng số tiền thưởng: {doc.total} đồng, chi từ Quỹ thi đua, khen "
            "thưởng theo quy định.",
        )
    _article(document, "Điều 2.", doc.execution)


def _signature(document, doc, width):
    left, right = width // 2, width - width // 2
    table = _table(document, (left, right))
    row = _add_row(table, (left, right))
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    first = row.cells[0].paragraphs[0]
    first.paragraph_format.space_before = Pt(12)
    _write(first, "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    for line in doc.distribution:
        _cell_text(row.cells[0], f"- {line}", size=Pt(11))
    centre = WD_ALIGN_PARAGRAPH.CENTER
    top = row.cells[1].paragraphs[0]
    top.paragraph_format.space_before = Pt(12)
    _write(top, doc.capacity[0], bold=True, align=centre)
    _cell_text(row.cells[1], doc.capacity[1], bold=True, align=centre)
    for _blank in range(4):
        row.cells[1].add_paragraph()
    _cell_text(row.cells[1], doc.signer, bold=True, align=centre)


def decision_docx(decision):
    """The decision as a .docx file (bytes), A4, Times New Roman 13 pt."""
    doc = decision_document(decision)
    document = Document()
    _setup_styles(document)
    document.core_properties.title = f"Quyết định {decision.number_display}"
    document.core_properties.language = "vi-VN"
    width = _page(document.sections[0])
    _header(document, doc, width)
    _body(document, doc)
    _signature(document, doc, width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def decision_filename(decision):
    return f"quyet-dinh-{decision.number:02d}-{decision.year}.docx"
