"""One decision answering several proposals (of several clusters), the annex
of a long decision, awards decided outside the system in the registry, and
the flag winner as the rotation's leading unit."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document

from awards import selectors, services
from awards.decision_document import ANNEX_AFTER, decision_document, decision_docx
from awards.models import (
    Decision,
    ExternalDecision,
    Grant,
    NomineeOutcome,
    Proposal,
    ProposalState,
)
from awards.selectors.eligibility import holdings_of
from clusters.models import Term
from clusters.selectors import LEADERS, leading_units
from core.errors import DomainError
from pledges.selectors import ranking_leaders
from tests.awards.proposal_helpers import (
    appraised,
    decide,
    draft,
    form,
    granted_proposal,
    nominate,
    set_state,
)
from tests.clusters.factories import UnitFactory
from tests.helpers import assert_queries_stable, fuzz_form

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _other_term(world):
    return Term.objects.get(memberships__unit=world.unit_other)


def _other_cluster_proposal(world, *, received_only=False):
    """A proposal of the second cluster's term (2023), nominating its unit,
    received (and appraised unless `received_only`) by staff."""
    term = set_state(_other_term(world), "proposing")
    proposal = services.proposal_create_for_term(
        term=term,
        actor=world.users["other_officer"],
        title="Tờ trình của Cụm B",
    )
    Proposal.objects.filter(pk=proposal.pk).update(year=2023)
    proposal.refresh_from_db()
    nominee = services.nominee_add(
        proposal=proposal,
        actor=world.users["other_officer"],
        award_form=form(world, "co-tinh"),
        unit=world.unit_other,
        achievements="Dẫn đầu Cụm B.",
    )
    services.proposal_submit(proposal=proposal, actor=world.users["other_officer"])
    services.proposal_receive(proposal=proposal, actor=world.users["staff"])
    if not received_only:
        services.proposal_appraise(proposal=proposal, actor=world.users["staff"])
    return proposal, nominee


def _main_proposal(world):
    proposal = draft(world)
    nominee = nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    return proposal, nominee


# One decision, many proposals ---------------------------------------------


@pytest.mark.parametrize("received_only", [False, True])
def test_one_decision_answers_proposals_of_two_clusters(world, received_only):
    main, nominee_a = _main_proposal(world)
    other, nominee_b = _other_cluster_proposal(world, received_only=received_only)
    decision = decide(world, main, [nominee_a, nominee_b], also=[other.pk])
    main.refresh_from_db()
    other.refresh_from_db()
    assert set(decision.proposals.all()) == {main, other}
    assert main.state == other.state == ProposalState.DECIDED
    assert main.decision == other.decision == decision
    # Each grant keeps the year of its own proposal.
    years = dict(Grant.objects.values_list("unit_id", "year"))
    assert years == {world.unit_a.pk: 2024, world.unit_other.pk: 2023}
    # The workflow moved the received one through appraised, with history.
    states = list(other.history.order_by("history_id").values_list("state", flat=True))
    assert states[-2:] == ["appraised", "decided"]


def test_the_database_keeps_decided_and_the_decision_together(world):
    """A proposal is decided exactly when a decision answers it: neither a
    decided proposal without its decision nor the reverse can be stored."""
    main, nominee_a = _main_proposal(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=main.pk).update(state=ProposalState.DECIDED)
    decision = decide(world, main, [nominee_a])
    other, _nominee_b = _other_cluster_proposal(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=other.pk).update(decision=decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=main.pk).update(decision=None)


def test_a_nominee_of_a_proposal_not_answered_is_refused(world):
    main, nominee_a = _main_proposal(world)
    _other, nominee_b = _other_cluster_proposal(world)
    with pytest.raises(DomainError) as refused:
        decide(world, main, [nominee_a, nominee_b])
    assert refused.value.field == "granted"
    assert not Decision.objects.exists()
    assert not Grant.objects.exists()


def test_an_answered_proposal_without_a_granted_nominee_is_refused(world):
    """Ticking another proposal under “also answers” but none of its nominees
    would close them all as not granted: refused, naming the proposal, and
    nothing is recorded."""
    main, nominee_a = _main_proposal(world)
    other, _nominee_b = _other_cluster_proposal(world)
    with pytest.raises(DomainError) as refused:
        decide(world, main, [nominee_a], also=[other.pk])
    assert refused.value.field == "granted"
    assert "Tờ trình của Cụm B" in refused.value.message
    assert not Decision.objects.exists()
    other.refresh_from_db()
    assert other.state == ProposalState.APPRAISED
    assert set(other.nominees.values_list("outcome", flat=True)) == {"pending"}


def test_a_draft_proposal_cannot_be_answered_at_once(world):
    main, nominee_a = _main_proposal(world)
    term = set_state(_other_term(world), "proposing")
    other = services.proposal_create_for_term(
        term=term, actor=world.users["other_officer"], title="Nháp"
    )
    with pytest.raises(DomainError) as refused:
        decide(world, main, [nominee_a], also=[other.pk])
    assert refused.value.field == "also"
    main.refresh_from_db()
    assert main.state == ProposalState.APPRAISED
    assert not Decision.objects.exists()


def test_an_officer_cannot_record_a_decision(world):
    main, nominee_a = _main_proposal(world)
    with pytest.raises(DomainError):
        services.decision_record(
            proposal=main,
            actor=world.users["chair_officer"],
            number=3,
            date=datetime.date(2025, 1, 15),
            granted=[nominee_a],
            signer_name="A",
            capacity="tm",
            legal_bases="Căn cứ;",
            issuing_body="Ủy ban nhân dân tỉnh",
            subject="Về việc",
        )
    assert not Decision.objects.exists()
    main.refresh_from_db()
    assert main.state == ProposalState.APPRAISED


def test_the_decision_form_offers_the_other_proposals(world, login):
    main, nominee_a = _main_proposal(world)
    other, nominee_b = _other_cluster_proposal(world)
    client = login(world.users["staff"])
    url = reverse("decision_create", args=[main.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tờ trình của Cụm B" in html
    # The nominees are listed under their proposals, this one's first.
    own = html.index("<strong>Tờ trình này: ")
    other_head = html.index("<strong>", own + 1)
    assert (
        "Tờ trình của Cụm B" in html[other_head : html.index("</strong>", other_head)]
    )
    assert (
        own
        < html.index(f'name="granted" value="{nominee_a.pk}"')
        < other_head
        < html.index(f'name="granted" value="{nominee_b.pk}"')
    )
    response = client.post(
        url,
        {
            "number": 7,
            "issuer_code": "UBND",
            "date": "15/01/2025",
            "issuing_body": "Ủy ban nhân dân tỉnh Hậu Giang Thử",
            "issuer_kind": "collective",
            "subject": "Về việc tặng Cờ thi đua",
            "legal_bases": "Căn cứ Luật Thi đua, khen thưởng;",
            "proposed_by": "Giám đốc Sở Nội vụ",
            "signer_name": "Trần Văn Chủ",
            "capacity": "tm",
            "also": [other.pk],
            "granted": [nominee_a.pk, nominee_b.pk],
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decision_detail", args=[decision.pk])
    nominee_b.refresh_from_db()
    assert nominee_b.outcome == NomineeOutcome.GRANTED
    detail = client.get(response["Location"]).content.decode()
    assert "Tờ trình của Cụm B" in detail


def test_the_decision_form_queries_do_not_grow_with_other_proposals(world, login):
    """Each proposal's heading over its nominees reads no row of its own."""
    main, _nominee = _main_proposal(world)
    client = login(world.users["staff"])
    url = reverse("decision_create", args=[main.pk])
    assert_queries_stable(client, url, lambda: _other_cluster_proposal(world))


# The annex ----------------------------------------------------------------


def _docx_text(data):
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_a_long_decision_lists_its_grants_in_an_annex(world):
    proposal = draft(world)
    units = [
        UnitFactory(authority=world.authority, name=f"Xã {index:02d}")
        for index in range(ANNEX_AFTER + 1)
    ]
    nominees = [
        nominate(world, proposal, None, "bk-tinh", person_name=unit.name)
        for unit in units
    ]
    appraised(world, proposal, quota_reason="Nhiều tập thể.")
    decision = decide(world, proposal, nominees, number=12)
    decision = selectors.decision_detail(world.authority.pk, decision.pk)
    document = decision_document(decision)
    assert document.has_annex
    assert document.annex_note == (
        "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15 tháng 01 năm 2025 của Ủy ban "
        "nhân dân tỉnh Hậu Giang Thử)"
    )
    text = _docx_text(decision_docx(decision))
    assert "có tên trong danh sách kèm theo Quyết định này" in text
    body, annex = text.split("DANH SÁCH", 1)
    assert "Xã 00" not in body
    assert "Xã 00" in annex
    assert "Xã 10" in annex
    assert document.annex_note in annex


def test_a_short_decision_has_no_annex(world):
    proposal, nominee = _main_proposal(world)
    decision = decide(world, proposal, [nominee])
    decision = selectors.decision_detail(world.authority.pk, decision.pk)
    assert not decision_document(decision).has_annex
    text = _docx_text(decision_docx(decision))
    assert "DANH SÁCH" not in text
    assert "Huyện A" in text


# Awards decided outside the system ----------------------------------------


def _external(world, *, actor="staff", unit=None, year=2023, **fields):
    return services.external_grant_record(
        actor=world.users[actor],
        issuer=fields.pop("issuer", "Thủ tướng Chính phủ"),
        number=fields.pop("number", "123/QĐ-TTg"),
        date=fields.pop("date", datetime.date(2024, 3, 1)),
        award_form=fields.pop("award_form", form(world, "co-chinh-phu")),
        year=year,
        unit=unit if unit is not None else world.unit_a,
        **fields,
    )


def test_an_external_grant_earns_the_ranking_bonus(world):
    grant = _external(world)
    assert grant.is_external
    assert grant.nominee is None
    assert grant.decision is None
    assert selectors.award_bonus(world.term) == {
        world.unit_a.pk: [("Cờ thi đua của Chính phủ 2023", Decimal(2))]
    }


def test_an_external_grant_counts_in_eligibility(world):
    _external(world, award_form=form(world, "co-tinh"), year=2023)
    proposal = draft(world)
    nominee = nominate(world, proposal, world.unit_a, "co-chinh-phu")
    holdings = holdings_of(world.authority.pk, [nominee])
    assert holdings[("unit", world.unit_a.pk)] == {"co-tinh": [2023]}


def test_entries_of_one_outside_decision_share_it(world):
    first = _external(world)
    second = _external(world, unit=world.unit_deputy)
    assert first.external_id == second.external_id
    assert ExternalDecision.objects.count() == 1
    with pytest.raises(DomainError):
        _external(world, unit=world.unit_deputy)
    assert Grant.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"issuer": " "}, "issuer"),
        ({"number": ""}, "number"),
        ({"date": datetime.date(2999, 1, 1)}, "date"),
        ({"year": 2025}, "year"),
        ({"person_name": "Nguyễn Văn A"}, "unit"),
    ],
)
def test_bad_external_grants_are_refused(world, fields, field):
    with pytest.raises(DomainError) as refused:
        _external(world, **fields)
    assert refused.value.field == field
    assert not Grant.objects.exists()
    assert not ExternalDecision.objects.exists()


@pytest.mark.parametrize("actor", ["officer", "chair_officer", "other_admin"])
def test_only_staff_of_the_authority_record_external_grants(world, actor):
    with pytest.raises(DomainError):
        _external(world, actor=actor)
    assert not Grant.objects.exists()
    assert not ExternalDecision.objects.exists()


def test_a_unit_of_another_authority_is_refused(world):
    foreign = UnitFactory(authority=world.users["other_admin"].authority)
    with pytest.raises(DomainError) as refused:
        _external(world, unit=foreign)
    assert refused.value.field == "unit"
    assert not Grant.objects.exists()


def test_the_registry_marks_external_grants_and_finds_them(world, login):
    _external(world)
    client = login(world.users["staff"])
    page = client.get(reverse("award_registry")).content.decode()
    assert reverse("external_grant_create") in page
    assert "123/QĐ-TTg" in page
    assert "ngoài hệ thống" in page
    found = selectors.registry_search(world.authority.pk, query="ngoai he thong")
    assert [g.recipient_name for g in found] == ["Huyện A"]


def test_officers_see_no_link_to_the_entry_form(world, login):
    page = login(world.users["officer"]).get(reverse("award_registry")).content.decode()
    assert reverse("external_grant_create") not in page


def test_staff_enter_an_external_grant_with_its_scan(world, login):
    client = login(world.users["staff"])
    url = reverse("external_grant_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "issuer": "Thủ tướng Chính phủ",
            "number": "456/QĐ-TTg",
            "date": "01/03/2024",
            "award_form": form(world, "co-chinh-phu").pk,
            "year": 2023,
            "unit": world.unit_a.pk,
            "upload": SimpleUploadedFile("qd.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    act = ExternalDecision.objects.get()
    assert act.original_name == "qd.pdf"
    assert Grant.objects.get().external == act
    download = client.get(reverse("external_decision_file", args=[act.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    registry = client.get(response["Location"]).content.decode()
    assert reverse("external_decision_file", args=[act.pk]) in registry


def test_officer_posting_the_entry_form_is_refused(world, login):
    response = login(world.users["officer"]).post(
        reverse("external_grant_create"),
        {"issuer": "Thủ tướng Chính phủ", "number": "1", "date": "01/03/2024"},
    )
    assert response.status_code == 403
    assert not Grant.objects.exists()


def _grow_external(world, start, count):
    for index in range(start, start + count):
        unit = UnitFactory(authority=world.authority, name=f"Xã {index:03d}")
        _external(world, unit=unit, award_form=form(world, "bk-ttg"))


def test_entry_form_queries_do_not_grow(world, login):
    _grow_external(world, 0, 5)
    client = login(world.users["staff"])
    assert_queries_stable(
        client, reverse("external_grant_create"), lambda: _grow_external(world, 5, 45)
    )


def test_registry_with_external_grants_queries_do_not_grow(world, login):
    _grow_external(world, 0, 5)
    client = login(world.users["staff"])
    assert_queries_stable(
        client, reverse("award_registry"), lambda: _grow_external(world, 5, 45)
    )


# Removing an entry made by mistake -------------------------------------------


def test_staff_remove_an_external_grant_and_its_bonus_goes(world):
    grant = _external(world)
    kept = _external(world, unit=world.unit_chair)
    services.external_grant_remove(
        actor=world.users["admin"], grant=grant, reason="Nhập nhầm đơn vị"
    )
    assert list(Grant.objects.all()) == [kept]
    assert selectors.award_bonus(world.term) == {
        world.unit_chair.pk: [("Cờ thi đua của Chính phủ 2023", Decimal(2))]
    }
    record = Grant.history.filter(id=grant.pk).latest()
    assert record.history_type == "-"
    assert record.history_change_reason == "Nhập nhầm đơn vị"
    assert record.history_user == world.users["admin"]
    # Its decision still holds the other entry.
    assert ExternalDecision.objects.get() == kept.external


def test_the_outside_decision_goes_with_its_last_entry(world):
    grant = _external(world)
    services.external_grant_remove(
        actor=world.users["staff"], grant=grant, reason="Nhập trùng " * 20
    )
    record = ExternalDecision.history.latest()
    assert record.history_change_reason == ("Nhập trùng " * 20).strip()
    assert not Grant.objects.exists()
    assert not ExternalDecision.objects.exists()


@pytest.mark.parametrize("actor", ["officer", "chair_officer", "other_admin"])
def test_only_staff_of_the_authority_remove_external_grants(world, actor):
    grant = _external(world)
    with pytest.raises(DomainError):
        services.external_grant_remove(
            actor=world.users[actor], grant=grant, reason="Xóa"
        )
    assert Grant.objects.get() == grant


def test_removing_needs_a_reason_and_an_outside_decision(world):
    grant = _external(world)
    with pytest.raises(DomainError) as refused:
        services.external_grant_remove(
            actor=world.users["staff"], grant=grant, reason="  "
        )
    assert refused.value.field == "reason"
    decided = granted_proposal(world).grants.get()
    with pytest.raises(DomainError):
        services.external_grant_remove(
            actor=world.users["staff"], grant=decided, reason="Xóa"
        )
    assert Grant.objects.count() == 2


def test_staff_remove_an_entry_from_the_registry_page(world, login):
    grant = _external(world, upload=SimpleUploadedFile("qd.pdf", PDF))
    client = login(world.users["staff"])
    registry = client.get(reverse("award_registry")).content.decode()
    url = reverse("external_grant_remove", args=[grant.pk])
    assert url in registry
    page = client.get(url).content.decode()
    assert "123/QĐ-TTg" in page
    assert "Huyện A" in page
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert Grant.objects.exists()
    response = client.post(url, {"reason": "Nhập nhầm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("award_registry")
    assert not Grant.objects.exists()


def test_officers_see_neither_the_scan_nor_the_removal_of_external_grants(world, login):
    grant = _external(world, upload=SimpleUploadedFile("qd.pdf", PDF))
    page = login(world.users["officer"]).get(reverse("award_registry")).content.decode()
    assert "123/QĐ-TTg" in page
    assert reverse("external_decision_file", args=[grant.external_id]) not in page
    assert reverse("external_grant_remove", args=[grant.pk]) not in page


def test_removal_form_survives_hostile_input(world, login):
    grant = _external(world)
    client = login(world.users["staff"])
    fuzz_form(client, reverse("external_grant_remove", args=[grant.pk]), examples=20)


def test_removal_page_queries_do_not_grow(world, login):
    _grow_external(world, 0, 5)
    grant = Grant.objects.first()
    client = login(world.users["staff"])
    assert_queries_stable(
        client,
        reverse("external_grant_remove", args=[grant.pk]),
        lambda: _grow_external(world, 5, 45),
    )


# The flag winner leads the rotation ---------------------------------------


def test_the_flag_source_comes_before_the_ranking():
    assert LEADERS.index(selectors.flag_leaders) < LEADERS.index(ranking_leaders)


def test_the_flag_winner_chairs_next_year(world):
    proposal = draft(world)
    flag = nominate(world, proposal, world.unit_deputy)
    appraised(world, proposal)
    decide(world, proposal, [flag])
    members = [world.unit_a, world.unit_chair, world.unit_deputy]
    assert selectors.flag_leaders(world.term)[0] == world.unit_deputy
    chair, _deputy = leading_units(world.term, members)
    assert chair == world.unit_deputy


def test_without_a_flag_the_flag_source_is_silent(world):
    assert selectors.flag_leaders(world.term) == []


def test_entry_form_survives_hostile_input(world, login):
    client = login(world.users["staff"])
    fuzz_form(client, reverse("external_grant_create"))
