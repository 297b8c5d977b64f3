"""The year's campaign statistics as an Excel workbook: the campaigns, then the
counts per cluster or block and per unit. Sheet names and headings stay in
Vietnamese (the file is a document of the authority); texts never run as
formulas (`pledges.xlsx.text`)."""

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pledges import xlsx

from .models import CampaignKind, CampaignScope, CampaignState

KIND_WORDS = {
    CampaignKind.REGULAR: "Thường xuyên",
    CampaignKind.THEMED: "Chuyên đề",
    CampaignKind.AD_HOC: "Đột xuất",
}
STATE_WORDS = {
    CampaignState.DRAFT: "Dự thảo",
    CampaignState.LAUNCHED: "Đã phát động",
    CampaignState.MIDTERM_REVIEW: "Sơ kết",
    CampaignState.FINAL_REVIEW: "Tổng kết",
    CampaignState.CLOSED: "Đã kết thúc",
}
SCOPE_WORDS = {
    CampaignScope.ALL: "Tất cả cụm, khối",
    CampaignScope.CLUSTERS: "Một số cụm, khối",
    CampaignScope.UNITS: "Một số đơn vị",
}
CAMPAIGN_HEADINGS = (
    "Loại",
    "Tên phong trào",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan phát động",
    "Từ ngày",
    "Đến ngày",
    "Phạm vi",
    "Trạng thái",
    "Số đơn vị tham gia",
    "Báo cáo tổng kết được chấp nhận",
)
CAMPAIGN_WIDTHS = (14, 60, 18, 14, 26, 12, 12, 18, 14, 14, 18)
COUNT_HEADINGS = (
    "Thường xuyên",
    "Chuyên đề",
    "Đột xuất",
    "Tổng số phong trào",
    "Báo cáo tổng kết được chấp nhận",
    "Báo cáo tổng kết phải có",
)


def _sheet(workbook, name, title, headings):
    """A further sheet styled like `xlsx.new_sheet`'s first one."""
    sheet = workbook.create_sheet(name)
    sheet.append([xlsx.text(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(headings))
    for cell in sheet[xlsx.HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return sheet


def _finish(sheet, widths):
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{xlsx.HEADER_ROW + 1}"
    last = get_column_letter(len(widths))
    sheet.auto_filter.ref = f"A{xlsx.HEADER_ROW}:{last}{sheet.max_row}"


def statistics_workbook(stats, year):
    """`selectors.year_statistics` as .xlsx bytes with three sheets."""
    by_kind = stats["by_kind"]
    title = (
        f"Phong trào thi đua năm {year}: {by_kind[CampaignKind.REGULAR]} thường "
        f"xuyên, {by_kind[CampaignKind.THEMED]} chuyên đề, "
        f"{by_kind[CampaignKind.AD_HOC]} đột xuất"
    )
    workbook, sheet = xlsx.new_sheet("Phong trào", title, CAMPAIGN_HEADINGS)
    text = xlsx.text
    for campaign in stats["campaigns"]:
        sheet.append(
            [
                KIND_WORDS[campaign.kind],
                text(campaign.title),
                text(campaign.decision_number),
                campaign.decision_date,
                text(campaign.launched_by),
                campaign.start_date,
                campaign.end_date,
                SCOPE_WORDS[campaign.scope],
                STATE_WORDS[campaign.state],
                campaign.reached_count,
                campaign.accepted_count,
            ]
        )
    for row in sheet.iter_rows(min_row=xlsx.HEADER_ROW + 1):
        for cell in (row[3], row[5], row[6]):
            cell.number_format = xlsx.DATE_FORMAT
    _finish(sheet, CAMPAIGN_WIDTHS)

    clusters = _sheet(
        workbook,
        "Theo cụm, khối",
        f"Phong trào thi đua năm {year} theo cụm, khối",
        ("Cụm, khối", "Số thành viên", *COUNT_HEADINGS),
    )
    for row in stats["clusters"]:
        clusters.append(
            [
                text(row.subject.name),
                row.members,
                *row.kinds,
                row.total,
                row.accepted,
                row.expected,
            ]
        )
    _finish(clusters, (50, 12, 12, 12, 12, 14, 18, 18))

    units = _sheet(
        workbook,
        "Theo đơn vị",
        f"Phong trào thi đua năm {year} theo đơn vị",
        ("Đơn vị", "Cụm, khối", *COUNT_HEADINGS),
    )
    for row in stats["units"]:
        units.append(
            [
                text(row.subject.name),
                text("; ".join(row.clusters)),
                *row.kinds,
                row.total,
                row.accepted,
                row.expected,
            ]
        )
    _finish(units, (36, 50, 12, 12, 12, 14, 18, 18))
    return xlsx.save(workbook)
