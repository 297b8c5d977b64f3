"""Eligibility and quota rules, table by table (pure functions), and the
warnings a proposal shows from the registry."""

import pytest

from awards.selectors.eligibility import (
    consecutive_run,
    proposal_checks,
    quota_limit,
    rule_met,
)
from clusters.models import MemberRole
from tests.awards.proposal_helpers import (
    appraised,
    decide,
    draft,
    form,
    granted_proposal,
    nominate,
)
from tests.clusters.factories import MembershipFactory, UnitFactory

GRASSROOTS_3 = {"kind": "consecutive_years", "forms": ["cstd-co-so"], "count": 3}
PROVINCIAL_2 = {"kind": "consecutive_years", "forms": ["cstd-tinh"], "count": 2}
HOLDS_CERT = {"kind": "holds", "forms": ["bk-tinh"], "within_years": None}
FLAG_2Y = {"kind": "holds", "forms": ["co-tinh"], "within_years": 2}
THREE_IN_5 = {
    "kind": "count_in_years",
    "forms": ["cstd-co-so"],
    "times": 3,
    "within_years": 5,
}

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("rule", "holdings", "year", "expected"),
    [
        # Provincial emulation fighter: 3 consecutive grassroots titles.
        (GRASSROOTS_3, {"cstd-co-so": [2022, 2023, 2024]}, 2024, True),
        (GRASSROOTS_3, {"cstd-co-so": [2021, 2022, 2023]}, 2024, True),
        (GRASSROOTS_3, {"cstd-co-so": [2020, 2021, 2022]}, 2024, False),
        (GRASSROOTS_3, {"cstd-co-so": [2021, 2023, 2024]}, 2024, False),
        (GRASSROOTS_3, {"cstd-co-so": [2023, 2024]}, 2024, False),
        (GRASSROOTS_3, {}, 2024, False),
        (GRASSROOTS_3, {"ld-tien-tien": [2022, 2023, 2024]}, 2024, False),
        # National: two consecutive provincial titles.
        (PROVINCIAL_2, {"cstd-tinh": [2023, 2024]}, 2024, True),
        (PROVINCIAL_2, {"cstd-tinh": [2022, 2024]}, 2024, False),
        # Holds, ever or within a window.
        (HOLDS_CERT, {"bk-tinh": [2010]}, 2024, True),
        (HOLDS_CERT, {}, 2024, False),
        (FLAG_2Y, {"co-tinh": [2023]}, 2024, True),
        (FLAG_2Y, {"co-tinh": [2022]}, 2024, False),
        (FLAG_2Y, {"co-tinh": [2025]}, 2024, False),
        # Count in a window: 3 grassroots titles within 5 years.
        (THREE_IN_5, {"cstd-co-so": [2020, 2022, 2024]}, 2024, True),
        (THREE_IN_5, {"cstd-co-so": [2019, 2022, 2024]}, 2024, False),
        ({"kind": "manual", "note": "Sáng kiến"}, {}, 2024, None),
    ],
)
def test_rule_met(rule, holdings, year, expected):
    assert rule_met(rule, holdings, year) is expected


@pytest.mark.parametrize(
    ("years", "count", "year", "expected"),
    [
        ({2024}, 1, 2024, True),
        ({2023}, 1, 2024, True),
        ({2022}, 1, 2024, False),
        ({2020, 2021, 2022, 2023}, 4, 2024, True),
        (set(), 1, 2024, False),
    ],
)
def test_consecutive_run(years, count, year, expected):
    assert consecutive_run(years, count, year) is expected


FLAG_QUOTA = {"kind": "share_of_members", "percent": 20, "rounding": "up", "minimum": 1}


@pytest.mark.parametrize(
    ("quota", "members", "limit"),
    [
        (FLAG_QUOTA, 8, 2),  # 1.6 rounded up
        (FLAG_QUOTA, 10, 2),
        (FLAG_QUOTA, 11, 3),
        (FLAG_QUOTA, 3, 1),  # 0.6 rounded up
        (FLAG_QUOTA, 0, 1),  # at least 1
        ({**FLAG_QUOTA, "rounding": "down"}, 8, 1),
        ({**FLAG_QUOTA, "rounding": "down", "minimum": 0}, 3, 0),
        ({**FLAG_QUOTA, "percent": 12.5}, 8, 1),
        ({**FLAG_QUOTA, "minimum": 3}, 8, 3),
    ],
)
def test_quota_limit(quota, members, limit):
    assert quota_limit(quota, members) == limit


def _checks(proposal):
    nominees = list(proposal.nominees.select_related("award_form", "unit"))
    forms = {n.award_form_id: n.award_form for n in nominees}
    return proposal_checks(proposal, nominees, forms)


def test_flag_above_the_cluster_quota_is_flagged(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    assert [c.kind for c in _checks(proposal) if c.kind == "quota"] == []
    nominate(world, proposal, world.unit_deputy)
    quota = [c for c in _checks(proposal) if c.kind == "quota"]
    assert len(quota) == 1
    assert "2 nominees" in quota[0].message
    assert "quota of 1" in quota[0].message
    assert quota[0].citation == form(world, "co-tinh").legal_source


def test_quota_counts_members_of_the_term(world):
    for _ in range(7):
        MembershipFactory(term=world.term, unit=UnitFactory(authority=world.authority))
    proposal = draft(world)  # 10 members: 20 % → 2
    nominate(world, proposal, world.unit_a)
    nominate(world, proposal, world.unit_deputy)
    assert [c for c in _checks(proposal) if c.kind == "quota"] == []


def test_person_lacking_grassroots_titles_gets_a_prerequisite_warning(world):
    proposal = draft(world)
    nominate(
        world,
        proposal,
        code="cstd-tinh",
        person_name="Nguyễn Văn An",
        person_position="Chủ tịch",
        person_organisation="UBND huyện A",
    )
    warnings = [c for c in _checks(proposal) if c.kind == "prerequisite"]
    assert len(warnings) == 1
    assert "Nguyễn Văn An" in warnings[0].message
    assert "3 consecutive years of Chiến sĩ thi đua cơ sở" in warnings[0].message
    assert warnings[0].citation.startswith("Luật Thi đua, khen thưởng")
    reminders = [c for c in _checks(proposal) if c.kind == "reminder"]
    assert len(reminders) == 1


def test_registry_titles_meet_the_prerequisite_whatever_the_diacritics(world):
    person = {
        "person_name": "Nguyễn Văn An",
        "person_position": "Chủ tịch",
        "person_organisation": "UBND huyện A",
    }
    for number, year in enumerate((2022, 2023, 2024), start=1):
        proposal = draft(world)
        type(proposal).objects.filter(pk=proposal.pk).update(year=year)
        nominee = nominate(world, proposal, code="cstd-co-so", **person)
        appraised(world, proposal)
        decide(world, proposal, [nominee], number=number)
    proposal = draft(world)
    nominate(
        world,
        proposal,
        code="cstd-tinh",
        person_name="nguyen van an",
        person_organisation="ubnd huyen a",
    )
    assert [c.kind for c in _checks(proposal) if c.kind == "prerequisite"] == []


def test_award_already_held_for_the_year_is_flagged(world):
    granted_proposal(world, world.unit_a, "co-tinh", year=2024)
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    duplicates = [c for c in _checks(proposal) if c.kind == "duplicate"]
    assert len(duplicates) == 1
    assert "already holds" in duplicates[0].message


def test_government_flag_needs_a_provincial_flag_in_the_registry(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_chair, code="co-chinh-phu")
    assert [c.kind for c in _checks(proposal)].count("prerequisite") == 1
    granted_proposal(world, world.unit_chair, "co-tinh", number=9, year=2023)
    proposal.refresh_from_db()
    assert [c.kind for c in _checks(proposal)].count("prerequisite") == 0


def test_chair_membership_role_does_not_matter_for_quota(world):
    assert world.term.memberships.filter(role=MemberRole.CHAIR).count() == 1
    proposal = draft(world)
    nominate(world, proposal, world.unit_chair)
    assert [c for c in _checks(proposal) if c.kind == "quota"] == []
