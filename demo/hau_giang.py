"""The Hậu Giang 2023 and 2024 pledges of the demo.

Per-unit targets add up exactly to the cluster plan figures behind the seed's
reported results: production value 64,304 billion VND at 5.03 % above plan,
budget revenue 576.449 billion at 100.24 % of plan, social investment 22,700
billion at 1.75 % above plan and 12.09 % above 2022, jobs at 117.39 % of plan."""

import datetime
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clusters import services as cluster_services
from demo.clock import on_day
from pledges import services
from pledges.models import CriterionKind, Pledge, PledgeState, Report, Target
from pledges.services.reports import REPORTING_STATES

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
# Each unit's share of the seed's 2023 actuals (each list sums to 1), so the
# units' achievements differ while the cluster totals are exactly the seed's.
ACTUAL_SHARES = {
    "CT1": ["0.165", "0.128", "0.088", "0.152", "0.139", "0.079", "0.141", "0.108"],
    "CT2": ["0.158", "0.132", "0.091", "0.149", "0.142", "0.078", "0.139", "0.111"],
    "CT3": ["0.162", "0.131", "0.089", "0.151", "0.138", "0.081", "0.139", "0.109"],
    "CT4": ["0.165", "0.121", "0.094", "0.148", "0.137", "0.083", "0.146", "0.106"],
}
COMMUNES_2023 = [2, 1, 1, 2, 1, 0, 2, 1]  # CT5 actual: Huyện Long Mỹ fell short
ONLINE_2023 = ["92.5", "88.3", "81.2", "85.6", "79.4", "76.8", "83.1", "80.5"]  # CT6


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


def actuals_2023():
    """{indicator code: the 2023 actual of every unit, in UNIT_ORDER}; CT1–CT4
    add up exactly to the seed's cluster totals."""
    rows = {
        code: split(
            total,
            [Decimal(share) for share in ACTUAL_SHARES[code]],
            0 if code == "CT4" else 3,
        )
        for code, total in ACTUAL_2023.items()
    }
    rows["CT5"] = [Decimal(n) for n in COMMUNES_2023]
    rows["CT6"] = [Decimal(n) for n in ONLINE_2023]
    return rows


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
            # The leader's name is left for the printed copy: the demo does
            # not invent one, and never takes the recording officer's.
            signer_name="",
            signer_title="Phó Chủ tịch",
            signs_for="Chủ tịch",
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
        # Drafted and opened for signing in the fortnight before the signing.
        with on_day(signed_on - datetime.timedelta(days=14)):
            _load_pledge(term, growth, signed_on, units_by_name, officers, actor)


def _load_pledge(term, growth, signed_on, units_by_name, officers, actor):
    """One year's pledge: created (or copied from the year before), its targets
    set, opened for signing and signed by every member on `signed_on`."""
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
                actuals_2023()[code]
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


# Reports ---------------------------------------------------------------------

EXPLANATIONS = {
    "II.1": "Ban hành kế hoạch, tổ chức sơ kết, tổng kết phong trào thi đua "
    "thường xuyên đúng tiến độ.",
    "II.2": "Triển khai đủ 6 phong trào thi đua theo chuyên đề và 1 phong trào "
    "đột xuất do UBND tỉnh phát động; tránh hình thức.",
    "III.1": "Chỉ số cải cách hành chính xếp loại khá, tăng so với năm trước.",
    "IV.1": "Khen thưởng đúng đối tượng, kịp thời; tăng tỷ lệ khen thưởng cho "
    "người lao động trực tiếp.",
    "IV.2": "Phát hiện, biểu dương và nhân rộng các điển hình tiên tiến trên các "
    "lĩnh vực.",
    "V.1": "Tham gia đầy đủ các cuộc họp, hoạt động do Cụm tổ chức.",
    "V.2": "Gửi báo cáo, hồ sơ thi đua đúng thời hạn quy định.",
}
# Points each unit (UNIT_ORDER) scores itself below the criterion's maximum.
SHORTFALL = {
    "II.1": ["0", "0", "0.5", "0", "0.5", "1", "0.5", "0.5"],
    "II.2": ["0.5", "0", "1", "0.5", "1", "1.5", "1", "0.5"],
    "III.1": ["0.5", "0.5", "1", "0.5", "1", "1.5", "1", "1"],
    "IV.1": ["0", "0", "0.5", "0", "0.5", "0.5", "0.5", "0.5"],
    "IV.2": ["0.5", "0", "0.5", "0.5", "1", "1", "0.5", "0.5"],
    "V.1": ["0", "0", "0", "0", "0", "0.5", "0", "0"],
    "V.2": ["0", "0", "0.5", "0", "0", "0.5", "0", "0.5"],
}
# Bonus points claimed by some units (unit name → (points, explanation)).
BONUS_2023 = {
    "Thành phố Ngã Bảy": (
        Decimal(2),
        "Mô hình “Dân vận khéo” trong xây dựng đô thị văn minh được UBND tỉnh "
        "công nhận, nhân rộng.",
    ),
    "Thành phố Vị Thanh": (
        Decimal("1.5"),
        "Mô hình chuyển đổi số cấp phường được UBND tỉnh biểu dương.",
    ),
}
# Forms of commendation the units' People's Committees used in 2023; the
# eight units' totals are the seed's 5,099 collectives and 22,569 individuals.
COMMENDATIONS_2023 = (5099, 22569)
COLLECTIVE_SHARES = ["0.12", "0.11", "0.09", "0.15", "0.15", "0.11", "0.16", "0.11"]
INDIVIDUAL_SHARES = ["0.13", "0.10", "0.08", "0.16", "0.14", "0.10", "0.17", "0.12"]
FORM_CERTIFICATE = "Giấy khen của Chủ tịch UBND cấp huyện"
FORM_ADVANCED_COLLECTIVE = "Danh hiệu Tập thể lao động tiên tiến"
FORM_ADVANCED_WORKER = "Danh hiệu Lao động tiên tiến"
FORM_GRASSROOTS_SOLDIER = "Danh hiệu Chiến sĩ thi đua cơ sở"
SUMMARY = (
    "Năm {year}, {unit} triển khai đồng bộ các phong trào thi đua do UBND tỉnh "
    "phát động gắn với nhiệm vụ chính trị của địa phương; hoàn thành và vượt "
    "phần lớn các chỉ tiêu chủ yếu. Công tác khen thưởng bảo đảm chính xác, kịp "
    "thời, hướng về cơ sở, tránh hình thức."
)
# The years' report deadlines and the days their reports were entered.
DEADLINE_2023 = datetime.date(2023, 12, 15)
REPORTED_2023 = datetime.date(2023, 12, 5)
DEADLINE_2024 = datetime.date(2024, 12, 16)
REPORTED_2024 = datetime.date(2024, 12, 9)
# 2024 stays in the reporting stage, its deadline long past: the units that
# have not submitted hold an extension granted when the demo is loaded, for
# this many days, so visitors can still submit (late, as the service marks it).
EXTENSION_DAYS = 20
EXTENSION_REASON = (
    "Gia hạn nộp báo cáo năm 2024 cho đơn vị chưa hoàn thành (dữ liệu minh họa "
    "để dùng thử)."
)
# 2024: how far each unit got. Each unit's 2024 actual is its target times the
# factor below.
GROWTH_2024 = ["1.021", "1.034", "0.987", "1.012", "1.005", "0.976", "1.018", "0.995"]
SUBMITTED_2024 = ("Thành phố Vị Thanh", "Thành phố Ngã Bảy")
RETURNED_2024 = (
    "Huyện Châu Thành A",
    "CT2",
    "Số thu ngân sách chưa khớp với báo cáo của Chi cục Thuế khu vực; đề nghị "
    "rà soát, cập nhật lại.",
)
# The other units' drafts: which indicators they have entered so far.
DRAFTS_2024 = {
    "Thị xã Long Mỹ": ("CT1",),
    "Huyện Châu Thành": ("CT1", "CT2", "CT3", "CT4"),
    "Huyện Long Mỹ": ("CT1", "CT4"),
    "Huyện Phụng Hiệp": ("CT1", "CT2", "CT3"),
    "Huyện Vị Thủy": ("CT1", "CT2"),
}


def commendations_2023():
    """{unit name: [(form, collectives, individuals)]} adding up to
    COMMENDATIONS_2023."""
    collectives = split(
        Decimal(COMMENDATIONS_2023[0]), [Decimal(s) for s in COLLECTIVE_SHARES], 0
    )
    individuals = split(
        Decimal(COMMENDATIONS_2023[1]), [Decimal(s) for s in INDIVIDUAL_SHARES], 0
    )
    rows = {}
    for name, c, i in zip(UNIT_ORDER, collectives, individuals, strict=True):
        c, i = int(c), int(i)
        certificate_c, certificate_i = c * 35 // 100, i * 25 // 100
        soldiers = i * 8 // 100
        rows[name] = [
            (FORM_CERTIFICATE, certificate_c, certificate_i),
            (FORM_ADVANCED_COLLECTIVE, c - certificate_c, 0),
            (FORM_ADVANCED_WORKER, 0, i - certificate_i - soldiers),
            (FORM_GRASSROOTS_SOLDIER, 0, soldiers),
        ]
    return rows


def _ascii(text):
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.encode("ascii", "replace").decode("ascii")


def evidence_pdf(*lines):
    """A small valid one-page PDF showing `lines` (without diacritics, in a
    standard font)."""
    shown = "".join(
        "T* ({}) Tj ".format(
            _ascii(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        )
        for line in lines
    )
    stream = f"BT /F1 12 Tf 16 TL 56 800 Td {shown}ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def _save(report, officer, section, data):
    return services.report_save_section(
        report=report,
        actor=officer,
        version=report.version,
        section=section,
        data=data,
    )


def _fill(term, unit, officer, actuals, index, year):
    """Start and complete `unit`'s report: every actual, every self-score,
    evidence where required, commendation figures and a summary."""
    pledge = term.pledge
    report = services.report_start(term=term, unit=unit, actor=officer)
    indicators = {i.code: i for i in pledge.indicators.all()}
    report = _save(
        report,
        officer,
        "indicators",
        {
            indicator: (actuals[code], "Số liệu ước thực hiện cả năm.")
            for code, indicator in indicators.items()
        },
    )
    criteria = {
        c.code: c
        for c in pledge.criteria.exclude(kind=CriterionKind.INDICATOR).order_by(
            "section__position", "position"
        )
    }
    scores = {
        criteria[code]: (
            criteria[code].max_points - Decimal(SHORTFALL[code][index]),
            EXPLANATIONS[code],
        )
        for code in SHORTFALL
    }
    if year == 2023 and unit.name in BONUS_2023:
        scores[criteria["VI.1"]] = BONUS_2023[unit.name]
    report = _save(report, officer, "criteria", scores)
    commendations = commendations_2023()[unit.name]
    if year != 2023:  # a little more than the year before
        commendations = [
            (form, c * 102 // 100, i * 102 // 100) for form, c, i in commendations
        ]
    report = _save(report, officer, "commendations", commendations)
    report = _save(
        report, officer, "summary", SUMMARY.format(year=year, unit=unit.name)
    )
    for criterion in criteria.values():
        if not criterion.evidence_required:
            continue
        content = evidence_pdf(
            f"{unit.name} - bao cao minh chung nam {year}",
            f"Tieu chi {criterion.code}: {criterion.title}",
            "Tai lieu minh hoa cua du lieu mau (demo).",
        )
        services.evidence_add(
            report=report,
            criterion=criterion,
            upload=SimpleUploadedFile(
                f"minh-chung-{criterion.code}-{year}.pdf",
                content,
                content_type="application/pdf",
            ),
            actor=officer,
        )
    return Report.objects.get(pk=report.pk)


def _submit(report, officer):
    return services.report_submit(report=report, actor=officer, version=report.version)


def _actuals_2024(term, unit, index):
    growth = Decimal(GROWTH_2024[index])
    actuals = {}
    for target in Target.objects.filter(
        indicator__pledge=term.pledge, unit=unit
    ).select_related("indicator"):
        code = target.indicator.code
        if code == "CT5":
            actuals[code] = target.planned + (1 if growth > 1 else 0)
        elif code == "CT6":
            actuals[code] = (target.planned * growth * Decimal("1.1")).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
        else:
            step = Decimal(1) if code == "CT4" else Decimal("0.001")
            actuals[code] = (target.planned * growth).quantize(step, ROUND_HALF_UP)
    return actuals


def load_reports(*, term_2023, term_2024, officers, actor):
    """The members' reports, through the services with the units' officers and
    the chair's officer as actors: every 2023 report complete, submitted and
    accepted in December 2023 before its deadline (the actuals add up to the
    seed's totals); in 2024 (deadline 16/12/2024) two submitted, one returned
    with a reason and the others in draft, each of those five and the returned
    one holding an extension so the demo can still be used. A year outside
    reporting and reports that exist are left as they are."""
    if term_2023.state in REPORTING_STATES:
        with on_day(REPORTED_2023):
            _load_reports_2023(term_2023, officers, actor)
    if term_2024.state in REPORTING_STATES:
        with on_day(REPORTED_2024):
            term_2024 = _load_reports_2024(term_2024, officers, actor)
        _extend_2024(term_2024, actor)


def _load_reports_2023(term, officers, actor):
    officer_of = {unit.pk: officer for unit, officer in officers}
    units = {unit.name: unit for unit, _officer in officers}
    if term.report_deadline is None:
        term = cluster_services.term_update(
            term=term, actor=actor, report_deadline=DEADLINE_2023
        )
    chair_officer = officer_of[term.chair.pk]
    actuals = actuals_2023()
    for index, name in enumerate(UNIT_ORDER):
        unit = units[name]
        if Report.objects.filter(term=term, unit=unit).exists():
            continue
        officer = officer_of[unit.pk]
        row = {code: values[index] for code, values in actuals.items()}
        report = _fill(term, unit, officer, row, index, 2023)
        report = _submit(report, officer)
        # The chair's own report is accepted by the province (no self-review).
        reviewer = actor if unit.pk == term.chair.pk else chair_officer
        services.report_accept(report=report, actor=reviewer)


def _load_reports_2024(term_2024, officers, actor):
    officer_of = {unit.pk: officer for unit, officer in officers}
    units = {unit.name: unit for unit, _officer in officers}
    if term_2024.report_deadline is None:
        term_2024 = cluster_services.term_update(
            term=term_2024, actor=actor, report_deadline=DEADLINE_2024
        )
    chair_officer = officer_of[term_2024.chair.pk]
    indicators = {i.code: i for i in term_2024.pledge.indicators.all()}
    for index, name in enumerate(UNIT_ORDER):
        unit = units[name]
        if Report.objects.filter(term=term_2024, unit=unit).exists():
            continue
        officer = officer_of[unit.pk]
        actuals = _actuals_2024(term_2024, unit, index)
        if name in DRAFTS_2024:
            report = services.report_start(term=term_2024, unit=unit, actor=officer)
            _save(
                report,
                officer,
                "indicators",
                {indicators[code]: (actuals[code], "") for code in DRAFTS_2024[name]},
            )
            continue
        report = _submit(_fill(term_2024, unit, officer, actuals, index, 2024), officer)
        returned_unit, code, reason = RETURNED_2024
        if name == returned_unit:
            services.report_return(
                report=report,
                actor=chair_officer,
                items=[("indicator", indicators[code], None, reason)],
            )
    return term_2024


def _extend_2024(term, actor):
    """An extension (granted on the day the demo is loaded) for each 2024
    member that has not submitted, once the deadline has passed."""
    from pledges.models import DeadlineExtension, ReportState

    today = timezone.localdate()
    if term.report_deadline is None or today <= term.report_deadline:
        return
    if DeadlineExtension.objects.filter(term=term).exists():
        return
    done = set(
        Report.objects.filter(
            term=term, state__in=(ReportState.SUBMITTED, ReportState.ACCEPTED)
        ).values_list("unit_id", flat=True)
    )
    for membership in term.memberships.select_related("unit").order_by("unit__name"):
        if membership.unit_id in done:
            continue
        services.deadline_extend(
            term=term,
            unit=membership.unit,
            until=today + datetime.timedelta(days=EXTENSION_DAYS),
            reason=EXTENSION_REASON,
            actor=actor,
        )


# Scoring and ranking of 2023 -----------------------------------------------------

OBJECTION_2023 = (
    "Huyện Châu Thành A",
    "II.2",
    "Đơn vị đã tổ chức đủ 6 phong trào chuyên đề và 1 phong trào đột xuất; "
    "đề nghị xem lại điểm theo minh chứng bổ sung.",
)


def peer_score_all(term, officers):
    """Every member scores every other member's assessed criteria a little below
    its self-score (never itself, never below 0 or above the maximum)."""
    from pledges.models import Report, SelfScore

    officer_of = {unit.pk: officer for unit, officer in officers}
    reports = list(Report.objects.filter(term=term).select_related("unit", "term"))
    selfs = list(
        SelfScore.objects.filter(
            report__term=term, criterion__kind=CriterionKind.ASSESSED
        ).select_related("criterion")
    )
    for report in reports:
        for index, scorer in enumerate(r.unit for r in reports if r.pk != report.pk):
            for own in selfs:
                if own.report_id != report.pk:
                    continue
                points = max(
                    Decimal(0), (own.points or Decimal(0)) - Decimal(index % 3) / 2
                )
                services.peer_score_set(
                    report=report,
                    criterion=own.criterion,
                    scorer_unit=scorer,
                    points=min(points, own.criterion.max_points),
                    comment="",
                    actor=officer_of[scorer.pk],
                )


def load_scores(*, term, officers, staff, advance):
    """2023 after the reports: every member scores the other members' assessed
    criteria (a little below each self-score, never above the maximum), Châu
    Thành A objects to one score and the chair accepts it, and the province
    publishes the ranking. `advance(term, state)` moves the term on."""
    from clusters.models import TermState
    from pledges.models import RankingSnapshot, Report

    if RankingSnapshot.objects.filter(term=term).exists():
        return term
    officer_of = {unit.pk: officer for unit, officer in officers}
    term = advance(term, TermState.SCORING)
    peer_score_all(term, officers)
    term = advance(term, TermState.REPLY)
    unit_name, code, text = OBJECTION_2023
    report = Report.objects.select_related("term").get(term=term, unit__name=unit_name)
    criterion = term.pledge.criteria.get(code=code)
    objection = services.objection_raise(
        report=report, criterion=criterion, text=text, actor=officer_of[report.unit_id]
    )
    chair = term.chair
    services.objection_answer(
        objection=objection,
        accept=True,
        new_points=criterion.max_points,
        reason="Minh chứng bổ sung đầy đủ 7 phong trào; chấp nhận điểm tối đa.",
        actor=officer_of[chair.pk],
    )
    # Every member says it has no further objection; the province publishes,
    # which ranks the year.
    for membership in term.memberships.select_related("unit"):
        services.reply_waive(
            term=term, unit=membership.unit, actor=officer_of[membership.unit_id]
        )
    services.ranking_publish(term=term, actor=staff)
    term.refresh_from_db()
    return term
