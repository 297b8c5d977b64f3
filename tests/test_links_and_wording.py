"""A link is shown only when its target answers the viewer (one
predicate for the view and the template), every stage page is reachable from
the term page for whoever may use it now, the authority's level sets the
wording, and documents carry the date of the act they record."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.decision_document import decision_document
from awards.models import Decision
from clusters import links
from clusters.models import AuthorityLevel, TermState
from demo.clock import demo_clock, on_day
from pledges.documents import vn_date_line
from tests.awards.proposal_helpers import (
    appraised,
    draft,
    granted_proposal,
    nominate,
    set_state,
)
from tests.clusters.factories import MembershipFactory, UnitFactory, officer

MEMBER_STEPS = {
    TermState.PLANNING: ["pledge"],
    TermState.REPORTING: ["pledge", "report", "totals"],
    TermState.SCORING: ["pledge", "report", "scoring", "totals"],
    TermState.REPLY: ["pledge", "report", "reply", "totals"],
    TermState.RANKED: ["pledge", "report", "ranking", "totals"],
}


def _steps(client, term):
    html = client.get(reverse("term_detail", args=[term.pk])).content.decode()
    return re.findall(r'href="([^"]+)" data-step="([a-z_]+)"', html)


def _hrefs(response):
    return set(re.findall(r'href="([^"#?]+)', response.content.decode()))


@pytest.mark.parametrize("state", list(MEMBER_STEPS))
def test_member_sees_the_steps_it_may_open_in_each_stage(world, login, state):
    term = set_state(world.term, state)
    client = login(world.users["officer"])
    steps = _steps(client, term)
    assert [key for _url, key in steps] == MEMBER_STEPS[state]
    for url, key in steps:
        if key in ("scoring", "reply"):
            # The link answers the member who was shown it.
            assert client.get(url).status_code == 200, key


@pytest.mark.parametrize("state", [TermState.REPORTING, TermState.RANKED])
def test_no_page_links_scoring_or_reply_for_a_member_outside_their_stage(
    world, login, state
):
    term = set_state(world.term, state)
    client = login(world.users["officer"])
    hrefs = _hrefs(client.get(reverse("term_detail", args=[term.pk])))
    assert reverse("peer_scoring", args=[term.pk]) not in hrefs
    assert reverse("reply", args=[term.pk]) not in hrefs


def test_chair_reaches_the_reply_page_from_the_term_page_in_the_reply_stage(
    world, login
):
    term = set_state(world.term, TermState.REPLY)
    client = login(world.users["chair_officer"])
    keys = [key for _url, key in _steps(client, term)]
    assert "reply" in keys
    assert "review" in keys
    assert client.get(reverse("reply", args=[term.pk])).status_code == 200


def test_a_unit_outside_the_term_is_refused_scoring_and_gets_no_link(world, login):
    """The same predicate decides the link and the page."""
    term = set_state(world.term, TermState.SCORING)
    stranger = world.users["other_officer"]
    assert not links.can_open(stranger, "peer_scoring", term)
    member = world.users["officer"]
    assert links.can_open(member, "peer_scoring", term)


def test_term_page_queries_do_not_grow_with_members(world, login):
    term = set_state(world.term, TermState.SCORING)
    client = login(world.users["chair_officer"])
    url = reverse("term_detail", args=[term.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(12):
        MembershipFactory(
            term=term, unit=UnitFactory(authority=world.authority, name=f"Xã {number}")
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_registry_links_only_the_officers_own_unit(world, login):
    granted_proposal(world, world.unit_a, number=5)
    granted_proposal(world, world.unit_deputy, number=6)
    officer_a = world.users["officer"]
    hrefs = _hrefs(login(officer_a).get(reverse("award_registry")))
    assert reverse("unit_detail", args=[world.unit_a.pk]) in hrefs
    assert reverse("unit_detail", args=[world.unit_deputy.pk]) not in hrefs
    staff_hrefs = _hrefs(login(world.users["staff"]).get(reverse("award_registry")))
    assert reverse("unit_detail", args=[world.unit_deputy.pk]) in staff_hrefs


def test_decision_list_links_a_proposal_only_to_those_who_may_open_it(world, login):
    decision = granted_proposal(world, world.unit_a)
    outsider = officer(world.unit_other, username="officer_other_2")
    proposal_url = reverse("proposal_detail", args=[decision.proposals.get().pk])
    hrefs = _hrefs(login(outsider).get(reverse("decision_list")))
    assert proposal_url not in hrefs
    assert login(outsider).get(proposal_url).status_code == 404
    hrefs = _hrefs(login(world.users["officer"]).get(reverse("decision_list")))
    assert proposal_url in hrefs


def test_handover_checklist_links_the_rollover_only_for_admins(world, login):
    term = set_state(world.term, TermState.DECIDED)
    rollover = reverse("term_rollover", args=[term.pk])
    url = reverse("term_handover", args=[term.pk])
    chair = login(world.users["chair_officer"])
    assert rollover not in _hrefs(chair.get(url))
    assert chair.get(rollover).status_code == 403
    assert rollover in _hrefs(login(world.users["admin"]).get(url))


def test_public_pages_do_not_link_the_login_only_home(client, db):
    hrefs = _hrefs(client.get(reverse("login")))
    assert reverse("home") not in hrefs
    assert reverse("public_rankings") in hrefs


# Wording from the authority's level -----------------------------------


@pytest.mark.parametrize(
    ("level", "committee", "word"),
    [
        (AuthorityLevel.PROVINCE, "Ủy ban nhân dân tỉnh Hậu Giang", "tỉnh"),
        (AuthorityLevel.CITY, "Ủy ban nhân dân thành phố Hậu Giang", "thành phố"),
    ],
)
def test_committee_name_and_place_word_follow_the_level(world, level, committee, word):
    authority = world.authority
    authority.level = level
    authority.place_name = "Hậu Giang"
    assert authority.committee_name == committee
    assert authority.place_word_vi == word


def test_a_new_authority_is_a_province(world):
    assert world.authority.level == AuthorityLevel.PROVINCE


def _city(world, place="Cần Thơ"):
    authority = world.authority
    authority.level = AuthorityLevel.CITY
    authority.place_name = place
    authority.save()


def test_decision_form_of_a_city_prefills_its_committee(world, login):
    _city(world)
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal, quota_reason="Thử.")
    page = login(world.users["staff"]).get(
        reverse("decision_create", args=[proposal.pk])
    )
    assert page.status_code == 200
    assert 'value="Ủy ban nhân dân thành phố Cần Thơ"' in page.content.decode()


def test_decision_document_of_a_city_names_the_citys_office(world):
    _city(world)
    decision = Decision.objects.get(pk=granted_proposal(world, world.unit_a).pk)
    document = decision_document(decision)
    assert "Chánh Văn phòng Ủy ban nhân dân thành phố," in document.execution
    assert "tỉnh" not in document.execution


def test_amount_set_by_a_city_reads_theo_quy_dinh_cua_thanh_pho(world):
    _city(world)
    decision = Decision.objects.get(pk=granted_proposal(world, world.unit_a).pk)
    groups = decision_document(decision).groups
    amounts = {line.amount for group in groups for line in group.lines}
    assert amounts == {"Mức tiền thưởng theo quy định của thành phố."}


# Documents dated by their act; the demo clock ---------------------------


def test_date_line_is_left_blank_for_an_act_not_done_yet():
    assert vn_date_line("Hậu Giang", None) == "Hậu Giang, ngày … tháng … năm …"
    assert (
        vn_date_line("Hậu Giang", datetime.date(2024, 1, 20))
        == "Hậu Giang, ngày 20 tháng 01 năm 2024"
    )


def test_demo_clock_dates_acts_and_stops_at_the_end_of_the_block(world):
    with on_day(datetime.date(2024, 1, 8)):
        first = timezone.now()
        assert timezone.localdate() == datetime.date(2024, 1, 8)
        assert timezone.now() > first
        with demo_clock(datetime.datetime(2024, 1, 17, 9)):  # noqa: DTZ001
            assert timezone.localdate() == datetime.date(2024, 1, 17)
        assert timezone.localdate() == datetime.date(2024, 1, 8)
    assert timezone.now().year >= 2026


def test_create_authority_takes_the_level(db, monkeypatch):
    from django.core.management import call_command

    from clusters.models import Authority

    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "mot-mat-khau-rat-dai-2026")
    call_command(
        "create_authority",
        "UBND thành phố Cần Thơ",
        "--place",
        "Cần Thơ",
        "--level",
        "city",
        "--admin",
        "quantri_ct",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    authority = Authority.objects.get(name="UBND thành phố Cần Thơ")
    assert authority.committee_name == "Ủy ban nhân dân thành phố Cần Thơ"
