"""The Hậu Giang demo's 2023 awards: the nomination sitting by secret ballot,
the year-end summary, and a proposal from the published ranking and the vote,
decided by 125/QĐ-UBND, in the registry (the session's demo,
tests.conftest.demo_db); that loading twice adds nothing is checked in
tests/clusters/test_demo.py."""

import datetime

import pytest

from awards import documents, selectors
from awards.models import (
    Decision,
    Grant,
    Nominee,
    Proposal,
    Vote,
    VoteKind,
    VoteParticipation,
    VoteState,
)
from awards.selectors import award_statistics, published_ranks
from clusters.models import Authority, Term
from tests.awards.test_nomination_views import docx_text
from tests.awards.test_tiers import CERTIFICATE


def test_demo_decides_the_2023_proposal_from_the_ranking(demo_db, db):
    term = Term.objects.get(cluster__is_sample=False, year=2023)
    proposal = Proposal.objects.get(term=term)
    assert proposal.state == "decided"
    assert proposal.attachments.count() == 1
    decision = Decision.objects.get(proposals=proposal)
    assert decision.number_display == "125/QĐ-UBND"
    assert decision.date == datetime.date(2024, 1, 17)
    assert decision.base_salary == 1800000
    ranks = published_ranks(term)
    flags = list(
        Grant.objects.filter(
            award_form__code="co-tinh", nominee__proposal=proposal
        ).values_list("unit", flat=True)
    )
    # 8 members: the flag's quota is 2, and the vote nominated the top two.
    assert sorted(ranks[pk] for pk in flags) == [1, 2]
    certificates = Grant.objects.filter(award_form__code="bk-tinh")
    assert sorted(ranks[g.unit_id] for g in certificates) == [3, 4]
    assert decision.grants.filter(nominee__proposal=proposal).count() == 4
    assert set(Nominee.objects.values_list("outcome", flat=True)) == {"granted"}


def test_demo_statistics_show_the_units_own_commendations(demo_db, db):
    authority = Authority.objects.get(name="UBND tỉnh Hậu Giang")
    stats = award_statistics(authority.pk, year=2023)
    assert (stats.own_total.collectives, stats.own_total.individuals) == (
        5099,
        22569,
    )
    # The cluster's four and the sample block's flag.
    assert stats.year_totals[2023].collectives == 5


def test_demo_decision_125_also_answers_the_sample_blocks_proposal(demo_db, db):
    decision = Decision.objects.get(number=125, year=2024)
    proposals = list(decision.proposals.select_related("term__cluster"))
    assert sorted(p.term.cluster.is_sample for p in proposals) == [False, True]
    block_proposal = next(p for p in proposals if p.term.cluster.is_sample)
    assert block_proposal.state == "decided"
    assert "(dữ liệu minh họa)" in block_proposal.title
    block_grant = decision.grants.get(nominee__proposal=block_proposal)
    assert (block_grant.award_form.code, block_grant.year) == ("co-tinh", 2023)
    assert decision.grants.count() == 5


def test_demo_registry_holds_a_sample_government_flag_decided_outside(demo_db, db):
    grant = Grant.objects.get(external__isnull=False)
    assert grant.external.is_sample
    assert (grant.external.issuer, grant.external.number) == (
        "Thủ tướng Chính phủ",
        "1102/QĐ-TTg",
    )
    assert (grant.award_form.code, grant.year, grant.unit.name) == (
        "co-chinh-phu",
        2021,
        "Thành phố Vị Thanh",
    )


# The nomination sitting and the year-end summary --------------------------------


@pytest.fixture
def demo(demo_db, db):
    """The 2023 term of the demo's cluster (the session's demo, tests.conftest)."""
    return Term.objects.get(year=2023, cluster__name__startswith="Cụm thi đua các")


def test_demo_2023_held_and_closed_the_nomination_by_secret_ballot(demo):
    vote = Vote.objects.get(term=demo, kind=VoteKind.NOMINATION)
    assert vote.state == VoteState.CLOSED
    assert VoteParticipation.objects.filter(vote=vote).count() == 8
    nomination = selectors.nomination_result(vote)
    ranks = selectors.published_ranks(demo)
    leaders = sorted(ranks, key=ranks.get)[: nomination.seats]
    assert nomination.seats == 2
    assert [unit.pk for unit in nomination.winners] == leaders
    assert [unit.name for unit in nomination.winners] == [
        "Thành phố Ngã Bảy",
        "Huyện Châu Thành",
    ]
    assert [row.votes for row in nomination.rows] == [8, 7]
    assert "Đơn vị được suy tôn: Thành phố Ngã Bảy, Huyện Châu Thành." in docx_text(
        documents.vote_minutes_docx(vote)
    )
    # Loading again changes nothing: tests/clusters/test_demo.py
    # (test_demo_loads_hau_giang_and_is_idempotent) loads it a second time.
    assert Vote.objects.filter(term=demo).count() == 1


def test_demo_2023_summary_reports_the_seed_figures(demo):
    text = docx_text(documents.term_summary_docx(demo))
    for expected in (
        "5.099 tập thể và 22.569 cá nhân",
        "105,03%",
        "100,24%",
        "101,75%",
        "+12,09%",
        "117,39%",
        "Hậu Giang, ngày 20 tháng 01 năm 2024",
        "Thành phố Ngã Bảy đã bàn giao Cụm trưởng năm 2024 cho Huyện Châu Thành.",
        "các đơn vị được suy tôn: Thành phố Ngã Bảy (8/8 phiếu, 100%), Huyện Châu "
        "Thành (7/8 phiếu, 87,5%).",
        "Đơn vị xếp thứ nhất: Thành phố Ngã Bảy.",
        "Trong năm 2023, các đơn vị trong Cụm đã triển khai thực hiện 7 phong trào "
        "thi đua do UBND tỉnh Hậu Giang phát động, gồm 6 phong trào thi đua theo "
        "chuyên đề, 1 phong trào thi đua đột xuất, cùng với phong trào thi đua "
        "thường xuyên.",
    ):
        assert expected in text, expected


def test_demo_2023_summary_lists_the_proposals_and_decisions(demo):
    from awards.models import Decision, Nominee

    nominees = list(
        Nominee.objects.filter(proposal__term=demo).select_related("award_form", "unit")
    )
    decisions = list(Decision.objects.filter(proposals__term=demo))
    assert nominees
    assert decisions
    text = docx_text(documents.term_summary_docx(demo))
    for nominee in nominees:
        assert f"– {nominee.name}: {nominee.award_form.name}." in text
    for decision in decisions:
        assert f"Quyết định số {decision.number_display} ngày " in text


def test_demo_2023_sitting_chooses_the_flag_and_the_certificate(demo_db, db):
    """The seed's flag winners stay; the Bằng khen tier (sample ballots, said in
    its title) chooses the units the proposal asks the certificate for."""
    term = Term.objects.get(year=2023, cluster__name__startswith="Cụm thi đua các")
    vote = Vote.objects.get(term=term, kind="nomination")
    flag, certificate = selectors.nomination_results(vote)
    assert [u.name for u in flag.winners] == ["Thành phố Ngã Bảy", "Huyện Châu Thành"]
    assert [r.votes for r in flag.rows] == [8, 7]
    assert (certificate.award_form.code, certificate.seats) == (CERTIFICATE, 2)
    assert "dữ liệu minh họa" in certificate.question.title
    assert [r.votes for r in certificate.rows] == [7, 6, 3]
    ranks = selectors.published_ranks(term)
    assert [ranks[u.pk] for u in certificate.winners] == [3, 4]
    proposed = Nominee.objects.filter(
        proposal__term=term, award_form__code=CERTIFICATE
    ).values_list("unit", flat=True)
    assert set(proposed) == {u.pk for u in certificate.winners}
    text = docx_text(documents.vote_minutes_docx(vote))
    assert "2. Đơn vị đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in text
