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
    decision = Decision.objects.get(proposal=proposal)
    assert decision.number_display == "125/QĐ-UBND"
    assert decision.date == datetime.date(2024, 1, 17)
    assert decision.base_salary == 1800000
    ranks = published_ranks(term)
    flags = list(
        Grant.objects.filter(award_form__code="co-tinh").values_list("unit", flat=True)
    )
    # 8 members: the flag's quota is 2, and the vote nominated the top two.
    assert sorted(ranks[pk] for pk in flags) == [1, 2]
    certificates = Grant.objects.filter(award_form__code="bk-tinh")
    assert sorted(ranks[g.unit_id] for g in certificates) == [3, 4]
    assert set(Nominee.objects.values_list("outcome", flat=True)) == {"granted"}


def test_demo_statistics_show_the_units_own_commendations(demo_db, db):
    authority = Authority.objects.get(name="UBND tỉnh Hậu Giang")
    stats = award_statistics(authority.pk, year=2023)
    assert (stats.own_total.collectives, stats.own_total.individuals) == (
        5099,
        22569,
    )
    assert stats.year_totals[2023].collectives == 4
