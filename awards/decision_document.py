"""The award decision as a Word file in the layout of Decree 30/2020/NĐ-CP:
issuing body and number ("Số: 05/QĐ-UBND") top left, national motto and the
italic place and date line top right, the title and subject, legal bases, the
articles (recipients and rewards; execution), the distribution list and the
signature block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH"). Laid out by `core.documents` (Decree 30/2020/NĐ-CP, Appendix I).
More than `ANNEX_AFTER` grants go to an annex after the signature ("DANH
SÁCH …", "Kèm theo Quyết định số …"), which Article 1 refers to. The body is
Vietnamese whatever the UI language."""

from dataclasses import dataclass

from clusters.models import AuthorityLevel
from core.documents import (
    DOCX_CONTENT_TYPE,
    MOTTO,
    SUB_MOTTO,
    Layout,
    Signer,
    vn_date_line,
    vn_number,
)

from .models import IssuerKind, head_titles

__all__ = ["ANNEX_AFTER", "DOCX_CONTENT_TYPE", "decision_docx", "decision_document"]

COMMITTEE = "ỦY BAN NHÂN DÂN"
DISTRIBUTION = ("Như Điều 2;", "Lưu: VT.")
# A decision with more grants than this lists them in an annex.
ANNEX_AFTER = 10


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
    count: int = 0
    annex_note: str = ""

    @property
    def has_annex(self):
        return bool(self.annex_note)


def _issuer_of(decision):
    """Who issued it, as the annex note names it: "Ủy ban nhân dân tỉnh Hậu
    Giang" or "Chủ tịch Ủy ban nhân dân tỉnh Hậu Giang"."""
    body = decision.issuing_body.strip()
    if decision.issuer_kind == IssuerKind.CHAIRMAN:
        return f"{head_titles(body)[0].capitalize()} {body}"
    return body


def _annex_note(decision):
    """ "(Kèm theo Quyết định số 125/QĐ-UBND ngày 17 tháng 01 năm 2024 của Ủy
    ban nhân dân tỉnh Hậu Giang)"."""
    day = decision.date
    return (
        f"(Kèm theo Quyết định số {decision.number_display} ngày {day.day:02d} "
        f"tháng {day.month:02d} năm {day.year} của {_issuer_of(decision)})"
    )


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
        deciding_body=decision.deciding_line,
        legal_bases=tuple(
            line.strip() for line in decision.legal_bases.splitlines() if line.strip()
        ),
        proposed_by=decision.proposed_by,
        groups=tuple(FormGroup(name, tuple(lines)) for name, lines in groups),
        total=vn_number(total) if total else "",
        execution=_execution(decision.authority),
        capacity=decision.capacity_lines,
        signer=decision.signer_name,
        count=len(grants),
        annex_note=_annex_note(decision) if len(grants) > ANNEX_AFTER else "",
    )


def decision_docx(decision):
    """The decision as a .docx file (bytes) in the layout of `core.documents`:
    header, "QUYẾT ĐỊNH" and its subject, the deciding authority, the legal
    bases in italics, the articles, then "Nơi nhận" beside the signature."""
    doc = decision_document(decision)
    layout = Layout(title=f"Quyết định {decision.number_display}")
    layout.header(issuer=doc.issuer, number=doc.number_line, place_date=doc.place_date)
    layout.title("QUYẾT ĐỊNH", (doc.subject,))
    layout.centred(doc.deciding_body, after=12)
    for basis in doc.legal_bases:
        layout.basis(basis)
    if doc.proposed_by:
        layout.basis(f"Xét đề nghị của {doc.proposed_by}.")
    layout.centred("QUYẾT ĐỊNH:")
    forms = ", ".join(group.form for group in doc.groups)
    if doc.has_annex:
        layout.article(
            "Điều 1.",
            f"Tặng {forms} cho {doc.count} tập thể, cá nhân có tên trong danh sách "
            "kèm theo Quyết định này.",
        )
    else:
        layout.article("Điều 1.", f"Tặng {forms} cho các tập thể, cá nhân có tên sau:")
        _lines(layout, doc)
    if doc.total:
        layout.paragraph(
            f"Tổng số tiền thưởng: {doc.total} đồng, chi từ Quỹ thi đua, khen "
            "thưởng theo quy định."
        )
    layout.article("Điều 2.", doc.execution)
    layout.closing(
        recipients=doc.distribution,
        signers=(Signer(lines=tuple(doc.capacity), name=doc.signer),),
    )
    if doc.has_annex:
        layout.new_page()
        layout.title(
            "DANH SÁCH",
            (f"các tập thể, cá nhân được tặng {forms}",),
            note=doc.annex_note,
        )
        _lines(layout, doc)
    return layout.bytes()


def _lines(layout, doc):
    """The recipients by award form, numbered, with achievements and reward."""
    for group in doc.groups:
        layout.heading(f"{group.form}:")
        for index, line in enumerate(group.lines, start=1):
            recipient = f"{index}. {line.recipient}"
            if line.details:
                recipient = f"{recipient}, {line.details}"
            layout.paragraph(f"{recipient}.")
            if line.achievements:
                layout.paragraph(f"Đã có thành tích: {line.achievements}")
            layout.paragraph(line.amount, italic=True)


def decision_filename(decision):
    return f"quyet-dinh-{decision.number:02d}-{decision.year}.docx"
