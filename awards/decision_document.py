"""The award decision as a Word file in the layout of Decree 30/2020/NĐ-CP:
issuing body and number ("Số: 05/QĐ-UBND") top left, national motto and the
italic place and date line top right, the title and subject, legal bases, the
articles (recipients and rewards; execution), the distribution list and the
signature block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH"). Laid out by `core.documents` (Decree 30/2020/NĐ-CP, Appendix I).
The body is Vietnamese whatever the UI language."""

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
    layout.article("Điều 1.", f"Tặng {forms} cho các tập thể, cá nhân có tên sau:")
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
    return layout.bytes()


def decision_filename(decision):
    return f"quyet-dinh-{decision.number:02d}-{decision.year}.docx"
