"""The award registry: search without diacritics, the unit's history, the
ranking bonus it feeds and the statistics."""

from decimal import Decimal

import pytest

from awards import selectors, services
from awards.models import AwardForm, Grant, fold, person_key
from pledges import selectors as pledge_selectors
from pledges import services as pledge_services
from tests.awards.proposal_helpers import (
    appraised,
    decide,
    draft,
    granted_proposal,
    nominate,
)
from tests.clusters.factories import UnitFactory
from tests.pledges.conftest import CONTENT

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Huyện Châu Thành", "huyen chau thanh"),
        ("ĐẶNG Thị  Đào", "dang thi dao"),
        ("Thị xã Long Mỹ", "thi xa long my"),
        ("", ""),
    ],
)
def test_fold_drops_diacritics_case_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_person_key_joins_name_and_organisation():
    assert person_key("Nguyễn Văn An", "UBND huyện A") == "nguyen van an|ubnd huyen a"
    assert person_key("", "UBND") == ""


def _grant_to_chau_thanh(world):
    chau_thanh = world.unit_a
    type(chau_thanh).objects.filter(pk=chau_thanh.pk).update(
        name="Huyện Châu Thành", short_name="Châu Thành"
    )
    chau_thanh.refresh_from_db()
    return granted_proposal(world, chau_thanh)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("chau thanh", True),
        ("Châu Thành", True),
        ("CHAU   THANH", True),
        ("chau", True),
        ("thanh", True),  # the start of any word
        ("hanh", False),
        ("co thi dua", True),  # the form's name
        ("05/qđ-ubnd", True),  # the decision number
        ("vi thanh", False),
        ("chau thanh a", False),
    ],
)
def test_registry_search_ignores_diacritics(world, query, found):
    _grant_to_chau_thanh(world)
    rows = list(selectors.registry_search(world.authority.pk, query=query))
    assert len(rows) == (1 if found else 0)


def test_registry_filters_by_year_form_and_unit_and_authority(world):
    decision = granted_proposal(world)
    grant = Grant.objects.get(decision=decision)
    search = selectors.registry_search
    assert list(search(world.authority.pk, year=2024)) == [grant]
    assert list(search(world.authority.pk, year=2023)) == []
    assert list(search(world.authority.pk, form=grant.award_form_id)) == [grant]
    assert list(search(world.authority.pk, unit=world.unit_deputy.pk)) == []
    other = world.users["other_admin"].authority_id
    assert list(search(other, query="huyen")) == []


def test_unit_history_lists_its_grants_newest_first(world):
    granted_proposal(world, code="co-tinh", number=1, year=2022)
    granted_proposal(world, code="bk-tinh", number=2, year=2023)
    history = selectors.unit_award_history(world.unit_a)
    assert [(g.year, g.award_form.code) for g in history] == [
        (2022 + 1, "bk-tinh"),
        (2022, "co-tinh"),
    ]


def test_award_bonus_reads_last_years_grants_of_forms_with_a_bonus(world):
    granted_proposal(world, world.unit_a, "co-tinh", number=1, year=2023)
    granted_proposal(world, world.unit_deputy, "bk-tinh", number=2, year=2023)
    granted_proposal(world, world.unit_chair, "co-tinh", number=3, year=2022)
    bonus = selectors.award_bonus(world.term)
    assert bonus == {
        world.unit_a.pk: [
            ("Cờ thi đua của Ủy ban nhân dân tỉnh 2023", Decimal(1)),
        ]
    }


def test_award_bonus_skips_units_that_are_not_members(world):
    outsider = UnitFactory(authority=world.authority)
    proposal = draft(world)
    nominee = nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    decide(world, proposal, [nominee])
    Grant.objects.update(unit=outsider, year=2023)
    assert selectors.award_bonus(world.term) == {}


def test_award_bonus_runs_one_query(world, django_assert_num_queries):
    for number in range(1, 4):
        granted_proposal(world, world.unit_a, "co-tinh", number=number, year=2023)
    world.term.cluster  # noqa: B018  (loaded, as callers have it)
    with django_assert_num_queries(1):
        selectors.award_bonus(world.term)


def test_ranking_gets_the_bonus_line_and_the_cap(world):
    pledge_services.pledge_create(
        term=world.term, actor=world.users["admin"], content=CONTENT
    )
    granted_proposal(world, world.unit_a, "co-tinh", number=1, year=2023)
    granted_proposal(world, world.unit_a, "co-chinh-phu", number=2, year=2023)

    def standing():
        return next(
            s
            for s in pledge_selectors.term_standings(world.term)
            if s.unit.pk == world.unit_a.pk
        )

    lines = [
        (line.code, line.points) for line in standing().lines if line.kind == "bonus"
    ]
    assert ("Cờ thi đua của Ủy ban nhân dân tỉnh 2023", Decimal(1)) in lines
    assert ("Cờ thi đua của Chính phủ 2023", Decimal(2)) in lines
    assert standing().bonus == Decimal(3)
    AwardForm.objects.filter(code="co-chinh-phu").update(ranking_bonus=9)
    assert standing().bonus == Decimal(5)  # the term's bonus cap


def test_statistics_count_by_form_year_cluster_and_unit(world):
    granted_proposal(world, world.unit_a, "co-tinh", number=1, year=2023)
    granted_proposal(world, world.unit_deputy, "ttld-xuat-sac", number=2, year=2024)
    stats = selectors.award_statistics(world.authority.pk)
    assert stats.years == [2024, 2023]
    assert [f.code for f in stats.forms] == ["co-tinh", "ttld-xuat-sac"]
    flag = stats.forms[0]
    assert stats.by_form[(flag.pk, 2023)].collectives == 1
    assert stats.year_totals[2024].amount == Decimal(3510000)
    assert stats.clusters[0][0] == "Cụm A"
    assert sorted(stats.clusters[0][1]) == [2023, 2024]
    assert [unit.name for unit, _y, _t in stats.units] == ["Huyện A", "Huyện Phó"]
    only_2023 = selectors.award_statistics(world.authority.pk, year=2023)
    assert only_2023.years == [2023]


def test_statistics_run_constant_queries(world, django_assert_num_queries):
    granted_proposal(world, world.unit_a, "co-tinh", number=1, year=2023)
    with django_assert_num_queries(6):
        selectors.award_statistics(world.authority.pk)
    services.catalogue_for(world.authority)
    granted_proposal(world, world.unit_deputy, "bk-tinh", number=2, year=2024)
    with django_assert_num_queries(6):
        selectors.award_statistics(world.authority.pk)
