"""An illustrative block of provincial departments for the demo — sample data,
not taken from a source (the cluster is flagged `is_sample` and every page
showing it says so) — so that the province dashboard compares more than one
cluster: 2023 scored, one objection answered and the ranking published; 2024
reported, scored by peers and in the right-of-reply stage with one objection
waiting for the chair's answer. Everything goes through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from clusters import services as cluster_services
from clusters.models import Cluster, ClusterKind, Role, Term, TermState, UnitKind
from demo.hau_giang import peer_score_all
from pledges import services
from pledges.models import (
    Objection,
    Pledge,
    PledgeState,
    RankingSnapshot,
    ReplyWaiver,
    Report,
)

BLOCK_NAME = "Khối thi đua các sở, ban, ngành tỉnh"
# (username, unit name, short name); the order is the block's rotation order.
UNITS = [
    ("sotaichinh", "Sở Tài chính", "Sở Tài chính"),
    ("soxaydung", "Sở Xây dựng", "Sở Xây dựng"),
    ("soyte", "Sở Y tế", "Sở Y tế"),
    ("sogddt", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ("sonnmt", "Sở Nông nghiệp và Môi trường", "Sở NN&MT"),
    ("sovhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL"),
]
VALID_FROM = datetime.date(2004, 1, 1)


def _assessed(code, title, max_points):
    return {"code": code, "title": title, "kind": "assessed", "max_points": max_points}


def _percent(code, title):
    return {"code": code, "title": title, "unit_of_measure": "%", "aggregation": "mean"}


CONTENT = {
    "sections": [
        {
            "code": "I",
            "title": "Thực hiện nhiệm vụ chuyên môn được giao",
            "max_points": "50",
            "criteria": [
                {
                    "code": "I.1",
                    "title": "Kết quả thực hiện chỉ tiêu được giao",
                    "kind": "indicator",
                    "max_points": "25",
                    "indicators": [
                        _percent(
                            "KT1",
                            "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
                        ),
                        _percent("KT2", "Tỷ lệ giải ngân vốn đầu tư công được giao"),
                    ],
                },
                _assessed("I.2", "Chất lượng tham mưu văn bản cho UBND tỉnh", "25"),
            ],
        },
        {
            "code": "II",
            "title": "Cải cách hành chính và chuyển đổi số",
            "max_points": "25",
            "criteria": [
                _assessed("II.1", "Kết quả Chỉ số cải cách hành chính", "15"),
                _assessed("II.2", "Cung cấp dịch vụ công trực tuyến", "10"),
            ],
        },
        {
            "code": "III",
            "title": "Công tác thi đua, khen thưởng và xây dựng cơ quan",
            "max_points": "25",
            "criteria": [
                _assessed("III.1", "Tổ chức các phong trào thi đua", "15"),
                _assessed("III.2", "Xây dựng cơ quan, đoàn thể vững mạnh", "10"),
            ],
        },
    ]
}
PLAN = {"KT1": Decimal(98), "KT2": Decimal(95)}
# Per unit (in UNITS order), per year: actuals of KT1 and KT2.
ACTUALS = {
    2023: {
        "KT1": ["99.2", "97.5", "98.8", "96.1", "99.6", "95.4"],
        "KT2": ["96.3", "91.2", "97.8", "88.5", "95.0", "93.1"],
    },
    2024: {
        "KT1": ["99.5", "98.6", "98.1", "97.9", "99.1", "96.8"],
        "KT2": ["97.0", "94.8", "96.2", "92.4", "95.6", "90.3"],
    },
}
# Points below the maximum of each assessed criterion in the self-scores.
SHORTFALL = {
    "I.2": ["1", "2", "1.5", "3", "1", "2.5"],
    "II.1": ["0.5", "1.5", "1", "2", "1", "2"],
    "II.2": ["0", "1", "0.5", "1.5", "0.5", "1"],
    "III.1": ["1", "1", "2", "2", "0.5", "1.5"],
    "III.2": ["0.5", "0.5", "1", "1", "0", "1"],
}
OBJECTIONS = {
    2023: (
        "Sở Giáo dục và Đào tạo",
        "II.1",
        "Chỉ số cải cách hành chính của Sở tăng 3 bậc; đề nghị xem lại điểm chấm.",
        "Chấp nhận: kết quả Chỉ số đã được công bố chính thức.",
    ),
    2024: (
        "Sở Nông nghiệp và Môi trường",
        "III.1",
        "Sở đã tổ chức thêm phong trào thi đua chuyên đề về chuyển đổi số; "
        "đề nghị cộng điểm theo minh chứng bổ sung.",
        None,  # waiting for the chair's answer
    ),
}


def load(*, authority, admin, staff, make_user, advance):
    """Create the block (idempotent). `make_user(username, full_name, role,
    unit)` returns the demo user; `advance(term, state)` walks a term on."""
    units, officers = {}, []
    for username, name, short_name in UNITS:
        unit = authority.units.filter(name=name).first()
        if unit is None:
            unit = cluster_services.unit_create(
                actor=admin,
                authority=authority,
                name=name,
                short_name=short_name,
                kind=UnitKind.PROVINCE_DEPARTMENT,
                valid_from=VALID_FROM,
            )
        units[username] = unit
        officers.append(
            (
                unit,
                make_user(
                    username, f"Cán bộ thi đua {short_name}", Role.UNIT_OFFICER, unit
                ),
            )
        )
    cluster = Cluster.objects.filter(authority=authority, name=BLOCK_NAME).first()
    if cluster is None:
        cluster = cluster_services.cluster_create(
            actor=admin,
            authority=authority,
            name=BLOCK_NAME,
            kind=ClusterKind.BLOCK,
            is_sample=True,
            description="Dữ liệu minh họa (không lấy từ nguồn): các sở của tỉnh.",
        )
        for username, *_ in UNITS:
            cluster_services.rotation_add(
                cluster=cluster, unit=units[username], actor=admin
            )
    members = list(units.values())
    terms = {}
    for year, chair, deputy in (
        (2023, "sotaichinh", "soxaydung"),
        (2024, "soxaydung", "soyte"),
    ):
        term = Term.objects.filter(cluster=cluster, year=year).first()
        if term is None:
            term = cluster_services.term_create(
                cluster=cluster,
                year=year,
                actor=admin,
                units=members,
                chair=units[chair],
                deputy=units[deputy],
            )
        if year == 2024 and term.reply_deadline is None:
            term = cluster_services.term_update(
                term=term,
                actor=admin,
                reply_deadline=timezone.localdate() + datetime.timedelta(days=14),
            )
        terms[year] = _through_the_year(term, year, officers, admin, staff, advance)
    return cluster


def _through_the_year(term, year, officers, admin, staff, advance):
    """Pledge, reports, peer scores and objection of one year; 2023 ends
    published, 2024 in the right-of-reply stage."""
    target_state = TermState.RANKED if year == 2023 else TermState.REPLY
    order = list(TermState)
    if order.index(TermState(term.state)) >= order.index(target_state):
        return term
    _pledge(term, officers, admin, year)
    term = advance(term, TermState.REPORTING)
    _reports(term, officers, year, admin)
    term = advance(term, TermState.SCORING)
    _peer_scores(term, officers)
    term = advance(term, TermState.REPLY)
    unit_name, code, text, answer = OBJECTIONS[year]
    officer_of = {unit.pk: officer for unit, officer in officers}
    report = Report.objects.select_related("term").get(term=term, unit__name=unit_name)
    criterion = term.pledge.criteria.get(code=code)
    objection = Objection.objects.filter(report=report, criterion=criterion).first()
    if objection is None:
        objection = services.objection_raise(
            report=report,
            criterion=criterion,
            text=text,
            actor=officer_of[report.unit_id],
        )
    if answer is not None and not objection.answer:
        services.objection_answer(
            objection=objection,
            accept=True,
            new_points=criterion.max_points,
            reason=answer,
            actor=officer_of[term.chair.pk],
        )
    if year == 2023 and not RankingSnapshot.objects.filter(term=term).exists():
        # Every member waives its further right of reply; the province
        # publishes, which ranks the year.
        for membership in term.memberships.select_related("unit"):
            if not ReplyWaiver.objects.filter(term=term, unit=membership.unit).exists():
                services.reply_waive(
                    term=term,
                    unit=membership.unit,
                    actor=officer_of[membership.unit_id],
                )
        services.ranking_publish(term=term, actor=staff)
        term.refresh_from_db()
    return term


def _pledge(term, officers, admin, year):
    pledge = Pledge.objects.filter(term=term).first()
    if pledge is None:
        pledge = services.pledge_create(term=term, actor=admin, content=CONTENT)
    if pledge.state == PledgeState.DRAFT:
        indicators = {i.code: i for i in pledge.indicators.all()}
        services.targets_apply(
            pledge=pledge,
            rows=[
                (indicators[code], unit, plan, None)
                for code, plan in PLAN.items()
                for unit, _officer in officers
            ],
            actor=admin,
        )
        pledge = services.pledge_open_signing(pledge=pledge, actor=admin)
    if pledge.state == PledgeState.SIGNING:
        for unit, officer in officers:
            pledge = services.pledge_sign(
                pledge=pledge,
                unit=unit,
                actor=officer,
                signer_name="",
                signer_title="Phó Giám đốc",
                signs_for="Giám đốc",
                signed_on=datetime.date(year, 2, 10),
            )


def _reports(term, officers, year, admin):
    """Every member's report, complete, submitted and accepted by the chair's
    officer (the chair's own by the admin: nobody reviews their own)."""
    pledge = term.pledge
    indicators = {i.code: i for i in pledge.indicators.all()}
    criteria = {c.code: c for c in pledge.criteria.filter(kind="assessed")}
    chair_officer = {u.pk: o for u, o in officers}[term.chair.pk]
    for index, (unit, officer) in enumerate(officers):
        if Report.objects.filter(term=term, unit=unit).exists():
            continue
        report = services.report_start(term=term, unit=unit, actor=officer)
        for section, data in (
            (
                "indicators",
                {
                    indicators[code]: (Decimal(values[index]), "")
                    for code, values in ACTUALS[year].items()
                },
            ),
            (
                "criteria",
                {
                    c: (
                        c.max_points - Decimal(SHORTFALL[code][index]),
                        "Tự chấm theo kết quả thực hiện nhiệm vụ trong năm.",
                    )
                    for code, c in criteria.items()
                },
            ),
            (
                "summary",
                f"{unit.name} hoàn thành các nhiệm vụ được giao năm {year} "
                "(dữ liệu minh họa).",
            ),
        ):
            report = services.report_save_section(
                report=report,
                actor=officer,
                version=report.version,
                section=section,
                data=data,
            )
        report = services.report_submit(
            report=report, actor=officer, version=report.version
        )
        reviewer = chair_officer if unit.pk != term.chair.pk else admin
        services.report_accept(report=report, actor=reviewer)


def _peer_scores(term, officers):
    """Peer scores once (pledges.demo.peer_score_all)."""
    from pledges.models import Score

    if not Score.objects.filter(report__term=term, kind="peer").exists():
        peer_score_all(term, officers)
