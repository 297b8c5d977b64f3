"""The Hậu Giang 2023 and 2024 pledges of the demo (DESIGN.md §8).

Per-unit targets add up exactly to the cluster plan figures behind the seed's
reported results: production value 64,304 billion VND at 5.03 % above plan,
budget revenue 576.449 billion at 100.24 % of plan, social investment 22,700
billion at 1.75 % above plan and 12.09 % above 2022, jobs at 117.39 % of plan."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from . import services
from .models import Pledge, PledgeState

# Cluster totals: (plan 2023, actual 2022 or None), billions of VND unless noted.
PLAN_2023 = {
    "CT1": (Decimal("61224.41"), None),  # 64,304 / 1.0503
    "CT2": (Decimal("575.068"), None),  # 576.449 / 1.0024
    "CT3": (Decimal("22309.58"), Decimal("20251.58")),  # 22,700 / 1.0175 ; / 1.1209
    "CT4": (Decimal("13800"), None),  # jobs; 16,200 created = 117.39 %
    "CT5": (Decimal("9"), None),  # communes meeting the advanced rural standard
    "CT6": (Decimal("80"), None),  # % of online applications, a mean
}
# The seed's reported 2023 actuals, carried into 2024 as last year's actuals.
ACTUAL_2023 = {
    "CT1": Decimal("64304"),
    "CT2": Decimal("576.449"),
    "CT3": Decimal("22700"),
    "CT4": Decimal("16200"),
}
# Each unit's share of the cluster plan (sums to 1), in the order of UNITS below.
SHARES = [
    Decimal("0.16"),  # Thành phố Vị Thanh
    Decimal("0.13"),  # Thành phố Ngã Bảy
    Decimal("0.09"),  # Thị xã Long Mỹ
    Decimal("0.15"),  # Huyện Châu Thành
    Decimal("0.14"),  # Huyện Châu Thành A
    Decimal("0.08"),  # Huyện Long Mỹ
    Decimal("0.14"),  # Huyện Phụng Hiệp
    Decimal("0.11"),  # Huyện Vị Thủy
]
UNIT_ORDER = [
    "Thành phố Vị Thanh",
    "Thành phố Ngã Bảy",
    "Thị xã Long Mỹ",
    "Huyện Châu Thành",
    "Huyện Châu Thành A",
    "Huyện Long Mỹ",
    "Huyện Phụng Hiệp",
    "Huyện Vị Thủy",
]
COMMUNES = [2, 1, 1, 1, 1, 1, 1, 1]  # CT5 per unit, sums to 9


def _indicator(code, title, unit, **extra):
    return {"code": code, "title": title, "unit_of_measure": unit, **extra}


CONTENT = {
    "sections": [
        {
            "code": "I",
            "title": "Thực hiện các chỉ tiêu phát triển kinh tế – xã hội",
            "max_points": "40",
            "criteria": [
                {
                    "code": "I.1",
                    "title": "Giá trị sản xuất (giá so sánh 2010)",
                    "kind": "indicator",
                    "max_points": "10",
                    "indicators": [
                        _indicator(
                            "CT1", "Giá trị sản xuất theo giá so sánh 2010", "tỷ đồng"
                        )
                    ],
                },
                {
                    "code": "I.2",
                    "title": "Thu ngân sách nhà nước trên địa bàn",
                    "kind": "indicator",
                    "max_points": "10",
                    "indicators": [
                        _indicator(
                            "CT2",
                            "Thu ngân sách nội địa (không kể tiền sử dụng đất)",
                            "tỷ đồng",
                        )
                    ],
                },
                {
                    "code": "I.3",
                    "title": "Huy động vốn đầu tư toàn xã hội",
                    "kind": "indicator",
                    "max_points": "8",
                    "indicators": [
                        _indicator("CT3", "Tổng vốn đầu tư toàn xã hội", "tỷ đồng")
                    ],
                },
                {
                    "code": "I.4",
                    "title": "Giải quyết việc làm",
                    "kind": "indicator",
                    "max_points": "6",
                    "indicators": [
                        _indicator(
                            "CT4", "Số lao động được giải quyết việc làm", "người"
                        )
                    ],
                },
                {
                    "code": "I.5",
                    "title": "Xây dựng nông thôn mới",
                    "kind": "indicator",
                    "max_points": "6",
                    "indicators": [
                        _indicator(
                            "CT5",
                            "Số xã đạt chuẩn nông thôn mới nâng cao",
                            "xã",
                            rule="threshold",
                        )
                    ],
                },
            ],
        },
        {
            "code": "II",
            "title": "Tổ chức các phong trào thi đua do tỉnh phát động",
            "max_points": "20",
            "criteria": [
                {
                    "code": "II.1",
                    "title": "Phong trào thi đua thường xuyên",
                    "kind": "assessed",
                    "max_points": "8",
                    "evidence_required": True,
                    "guidance": "Kế hoạch, báo cáo sơ kết, tổng kết phong trào.",
                },
                {
                    "code": "II.2",
                    "title": "Phong trào thi đua theo chuyên đề, đột xuất",
                    "kind": "assessed",
                    "max_points": "12",
                    "evidence_required": True,
                    "guidance": "6 phong trào chuyên đề và 1 phong trào đột xuất "
                    "do UBND tỉnh phát động năm 2023; tránh hình thức.",
                },
            ],
        },
        {
            "code": "III",
            "title": "Cải cách hành chính, chuyển đổi số",
            "max_points": "15",
            "criteria": [
                {
                    "code": "III.1",
                    "title": "Kết quả chỉ số cải cách hành chính",
                    "kind": "assessed",
                    "max_points": "8",
                },
                {
                    "code": "III.2",
                    "title": "Dịch vụ công trực tuyến",
                    "kind": "indicator",
                    "max_points": "7",
                    "indicators": [
                        _indicator(
                            "CT6",
                            "Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình",
                            "%",
                            aggregation="mean",
                            rule="bands",
                            params={"bands": [[100, 100], [90, 80], [75, 50]]},
                        )
                    ],
                },
            ],
        },
        {
            "code": "IV",
            "title": "Công tác thi đua, khen thưởng",
            "max_points": "15",
            "criteria": [
                {
                    "code": "IV.1",
                    "title": "Khen thưởng chính xác, kịp thời, hướng về cơ sở",
                    "kind": "assessed",
                    "max_points": "8",
                    "evidence_required": True,
                },
                {
                    "code": "IV.2",
                    "title": "Phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến",
                    "kind": "assessed",
                    "max_points": "7",
                },
            ],
        },
        {
            "code": "V",
            "title": "Tham gia hoạt động của Cụm",
            "max_points": "10",
            "criteria": [
                {
                    "code": "V.1",
                    "title": "Dự họp, tham gia các hoạt động của Cụm",
                    "kind": "assessed",
                    "max_points": "5",
                },
                {
                    "code": "V.2",
                    "title": "Gửi báo cáo, hồ sơ đúng thời hạn",
                    "kind": "assessed",
                    "max_points": "5",
                },
            ],
        },
        {
            "code": "VI",
            "title": "Điểm thưởng",
            "kind": "bonus",
            "max_points": "5",
            "criteria": [
                {
                    "code": "VI.1",
                    "title": "Mô hình mới, cách làm hay được tỉnh công nhận",
                    "kind": "bonus",
                    "max_points": "5",
                }
            ],
        },
        {
            "code": "VII",
            "title": "Điểm trừ",
            "kind": "deduction",
            "max_points": "5",
            "criteria": [
                {
                    "code": "VII.1",
                    "title": "Vi phạm quy chế hoạt động của Cụm",
                    "kind": "deduction",
                    "max_points": "5",
                }
            ],
        },
    ]
}


def split(total, shares, places):
    """`total` divided by `shares`, rounded to `places`, the rounding
    remainder on the last unit so the parts add up exactly."""
    quantum = Decimal(1).scaleb(-places)
    parts = [(total * s).quantize(quantum, ROUND_HALF_UP) for s in shares[:-1]]
    return [*parts, total - sum(parts)]


def targets_2023(units_by_name):
    """Rows for `targets_apply`: every unit's plan (and 2022 actual)."""
    units = [units_by_name[name] for name in UNIT_ORDER]
    rows = {}
    for code, (plan, last) in PLAN_2023.items():
        if code == "CT5":
            plans, lasts = [Decimal(n) for n in COMMUNES], [None] * len(units)
        elif code == "CT6":
            plans, lasts = [plan] * len(units), [None] * len(units)
        else:
            places = 0 if code == "CT4" else 3
            plans = split(plan, SHARES, places)
            lasts = split(last, SHARES, 2) if last else [None] * len(units)
        rows[code] = list(zip(units, plans, lasts, strict=True))
    return rows


def _sign_all(pledge, officers, signed_on):
    for unit, officer in officers:
        version = pledge.versions.get(number=pledge.version)
        if version.signatures.filter(unit=unit).exists():
            continue
        pledge = services.pledge_sign(
            pledge=pledge,
            unit=unit,
            actor=officer,
            signer_name=officer.full_name,
            signer_title="Phó Chủ tịch UBND",
            signed_on=signed_on,
        )
    return pledge


def load(*, term_2023, term_2024, units_by_name, officers, actor):
    """Create, fill and have every member sign the 2023 and 2024 pledges; the
    2024 targets grow 6 % on the 2023 actuals, which they carry as the base."""
    for term, growth, signed_on in (
        (term_2023, None, datetime.date(2023, 2, 15)),
        (term_2024, Decimal("1.06"), datetime.date(2024, 2, 20)),
    ):
        pledge = Pledge.objects.filter(term=term).first()
        if pledge is None:
            pledge = (
                services.pledge_create(term=term, actor=actor, content=CONTENT)
                if growth is None
                else services.pledge_copy_previous(term=term, actor=actor)
            )
        if pledge.state == PledgeState.DRAFT:
            indicators = {i.code: i for i in pledge.indicators.all()}
            rows = []
            for code, entries in targets_2023(units_by_name).items():
                actuals = (
                    split(ACTUAL_2023[code], SHARES, 3)
                    if growth is not None and code in ACTUAL_2023
                    else None
                )
                for index, (unit, plan, last) in enumerate(entries):
                    if actuals is not None:
                        last = actuals[index]
                        step = Decimal(1) if code == "CT4" else Decimal("0.001")
                        plan = (last * growth).quantize(step, ROUND_HALF_UP)
                    rows.append((indicators[code], unit, plan, last))
            services.targets_apply(pledge=pledge, rows=rows, actor=actor)
            pledge = services.pledge_open_signing(pledge=pledge, actor=actor)
        if pledge.state == PledgeState.SIGNING:
            _sign_all(pledge, officers, signed_on)
