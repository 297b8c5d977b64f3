"""A campaign's mid-term or final review summary as a Word report in the layout
of Decree 30/2020/NĐ-CP, built with the pledge document's layout helpers. The
document body is Vietnamese whatever the UI language."""

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from pledges.documents import (
    MOTTO,
    SUB_MOTTO,
    TABLE_SIZE,
    TO_BE_FILLED,
    _add_row,
    _cell_text,
    _header,
    _heading,
    _page,
    _row_property,
    _setup_styles,
    _table,
    _write,
    vn_date_line,
    vn_number,
)

from . import selectors
from .models import CampaignScope, ExemplarKind, ReportKind, ReportState, ReviewStage

ISSUER_BODY = "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG"
TITLES = {ReviewStage.MIDTERM: "BÁO CÁO SƠ KẾT", ReviewStage.FINAL: "BÁO CÁO TỔNG KẾT"}
KIND_WORDS = {
    "regular": "thi đua thường xuyên",
    "themed": "thi đua theo chuyên đề",
    "ad_hoc": "thi đua đột xuất",
}
STATE_WORDS = {
    None: "Chưa gửi",
    ReportState.DRAFT: "Đang soạn",
    ReportState.SUBMITTED: "Chờ xét",
    ReportState.RETURNED: "Trả lại",
    ReportState.ACCEPTED: "Đã chấp nhận",
}
SCOPE_WORDS = {
    CampaignScope.ALL: "tất cả các cụm, khối thi đua",
    CampaignScope.CLUSTERS: "các cụm, khối thi đua: ",
    CampaignScope.UNITS: "các đơn vị: ",
}
HEADINGS = (
    "I. TÌNH HÌNH TRIỂN KHAI",
    "II. KẾT QUẢ THỰC HIỆN",
    "III. SỐ LIỆU TỔNG HỢP",
    "IV. GƯƠNG ĐIỂN HÌNH ĐƯỢC CÁC ĐƠN VỊ ĐỀ XUẤT",
    "V. ĐÁNH GIÁ CHUNG",
)


@dataclass(frozen=True)
class ReviewDocument:
    motto = MOTTO
    sub_motto = SUB_MOTTO

    issuer: str
    cluster: str  # the issuing body, bold under the governing one
    place_date: str
    title: str
    subtitle: str
    period: str
    launch: tuple
    summary: tuple
    participation: tuple  # (unit, registration, mid-term, final)
    sums: tuple  # (figure, unit of measure, accepted total)
    exemplars: tuple  # (kind, name, position, unit, achievement)
    highlights: tuple
    shortcomings: tuple


def _paragraphs(text):
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _date(day):
    return day.strftime("%d/%m/%Y") if day else TO_BE_FILLED


def review_document(campaign, stage):
    """Everything the review report shows, in Vietnamese (a constant number of
    queries: participation, reviews, scope)."""
    stage = ReviewStage(stage)
    data = selectors.participation(campaign, stage)
    review = selectors.reviews_of(campaign).get(stage)
    authority = campaign.authority
    scope = SCOPE_WORDS[campaign.scope]
    if campaign.scope == CampaignScope.CLUSTERS:
        scope += ", ".join(c.name for c in campaign.clusters.all())
    elif campaign.scope == CampaignScope.UNITS:
        scope += ", ".join(u.name for u in campaign.units.all())
    in_scope = [row for row in data.rows if row.in_scope]
    stage_kind = data.stage_kind
    reported = sum(
        1
        for row in in_scope
        if row.reports.get(stage_kind)
        and row.reports[stage_kind].state
        in (ReportState.SUBMITTED, ReportState.ACCEPTED)
    )
    accepted = sum(
        1
        for row in in_scope
        if row.reports.get(stage_kind)
        and row.reports[stage_kind].state == ReportState.ACCEPTED
    )
    launch = (
        f"Thực hiện Quyết định số {campaign.decision_number or TO_BE_FILLED} ngày "
        f"{_date(campaign.decision_date)} của {campaign.launched_by} phát động phong "
        f"trào {KIND_WORDS[campaign.kind]} “{campaign.title}”"
        + (
            f" (người ký: {campaign.decision_signer})"
            if campaign.decision_signer
            else ""
        )
        + ".",
        f"Phạm vi: {scope}; {len(in_scope)} đơn vị tham gia.",
        f"Số đơn vị gửi báo cáo {_kind_words(stage_kind)}: "
        f"{reported}/{len(in_scope)}; đã được chấp nhận: {accepted}.",
    )
    if campaign.slogan:
        launch += (f"Mục tiêu: {campaign.slogan.strip()}",)
    day = review.held_on if review and review.held_on else timezone.localdate()
    return ReviewDocument(
        issuer=authority.name.upper(),
        cluster=ISSUER_BODY,
        place_date=vn_date_line(authority.place_name, day),
        title=TITLES[stage],
        subtitle=f"Phong trào thi đua “{campaign.title}”",
        period=(
            f"(Giai đoạn từ {_date(campaign.start_date)} "
            f"đến {_date(campaign.end_date)})"
        ),
        launch=launch,
        summary=_paragraphs(review.summary) if review else (TO_BE_FILLED,),
        participation=tuple(
            (
                row.unit.name,
                *(
                    STATE_WORDS[row.reports[k].state if k in row.reports else None]
                    for k in ReportKind.values
                ),
            )
            for row in in_scope
        ),
        sums=tuple(
            (
                f"{metric.title} (bình quân các đơn vị)"
                if metric.averaged
                else metric.title,
                metric.unit_of_measure,
                vn_number(total, 2 if metric.averaged else None),
            )
            for metric, total, _with_waiting in data.sums
        ),
        exemplars=tuple(
            (
                "Tập thể" if e.kind == ExemplarKind.COLLECTIVE else "Cá nhân",
                e.name,
                e.position,
                e.report.unit.name,
                e.achievement,
            )
            for e in data.exemplars
            if e.report.state == ReportState.ACCEPTED
        ),
        highlights=_paragraphs(review.highlights) if review else (),
        shortcomings=_paragraphs(review.shortcomings) if review else (),
    )


def _kind_words(kind):
    return {
        ReportKind.REGISTRATION: "đăng ký",
        ReportKind.MIDTERM: "sơ kết",
        ReportKind.FINAL: "tổng kết",
    }[ReportKind(kind)]


def _body(document, lines):
    for line in lines:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.space_after = Pt(4)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _write(paragraph, line)


def _grid(document, width, fixed, headings, rows, *, numbers=()):
    rest = width - sum(fixed)
    widths = (*fixed, rest) if len(headings) > len(fixed) else fixed
    table = _table(document, widths, style="Table Grid")
    centre = WD_ALIGN_PARAGRAPH.CENTER
    head = _add_row(table, widths, headings, bold=True, size=TABLE_SIZE, align=centre)
    _row_property(head, "w:tblHeader")
    for number, values in enumerate(rows, start=1):
        row = _add_row(table, widths)
        _cell_text(row.cells[0], str(number), size=TABLE_SIZE, align=centre)
        for index, value in enumerate(values, start=1):
            _cell_text(
                row.cells[index],
                value,
                size=TABLE_SIZE,
                align=WD_ALIGN_PARAGRAPH.RIGHT if index in numbers else None,
            )
    return table


def review_docx(campaign, stage):
    """The review summary as .docx bytes: A4, Times New Roman, the authority and
    its emulation council in the header with the national motto, place and
    date, the launch, the summary, the participation table, the figures added
    up, the exemplars, the overall assessment and a signature block."""
    doc = review_document(campaign, stage)
    document = Document()
    _setup_styles(document)
    document.core_properties.title = f"{doc.title} {doc.subtitle}"
    document.core_properties.language = "vi-VN"
    width = _page(document.sections[0])
    _header(document, doc, width)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    title = _write(
        document.add_paragraph(), doc.title, bold=True, size=Pt(14), align=centre
    )
    title.paragraph_format.space_before = Pt(18)
    _write(document.add_paragraph(), doc.subtitle, bold=True, size=Pt(14), align=centre)
    _write(document.add_paragraph(), doc.period, italic=True, align=centre)
    _heading(document, HEADINGS[0])
    _body(document, doc.launch)
    _heading(document, HEADINGS[1])
    _body(document, doc.summary)
    if doc.participation:
        _grid(
            document,
            width,
            (Mm(10), Mm(60), Mm(28), Mm(28)),
            ("TT", "Đơn vị", "Đăng ký", "Sơ kết", "Tổng kết"),
            doc.participation,
        )
    _heading(document, HEADINGS[2])
    if doc.sums:
        _grid(
            document,
            width,
            (Mm(10), Mm(90), Mm(30)),
            ("TT", "Nội dung", "Đơn vị tính", "Tổng cộng"),
            doc.sums,
            numbers=(3,),
        )
    else:
        _body(document, ("Phong trào không có số liệu định lượng.",))
    _heading(document, HEADINGS[3])
    if doc.exemplars:
        _grid(
            document,
            width,
            (Mm(10), Mm(20), Mm(40), Mm(30), Mm(30)),
            (
                "TT",
                "Loại",
                "Tên",
                "Chức vụ, đơn vị công tác",
                "Đơn vị đề xuất",
                "Thành tích",
            ),
            doc.exemplars,
        )
    else:
        _body(document, ("Chưa có gương điển hình được đề xuất.",))
    _heading(document, HEADINGS[4])
    if doc.highlights:
        _write(document.add_paragraph(), "1. Ưu điểm, điểm nổi bật", bold=True)
        _body(document, doc.highlights)
    if doc.shortcomings:
        _write(document.add_paragraph(), "2. Hạn chế và bài học kinh nghiệm", bold=True)
        _body(document, doc.shortcomings)
    if not doc.highlights and not doc.shortcomings:
        _body(document, (TO_BE_FILLED,))
    half = width // 2
    signature = _table(document, (half, width - half))
    row = _add_row(signature, (half, width - half))
    _row_property(row, "w:cantSplit")
    _cell_text(row.cells[0], "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    for line in ("- Như trên;", "- Lưu: VT."):
        _cell_text(row.cells[0], line, size=Pt(11))
    cell = row.cells[1]
    first = _cell_text(cell, "TM. HỘI ĐỒNG", bold=True, align=centre)
    first.paragraph_format.space_before = Pt(12)
    _cell_text(cell, "CHỦ TỊCH", bold=True, align=centre)
    for _blank in range(4):
        cell.add_paragraph()
    _cell_text(cell, TO_BE_FILLED, bold=True, align=centre)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(campaign, stage):
    stem = "so-ket" if stage == ReviewStage.MIDTERM else "tong-ket"
    return f"{stem}-{slugify(campaign.title)[:60] or campaign.pk}.docx"
