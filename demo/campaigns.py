"""The campaigns of the Hậu Giang demo: in 2023 the members of
the cluster of districts, towns and cities carried out six themed campaigns and
one ad-hoc campaign launched by the provincial People's Committee.

The office-culture campaign's title and launch date (03/07/2019) are those of
the province's campaign; every other title is a plausible one, and decision
numbers, signers and figures are illustrative. Each campaign is therefore
flagged `is_sample`, and its pages say so. Every write goes through the
services; loading twice changes nothing."""

import datetime
from decimal import Decimal

from campaigns import services
from campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignScope,
    CampaignState,
    ReportKind,
    ReviewStage,
)

LAUNCHED_BY = "UBND tỉnh Hậu Giang"
SIGNER = "KT. Chủ tịch – Phó Chủ tịch UBND tỉnh (mẫu)"
ACTIVITIES = ("Số hoạt động đã tổ chức", "hoạt động")
PEOPLE = ("Số lượt người tham gia", "lượt người")
# kind, title, slogan, decision number, decision date, start, end, final
# deadline, (figure, unit of measure) besides the two common ones
CAMPAIGNS = [
    (
        CampaignKind.THEMED,
        "Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở",
        "Xây dựng phong cách ứng xử chuẩn mực, chuyên nghiệp, vì nhân dân phục vụ.",
        "1450/QĐ-UBND",
        datetime.date(2019, 7, 3),
        datetime.date(2019, 7, 3),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 15),
        ("Số cơ quan, đơn vị đạt chuẩn văn hóa công sở", "cơ quan"),
    ),
    (
        CampaignKind.THEMED,
        "Hậu Giang chung sức xây dựng nông thôn mới năm 2023",
        "Nâng chất các tiêu chí nông thôn mới nâng cao, nông thôn mới kiểu mẫu.",
        "215/QĐ-UBND",
        datetime.date(2023, 2, 10),
        datetime.date(2023, 2, 10),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 15),
        ("Kinh phí vận động xã hội hóa", "triệu đồng"),
    ),
    (
        CampaignKind.THEMED,
        "Thi đua đẩy mạnh cải cách hành chính và chuyển đổi số năm 2023",
        "Chính quyền phục vụ, người dân và doanh nghiệp hài lòng.",
        "226/QĐ-UBND",
        datetime.date(2023, 2, 14),
        datetime.date(2023, 2, 14),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 15),
        ("Số thủ tục hành chính được đơn giản hóa", "thủ tục"),
    ),
    (
        CampaignKind.THEMED,
        "Vì người nghèo – Không để ai bị bỏ lại phía sau năm 2023",
        "Chung tay giảm nghèo bền vững.",
        "318/QĐ-UBND",
        datetime.date(2023, 3, 1),
        datetime.date(2023, 3, 1),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 15),
        ("Số hộ thoát nghèo", "hộ"),
    ),
    (
        CampaignKind.THEMED,
        "Thi đua bảo đảm trật tự, an toàn giao thông năm 2023",
        "Kéo giảm tai nạn giao thông trên cả ba tiêu chí.",
        "402/QĐ-UBND",
        datetime.date(2023, 3, 20),
        datetime.date(2023, 3, 20),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 15),
        ("Số buổi tuyên truyền an toàn giao thông", "buổi"),
    ),
    (
        CampaignKind.THEMED,
        "Thi đua lập thành tích chào mừng kỷ niệm 20 năm thành lập tỉnh Hậu Giang "
        "(2004 – 2024)",
        "Lập thành tích thiết thực chào mừng ngày 01/01/2024.",
        "850/QĐ-UBND",
        datetime.date(2023, 5, 26),
        datetime.date(2023, 6, 1),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 20),
        ("Số công trình, phần việc chào mừng", "công trình"),
    ),
    (
        CampaignKind.AD_HOC,
        "Đợt thi đua cao điểm đẩy nhanh giải ngân vốn đầu tư công năm 2023",
        "Giải ngân 100% kế hoạch vốn đầu tư công được giao.",
        "1320/QĐ-UBND",
        datetime.date(2023, 8, 15),
        datetime.date(2023, 8, 15),
        datetime.date(2023, 12, 31),
        datetime.date(2023, 12, 20),
        ("Tỷ lệ giải ngân vốn đầu tư công", "%"),
    ),
]
# Per unit (the demo's UNIT_ORDER of pledges.demo) a size factor for figures.
FACTORS = [Decimal(x) for x in ("1.3", "1.1", "0.9", "1.2", "1.15", "0.85", "1.1", "1")]


def _figures(campaign, index, number):
    """Illustrative figures of unit `index` in campaign `number`."""
    factor = FACTORS[index % len(FACTORS)]
    values = {}
    for metric in campaign.metrics.order_by("position"):
        if metric.unit_of_measure == "%":
            value = min(Decimal("92.5") + factor * 5, Decimal(100))
        elif metric.title == ACTIVITIES[0]:
            value = (Decimal(12 + 3 * number) * factor).quantize(Decimal(1))
        elif metric.title == PEOPLE[0]:
            value = (Decimal(850 + 120 * number) * factor).quantize(Decimal(1))
        elif metric.unit_of_measure == "triệu đồng":
            value = (Decimal(1500) * factor).quantize(Decimal(1))
        else:
            value = (Decimal(4 + number) * factor).quantize(Decimal(1))
        values[metric] = value
    return values


def _exemplars(unit, number):
    if number % 3:
        return []
    return [
        {
            "kind": "collective",
            "name": f"Phòng Nội vụ {unit.name.lower()}",
            "position": unit.name,
            "achievement": "Tham mưu tổ chức phong trào hiệu quả, phù hợp thực tế "
            "địa phương (số liệu mẫu).",
        }
    ]


def _final_report(campaign, unit, officer, staff, index, number):
    report = services.report_start(
        campaign=campaign, unit=unit, kind=ReportKind.FINAL, actor=officer
    )
    if report.state == "accepted":
        return
    report = services.report_save(
        report=report,
        actor=officer,
        activities=(
            f"{unit.name} ban hành kế hoạch thực hiện, tổ chức phát động và lồng "
            f"ghép phong trào “{campaign.title}” với nhiệm vụ chính trị của địa "
            "phương; định kỳ kiểm tra, đánh giá kết quả (số liệu mẫu)."
        ),
        figures=_figures(campaign, index, number),
        exemplars=_exemplars(unit, number),
    )
    report = services.report_submit(report=report, actor=officer)
    services.report_accept(report=report, actor=staff)


def load(*, authority, cluster, officers, staff):
    """The seven 2023 campaigns of `authority` reaching `cluster`, each with the
    accepted final reports of every unit of `officers` [(unit, officer)], its
    final summary, and closed. Campaigns that exist are left as they are."""
    officers = sorted(officers, key=lambda pair: pair[0].name)
    for number, spec in enumerate(CAMPAIGNS, start=1):
        kind, title, slogan, decision, decided_on, start, end, deadline, extra = spec
        if Campaign.objects.filter(
            authority=authority, title=title, start_date=start
        ).exists():
            continue
        campaign = services.campaign_create(
            authority=authority,
            actor=staff,
            kind=kind,
            title=title,
            slogan=slogan,
            launched_by=LAUNCHED_BY,
            decision_number=decision,
            decision_date=decided_on,
            decision_signer=SIGNER,
            start_date=start,
            end_date=end,
            scope=CampaignScope.CLUSTERS,
            clusters=[cluster],
            expected_outcomes="Mỗi đơn vị xây dựng kế hoạch, đăng ký nội dung "
            "thi đua phù hợp với địa phương, tránh hình thức; báo cáo tổng kết "
            "trước hạn.",
            metrics=[ACTIVITIES, PEOPLE, extra],
            is_sample=True,
        )
        campaign = services.campaign_transition(
            campaign=campaign, to_state=CampaignState.LAUNCHED, actor=staff
        )
        for index, (unit, officer) in enumerate(officers):
            _final_report(campaign, unit, officer, staff, index, number)
        campaign = services.campaign_update(
            campaign=campaign, actor=staff, final_deadline=deadline
        )
        campaign = services.campaign_transition(
            campaign=campaign, to_state=CampaignState.FINAL_REVIEW, actor=staff
        )
        services.review_save(
            campaign=campaign,
            stage=ReviewStage.FINAL,
            actor=staff,
            held_on=datetime.date(2024, 1, 20),
            summary=f"Các đơn vị trong Cụm triển khai phong trào “{title}” "
            "đồng bộ, bám sát thực tiễn địa phương; 8/8 đơn vị gửi báo cáo tổng "
            "kết đúng hạn (số liệu mẫu).",
            highlights="Nhiều cách làm hay được nhân rộng; phong trào gắn với "
            "nhiệm vụ phát triển kinh tế – xã hội, tránh hình thức.",
            shortcomings="Một số nội dung thi đua còn chung chung, chưa lượng "
            "hóa được kết quả.",
        )
        services.campaign_transition(
            campaign=campaign, to_state=CampaignState.CLOSED, actor=staff
        )
