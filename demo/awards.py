"""Demo data of the awards app (Hậu Giang), written through the
services. Each part is its own function called once from `load_demo`, and each is
idempotent: what exists is left as it is."""

import datetime

from awards import selectors, services
from awards.models import VoteKind

# Which of the flag tier's candidates (in published-rank order) each member
# ticks on its secret ballot: seven units tick both leading units, one ticks only
# the first. The ballots are anonymous; this order only decides who casts first.
NOMINATION_BALLOTS_2023 = [
    (0, 1),
    (0, 1),
    (0, 1),
    (0,),
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 1),
]
# The Bằng khen tier voted on in the same sitting (sample data, not from the
# seed, so its title says so): the units ranked after the flag's seats, three
# of them, for the certificates the proposal asks (`CERTIFICATES_2023`); which
# of them each member ticks. The first two win with 7 and 6 of 8 votes.
CERTIFICATE_CANDIDATES_2023 = 3
CERTIFICATE_BALLOTS_2023 = [
    (0, 1),
    (0, 1),
    (0, 1),
    (0, 2),
    (0, 1),
    (1, 2),
    (0, 1),
    (0, 2),
]
CERTIFICATE_TIER_2023 = (
    "Đơn vị đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh năm 2023 "
    "(phiếu bầu là dữ liệu minh họa)"
)


def load_nomination(*, term, officers):
    """The 2023 nomination vote, one sitting with two tiers: the provincial flag
    (candidates: the units ranked within the flag's quota of the published
    ranking) and the provincial chairman's certificate of merit (the next
    ranked units; sample ballots). The chair unit's officer opens it, every
    member's officer casts its unit's ballot, and the chair's officer closes
    it. Skipped unless the term is in the voting stage and has no nomination
    vote yet. Returns the vote, or None when skipped."""
    from clusters.models import TermState

    if term.state != TermState.VOTING:
        return None
    if term.votes.filter(kind=VoteKind.NOMINATION).exists():
        return None
    officer_of = {unit.pk: officer for unit, officer in officers}
    chair_officer = officer_of[term.chair.pk]
    services.catalogue_for(term.cluster.authority)
    forms = {f.code: f for f in services.tier_forms(term.cluster.authority_id)}
    ranked = _ranked_units(term)
    seats = services.nomination_seats(term, len(ranked))
    others = [unit for unit, rank in ranked if rank > seats]
    vote = services.nomination_open(
        term=term,
        actor=chair_officer,
        tiers=[
            {
                "award_form": forms[services.FLAG_FORM],
                "seats": seats,
                "candidates": [unit for unit, rank in ranked if rank <= seats],
            },
            {
                "award_form": forms["bk-tinh"],
                "seats": CERTIFICATES_2023,
                "candidates": others[:CERTIFICATE_CANDIDATES_2023],
                "title": CERTIFICATE_TIER_2023,
            },
        ],
    )
    ranks = selectors.published_ranks(term)
    options = {
        question.code: sorted(
            question.options.all(),
            key=lambda option: (ranks.get(option.unit_id, len(ranks) + 1), option.pk),
        )
        for question in vote.questions.all()
    }
    ballots = zip(
        officers, NOMINATION_BALLOTS_2023, CERTIFICATE_BALLOTS_2023, strict=True
    )
    for (unit, officer), flag_ticks, certificate_ticks in ballots:
        services.ballot_cast(
            vote=vote,
            unit=unit,
            actor=officer,
            choices={
                code: [
                    tier[i].pk
                    for i in (
                        flag_ticks if code == services.LEADING else certificate_ticks
                    )
                    if i < len(tier)
                ]
                for code, tier in options.items()
            },
        )
    return services.vote_close(vote=vote, actor=chair_officer)


# Proposal, decision and registry (awards-registry) -----------------------------

PROPOSAL_2023 = {
    "title": "Tờ trình đề nghị tặng Cờ thi đua và Bằng khen của Chủ tịch Ủy ban "
    "nhân dân tỉnh năm 2023 cho các đơn vị thuộc Cụm thi đua các huyện, thị xã, "
    "thành phố",
    "number": "01/TTr-CTĐ",
    "summary": "Năm 2023, 8 đơn vị trong Cụm thực hiện 6 phong trào thi đua theo "
    "chuyên đề và 1 phong trào đột xuất do Ủy ban nhân dân tỉnh phát động cùng "
    "phong trào thi đua thường xuyên. Giá trị sản xuất (giá so sánh 2010) hơn "
    "64.304 tỷ đồng, vượt 5,03% kế hoạch; thu ngân sách trên địa bàn đạt 100,24% "
    "kế hoạch; tổng vốn đầu tư toàn xã hội 22.700 tỷ đồng, tăng 12,09% so với năm "
    "2022; giải quyết việc làm đạt 117,39% kế hoạch. Ủy ban nhân dân các đơn vị "
    "đã khen thưởng 5.099 tập thể và 22.569 cá nhân.",
}
FLAG_ACHIEVEMENTS = (
    "Được các thành viên Cụm bình xét, suy tôn dẫn đầu phong trào thi đua năm "
    "2023 (hạng {rank} trong kết quả xếp hạng của Cụm)."
)
CERTIFICATE_ACHIEVEMENTS = (
    "Hoàn thành xuất sắc nhiệm vụ năm 2023 (hạng {rank} trong kết quả xếp hạng "
    "của Cụm)."
)
DECISION_2023 = {
    "number": 125,
    "issuer_code": "UBND",
    "issuing_body": "Ủy ban nhân dân tỉnh Hậu Giang",
    "subject": "Về việc tặng Cờ thi đua của Ủy ban nhân dân tỉnh và Bằng khen của "
    "Chủ tịch Ủy ban nhân dân tỉnh năm 2023",
    "signer_name": "Trần Văn B",
    "capacity": "kt",
    "legal_bases": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 "
    "năm 2015;\nCăn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\nCăn "
    "cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy "
    "định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
}
CERTIFICATES_2023 = 2  # the units ranked next after the flag nominees
# The illustrative block's 2023 proposal (sample data, not from the seed),
# answered by the same provincial decision as the cluster's.
BLOCK_PROPOSAL_2023 = {
    "title": "Tờ trình đề nghị tặng Cờ thi đua của Ủy ban nhân dân tỉnh năm 2023 "
    "cho đơn vị dẫn đầu Khối thi đua các sở, ban, ngành tỉnh (dữ liệu minh họa)",
    "number": "02/TTr-KTĐ",
    "summary": "Dữ liệu minh họa, không lấy từ nguồn.",
}
BLOCK_FLAG_ACHIEVEMENTS = (
    "Dẫn đầu Khối thi đua các sở, ban, ngành tỉnh năm 2023 (dữ liệu minh họa)."
)
# A Government emulation flag decided outside the system by the Prime
# Minister (sample data, not from the seed), for an earlier year, so that it
# changes no demo ranking.
EXTERNAL_FLAG = {
    "issuer": "Thủ tướng Chính phủ",
    "number": "1102/QĐ-TTg",
    "date": datetime.date(2022, 9, 20),
    "year": 2021,
    "unit_name": "Thành phố Vị Thanh",
    "reason": "Dẫn đầu phong trào thi đua năm 2021 (dữ liệu minh họa).",
}


def _ranked_units(term):
    """The members of `term` in the order of its published ranking."""
    from clusters.models import Unit

    ranks = selectors.published_ranks(term)
    units = Unit.objects.in_bulk(list(ranks))
    return [(units[pk], rank) for pk, rank in sorted(ranks.items(), key=lambda r: r[1])]


def _block_proposal(block_term, flag, staff):
    """The illustrative block's 2023 proposal (sample data): its chair unit's
    officer proposes the provincial flag for the block's first-ranked unit;
    staff receive it. None when the block's term is not proposing or already
    has a proposal."""
    from clusters.models import Role, TermState, User

    if block_term is None or block_term.state != TermState.PROPOSING:
        return None
    if block_term.award_proposals.exists():
        return None
    chair_officer = User.objects.get(unit=block_term.chair, role=Role.UNIT_OFFICER)
    proposal = services.proposal_create_for_term(
        term=block_term, actor=chair_officer, **BLOCK_PROPOSAL_2023
    )
    leader, _rank = _ranked_units(block_term)[0]
    services.nominee_add(
        proposal=proposal,
        actor=chair_officer,
        award_form=flag,
        unit=leader,
        achievements=BLOCK_FLAG_ACHIEVEMENTS,
    )
    services.proposal_submit(proposal=proposal, actor=chair_officer)
    return services.proposal_receive(proposal=proposal, actor=staff)


def load_proposal(*, term, officers, staff, block_term=None):
    """The 2023 proposal and decision: the chair unit's officer proposes the
    provincial flag for the units the nomination vote chose (or, without a
    closed vote, the top-ranked units within the flag's quota of the published
    ranking) and the certificate of merit of the provincial chairman for the
    units the vote's Bằng khen tier chose (without it, the next two ranked
    units), with an achievement report attached; the province's
    staff receive and appraise it and record decision 125/QĐ-UBND of
    17/01/2024 granting every nominee. The same decision answers the
    illustrative block's 2023 proposal (`block_term`, sample data) when the
    block is proposing. Skipped unless the term is in the proposing stage
    without a proposal. Returns the decision, or None."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from awards.models import AwardForm
    from awards.selectors.eligibility import quota_limit
    from clusters.models import TermState
    from demo.clock import on_day
    from demo.hau_giang import evidence_pdf

    if term.state != TermState.PROPOSING or term.award_proposals.exists():
        return None
    authority = term.cluster.authority
    services.catalogue_for(authority)
    flag = AwardForm.objects.get(authority=authority, code="co-tinh")
    certificate = AwardForm.objects.get(authority=authority, code="bk-tinh")
    ranked = _ranked_units(term)
    rank_of = {unit.pk: rank for unit, rank in ranked}
    leaders = selectors.nominated_units(term) or [
        unit for unit, _rank in ranked[: quota_limit(flag.quota, len(ranked))]
    ]
    others = [unit for unit, _rank in ranked if unit not in leaders]
    # The certificates go to the units the vote's Bằng khen tier chose.
    tiers = {
        form.pk: items for form, items in selectors.nominated_by_tier(term) if form
    }
    certified = [item.unit for item in tiers.get(certificate.pk, [])] or others[
        :CERTIFICATES_2023
    ]
    officer_of = {unit.pk: officer for unit, officer in officers}
    chair_officer = officer_of[term.chair.pk]
    proposal = services.proposal_create_for_term(
        term=term, actor=chair_officer, **PROPOSAL_2023
    )
    for form, units, text in (
        (flag, leaders, FLAG_ACHIEVEMENTS),
        (certificate, certified, CERTIFICATE_ACHIEVEMENTS),
    ):
        for unit in units:
            services.nominee_add(
                proposal=proposal,
                actor=chair_officer,
                award_form=form,
                unit=unit,
                achievements=text.format(rank=rank_of.get(unit.pk, "—")),
            )
    report = evidence_pdf(
        "Bao cao thanh tich nam 2023",
        "Cum thi dua cac huyen, thi xa, thanh pho tinh Hau Giang",
    )
    services.attachment_add(
        proposal=proposal,
        actor=chair_officer,
        upload=SimpleUploadedFile("bao-cao-thanh-tich-2023.pdf", report),
        description="Báo cáo thành tích năm 2023 của các đơn vị được đề nghị",
    )
    services.proposal_submit(proposal=proposal, actor=chair_officer)
    services.proposal_receive(proposal=proposal, actor=staff)
    services.proposal_appraise(
        proposal=proposal,
        actor=staff,
        note="Hội đồng Thi đua – Khen thưởng tỉnh thống nhất đề nghị.",
    )
    block_proposal = _block_proposal(block_term, flag, staff)
    also = [block_proposal] if block_proposal else []
    decided_on = datetime.date(2024, 1, 17)
    with on_day(decided_on, hour=9):  # recorded on the day it was signed
        return services.decision_record(
            proposal=proposal,
            actor=staff,
            date=decided_on,
            granted=[
                *proposal.nominees.all(),
                *(n for p in also for n in p.nominees.all()),
            ],
            also=also,
            **DECISION_2023,
        )


def load_external_grant(*, authority, staff):
    """The Government flag of `EXTERNAL_FLAG` in the registry, entered by
    staff as an award decided outside the system and marked as sample data.
    Skipped when the registry already holds it. Returns the grant, or None."""
    from awards.models import AwardForm, ExternalDecision
    from clusters.models import Unit
    from demo.clock import on_day

    data = dict(EXTERNAL_FLAG)
    if ExternalDecision.objects.filter(
        authority=authority, number=data["number"]
    ).exists():
        return None
    unit = Unit.objects.get(authority=authority, name=data.pop("unit_name"))
    services.catalogue_for(authority)
    with on_day(data["date"], hour=14):
        return services.external_grant_record(
            actor=staff,
            award_form=AwardForm.objects.get(authority=authority, code="co-chinh-phu"),
            unit=unit,
            is_sample=True,
            **data,
        )
