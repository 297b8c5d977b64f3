"""A campaign's mid-term or final review summary as a Word report in the layout
of Decree 30/2020/NĐ-CP, laid out by `core.documents`. Dated the day the review
was held (blank for the clerk until then), numbered "Số:      /BC-HĐTĐKT" for
the office to fill in. The document body is Vietnamese whatever the UI
language."""

from dataclasses import dataclass

from core.documents import (
    MOTTO,
    SUB_MOTTO,
    TO_BE_FILLED,
    Layout,
    Signer,
    vn_date_line,
    vn_number,
)
from core.filenames import download_filename, slug

from . import selectors
from .models import CampaignScope, ExemplarKind, ReportKind, ReportState, ReviewStage

ISSUER_BODY = "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG"
NUMBER = "Số:      /BC-HĐTĐKT"
# Sent to the units taking part: there is no "Kính gửi" above, so no
# "Như trên" (Decree 30/2020/NĐ-CP, Appendix I).
RECIPIENTS = ("Các đơn vị tham gia phong trào;", "Lưu: VT.")
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
    number: str
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
    # Dated the day the review was held; blank for the clerk until then.
    day = review.held_on if review else None
    return ReviewDocument(
        issuer=authority.name.upper(),
        cluster=ISSUER_BODY,
        place_date=vn_date_line(authority.place_name, day),
        number=NUMBER,
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


def review_docx(campaign, stage):
    """The review summary as .docx bytes in the layout of `core.documents`: the
    authority and its emulation council in the header with the number line,
    the national motto, place and date; the launch, the summary, the
    participation table, the figures added up, the exemplars, the overall
    assessment, then "Nơi nhận" beside the council chair's signature."""
    doc = review_document(campaign, stage)
    layout = Layout(title=f"{doc.title} {doc.subtitle}")
    layout.header(
        parent=doc.issuer,
        issuer=(doc.cluster,),
        number=doc.number,
        place_date=doc.place_date,
    )
    layout.title(doc.title, (doc.subtitle,), note=doc.period)
    layout.heading(HEADINGS[0])
    _body(layout, doc.launch)
    layout.heading(HEADINGS[1])
    _body(layout, doc.summary)
    if doc.participation:
        layout.grid(
            (10, 60, 28, 28, None),
            ("TT", "Đơn vị", "Đăng ký", "Sơ kết", "Tổng kết"),
            _numbered(doc.participation),
        )
    layout.heading(HEADINGS[2])
    if doc.sums:
        layout.grid(
            (10, 90, 30, None),
            ("TT", "Nội dung", "Đơn vị tính", "Tổng cộng"),
            _numbered(doc.sums),
            numbers=(3,),
        )
    else:
        _body(layout, ("Phong trào không có số liệu định lượng.",))
    layout.heading(HEADINGS[3])
    if doc.exemplars:
        layout.grid(
            (10, 20, 40, 30, 30, None),
            (
                "TT",
                "Loại",
                "Tên",
                "Chức vụ, đơn vị công tác",
                "Đơn vị đề xuất",
                "Thành tích",
            ),
            _numbered(doc.exemplars),
        )
    else:
        _body(layout, ("Chưa có gương điển hình được đề xuất.",))
    layout.heading(HEADINGS[4])
    if doc.highlights:
        layout.heading("1. Ưu điểm, điểm nổi bật")
        _body(layout, doc.highlights)
    if doc.shortcomings:
        layout.heading("2. Hạn chế và bài học kinh nghiệm")
        _body(layout, doc.shortcomings)
    if not doc.highlights and not doc.shortcomings:
        _body(layout, (TO_BE_FILLED,))
    layout.closing(
        recipients=RECIPIENTS,
        signers=(Signer(lines=("TM. HỘI ĐỒNG", "CHỦ TỊCH"), name=""),),
    )
    return layout.bytes()


def _body(layout, lines):
    for line in lines:
        layout.paragraph(line)


def _numbered(rows):
    return tuple((str(n), *row) for n, row in enumerate(rows, start=1))


def filename(campaign, stage):
    stem = "so-ket" if stage == ReviewStage.MIDTERM else "tong-ket"
    title = slug(campaign.title) or campaign.pk
    return download_filename(stem, title, extension="docx")
