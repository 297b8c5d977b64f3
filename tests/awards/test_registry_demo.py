"""The Hậu Giang demo's 2023 awards: a proposal from the published ranking and
the vote, decided by 125/QĐ-UBND, in the registry (the session's demo,
tests.conftest.demo_db); that loading twice adds nothing is checked in
tests/clusters/test_demo.py."""

import datetime

from awards.models import Decision, Grant, Nominee, Proposal
from awards.selectors import award_statistics, published_ranks
from clusters.models import Authority, Term


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
