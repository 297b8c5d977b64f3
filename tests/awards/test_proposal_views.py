"""Pages of the catalogue, proposals, decisions and registry: the workflow
without JavaScript, refusals that change nothing, public comments, query counts
that do not grow with the data, and hostile input."""

import datetime
import re

import pytest
from django.urls import reverse

from awards.models import (
    Decision,
    Grant,
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    PublicComment,
)
from pledges.models import CommendationFigure, Report
from tests.awards.proposal_helpers import (
    appraised,
    draft,
    form,
    granted_proposal,
    nominate,
)
from tests.helpers import assert_queries_stable, fuzz_form

pytestmark = pytest.mark.usefixtures("english_pages")


def _state(proposal):
    return Proposal.objects.get(pk=proposal.pk).state


def test_chair_officer_drafts_nominates_and_sends_without_javascript(world, login):
    from clusters.models import Term, TermState

    Term.objects.filter(pk=world.term.pk).update(state=TermState.PROPOSING)
    client = login(world.users["chair_officer"])
    response = client.post(
        reverse("term_proposal_create", args=[world.term.pk]),
        {"title": "Tờ trình khen thưởng 2024", "number": "12/TTr-CTĐ"},
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
    response = client.post(
        reverse("nominee_add", args=[proposal.pk]),
        {
            "award_form": form(world, "co-tinh").pk,
            "unit": world.unit_a.pk,
            "achievements": "Dẫn đầu cụm thi đua năm 2024.",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Huyện A" in page
    assert "Send to the authority" in page
    response = client.post(
        reverse("proposal_action", args=[proposal.pk]), {"action": "submit"}
    )
    assert response.status_code == 302
    assert _state(proposal) == ProposalState.SUBMITTED


def test_submit_past_quota_without_reason_is_refused_on_the_page(world, login):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    nominate(world, proposal, world.unit_deputy)
    client = login(world.users["chair_officer"])
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "above the quota of 1" in page
    assert 'name="quota_reason"' in page
    response = client.post(
        reverse("proposal_action", args=[proposal.pk]),
        {"action": "submit"},
        follow=True,
    )
    assert "state the reason" in response.content.decode()
    assert _state(proposal) == ProposalState.DRAFT
    client.post(
        reverse("proposal_action", args=[proposal.pk]),
        {"action": "submit", "quota_reason": "Hai đơn vị bằng điểm."},
    )
    assert _state(proposal) == ProposalState.SUBMITTED


def test_staff_return_without_reason_changes_nothing(world, login):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    client = login(world.users["staff"])
    response = client.post(
        reverse("proposal_action", args=[proposal.pk]),
        {"action": "return", "reason": ""},
        follow=True,
    )
    assert "Give a reason." in response.content.decode()
    assert _state(proposal) == ProposalState.APPRAISED


def test_officer_may_not_receive_a_proposal(world, login):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    response = login(world.users["chair_officer"]).post(
        reverse("proposal_action", args=[proposal.pk]),
        {"action": "reject", "reason": "x"},
    )
    assert response.status_code == 403
    assert _state(proposal) == ProposalState.APPRAISED


def test_staff_record_the_decision_on_the_page(world, login):
    proposal = draft(world)
    flag = nominate(world, proposal, world.unit_a)
    other = nominate(world, proposal, world.unit_deputy, code="ttld-xuat-sac")
    appraised(world, proposal)
    client = login(world.users["staff"])
    url = reverse("decision_create", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert (
        "Về việc tặng Cờ thi đua của Ủy ban nhân dân tỉnh và Tập thể lao động" in page
    )
    data = {
        "number": "5",
        "issuer_code": "UBND",
        "date": "15/01/2025",
        "issuing_body": "Ủy ban nhân dân tỉnh Thử",
        "subject": "Về việc tặng Cờ thi đua",
        "legal_bases": "Căn cứ Luật Thi đua, khen thưởng;",
        "proposed_by": "Giám đốc Sở Nội vụ",
        "signer_name": "Trần Văn Chủ",
        "capacity": "kt",
        "granted": [flag.pk],
    }
    response = client.post(url, data)
    decision = Decision.objects.get()
    assert response["Location"] == reverse("decision_detail", args=[decision.pk])
    assert decision.date == datetime.date(2025, 1, 15)
    assert dict(Nominee.objects.values_list("pk", "outcome")) == {
        flag.pk: NomineeOutcome.GRANTED,
        other.pk: NomineeOutcome.NOT_GRANTED,
    }
    detail = client.get(response["Location"]).content.decode()
    assert "05/QĐ-UBND" in detail
    assert "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" in detail


def test_decision_form_refuses_a_used_number_next_to_the_field(world, login):
    granted_proposal(world, world.unit_chair, "bk-tinh", number=5)
    proposal = draft(world, title="Tờ trình bổ sung")
    nominee = nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    response = login(world.users["admin"]).post(
        reverse("decision_create", args=[proposal.pk]),
        {
            "number": "5",
            "issuer_code": "UBND",
            "date": "20/01/2025",
            "issuing_body": "Ủy ban nhân dân tỉnh Thử",
            "subject": "Về việc tặng Cờ thi đua",
            "legal_bases": "Căn cứ Luật;",
            "proposed_by": "Giám đốc Sở Nội vụ",
            "signer_name": "Trần Văn Chủ",
            "capacity": "tm",
            "granted": [nominee.pk],
        },
    )
    assert response.status_code == 200
    assert "already used in 2025" in response.content.decode()
    assert Decision.objects.count() == 1
    assert _state(proposal) == ProposalState.APPRAISED


def test_decision_form_refuses_a_nominee_of_another_proposal(world, login):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    elsewhere = nominate(
        world, draft(world, title="Khác"), world.unit_deputy, "bk-tinh"
    )
    response = login(world.users["staff"]).post(
        reverse("decision_create", args=[proposal.pk]),
        {
            "number": "7",
            "issuer_code": "UBND",
            "date": "20/01/2025",
            "issuing_body": "UBND",
            "subject": "S",
            "legal_bases": "L",
            "proposed_by": "P",
            "signer_name": "N",
            "capacity": "tm",
            "granted": [elsewhere.pk],
        },
    )
    assert response.status_code == 200
    assert Decision.objects.count() == 0
    assert Grant.objects.count() == 0


def test_public_comment_is_hidden_until_approved(world, login):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    client = login(None)
    url = reverse("public_proposal", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "Huyện A" in page
    response = client.post(url, {"author_name": "Lê Văn Dân", "text": "Rất xứng đáng."})
    assert response.status_code == 302
    assert "Rất xứng đáng." not in client.get(url).content.decode()
    comment = PublicComment.objects.get()
    staff = login(world.users["staff"])
    staff.post(reverse("comment_moderate", args=[comment.pk]), {"decision": "approve"})
    assert "Rất xứng đáng." in login(None).get(url).content.decode()


def test_draft_proposal_has_no_public_page(world, login):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    response = login(None).get(reverse("public_proposal", args=[proposal.pk]))
    assert response.status_code == 404


def test_registry_page_finds_without_diacritics(world, login):
    granted_proposal(world)
    client = login(world.users["officer"])
    page = client.get(reverse("award_registry"), {"q": "huyen a"}).content.decode()
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in page
    page = client.get(reverse("award_registry"), {"q": "huyen khac"}).content.decode()
    assert "No award matches these filters." in page


def test_registry_unit_filter_offers_units_with_a_grant_while_few(
    world, login, monkeypatch
):
    """The unit filter lists the units with a grant, not every unit; past
    `UNIT_CHOICES` it is not sent at all (the search finds a unit by name),
    and a unit chosen by a link is named, with a way back to every unit."""
    from awards.selectors import registry

    granted_proposal(world)
    for user, url in (
        (world.users["officer"], reverse("award_registry")),
        (None, reverse("public_awards", args=[world.authority.pk])),
    ):
        client = login(user)
        page = client.get(url).content.decode()
        choices = page[
            page.index('id="f-unit"') : page.index(
                "</select>", page.index('id="f-unit"')
            )
        ]
        assert world.unit_a.name in choices
        assert world.unit_chair.name not in choices
        monkeypatch.setattr(registry, "UNIT_CHOICES", 0)
        page = client.get(url).content.decode()
        assert 'id="f-unit"' not in page
        page = client.get(url, {"unit": world.unit_a.pk, "year": ""}).content.decode()
        assert f"Unit: {world.unit_a.name}" in page
        assert f'name="unit" value="{world.unit_a.pk}"' in page
        assert 'href="?year="' in page  # every unit, the other filters kept
        assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in page
        page = client.get(url, {"unit": world.unit_chair.pk}).content.decode()
        assert "No award matches these filters." in page
        monkeypatch.setattr(registry, "UNIT_CHOICES", 150)


def test_unit_page_shows_its_award_history(world, login):
    decision = granted_proposal(world)
    page = login(world.users["officer"]).get(
        reverse("unit_detail", args=[world.unit_a.pk])
    )
    assert "Award history" in page.content.decode()
    assert decision.number_display in page.content.decode()


def test_statistics_show_the_units_own_commendations(world, login):
    report = Report.objects.create(term=world.term, unit=world.unit_a)
    CommendationFigure.objects.create(
        report=report, form="Giấy khen", collectives=5099, individuals=22569
    )
    page = login(world.users["staff"]).get(reverse("award_statistics")).content
    assert "5.099" in page.decode() or "5,099" in page.decode()
    response = login(world.users["staff"]).get(reverse("award_statistics_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_catalogue_edit_refuses_bad_json_rules_and_keeps_the_row(world, login):
    flag = form(world, "co-tinh")
    response = login(world.users["admin"]).post(
        reverse("award_form_edit", args=[flag.pk]),
        {
            "name": flag.name,
            "level": flag.level,
            "recipient_kind": flag.recipient_kind,
            "award_type": flag.award_type,
            "multiplier": "3",
            "ranking_bonus": "1",
            "legal_source": flag.legal_source,
            "prerequisites": '[{"kind": "holds", "forms": ["nope"]}]',
            "quota": "",
            "position": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Unknown award form codes: nope." in response.content.decode()
    flag.refresh_from_db()
    assert flag.multiplier is None


# Query counts ------------------------------------------------------------------


def _grow_registry(world, count):
    """`count` more grants to people in one decided proposal (bulk)."""
    decision = Decision.objects.first() or granted_proposal(world)
    proposal = decision.proposals.get()
    certificate = form(world, "bk-tinh")
    start = Nominee.objects.count()
    nominees = Nominee.objects.bulk_create(
        [
            Nominee(
                proposal=proposal,
                award_form=certificate,
                person_name=f"Nguyễn Văn {start + i}",
                person_organisation="Huyện A",
                achievements="Thành tích",
                outcome=NomineeOutcome.GRANTED,
            )
            for i in range(count)
        ]
    )
    Grant.objects.bulk_create(
        [
            Grant(
                decision=decision,
                nominee=n,
                authority=world.authority,
                award_form=certificate,
                year=2020 + i % 5,
                person_name=n.person_name,
                person_organisation="Huyện A",
                person_key=f"nguyen van {n.pk}|huyen a",
                recipient_name=n.person_name,
                search_text=f" nguyen van {n.pk} huyen a",
                amount=1000000,
            )
            for i, n in enumerate(nominees)
        ]
    )
    return nominees


def test_registry_queries_do_not_grow(world, login):
    _grow_registry(world, 5)
    client = login(world.users["staff"])
    assert_queries_stable(
        client, reverse("award_registry"), lambda: _grow_registry(world, 50)
    )


def test_proposal_detail_queries_do_not_grow(world, login):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    for i in range(5):
        nominate(world, proposal, code="bk-tinh", person_name=f"Lê Thị {i}")
    client = login(world.users["chair_officer"])

    def grow():
        for i in range(5, 50):
            nominate(world, proposal, code="cstd-tinh", person_name=f"Lê Thị {i}")

    assert_queries_stable(client, reverse("proposal_detail", args=[proposal.pk]), grow)


def test_statistics_queries_do_not_grow(world, login):
    _grow_registry(world, 5)
    client = login(world.users["admin"])
    assert_queries_stable(
        client, reverse("award_statistics"), lambda: _grow_registry(world, 50)
    )


def test_decision_detail_queries_do_not_grow(world, login):
    _grow_registry(world, 5)
    decision = Decision.objects.get()
    client = login(world.users["officer"])
    assert_queries_stable(
        client,
        reverse("decision_detail", args=[decision.pk]),
        lambda: _grow_registry(world, 50),
    )


def test_public_proposal_queries_do_not_grow(world, login):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)

    def grow():
        Nominee.objects.bulk_create(
            [
                Nominee(
                    proposal=proposal,
                    award_form=form(world, "bk-tinh"),
                    person_name=f"Trần Văn {i}",
                    achievements="Thành tích",
                )
                for i in range(50)
            ]
        )

    assert_queries_stable(
        login(None), reverse("public_proposal", args=[proposal.pk]), grow
    )


# Hostile input -----------------------------------------------------------------


def _draft_pk(world):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    nominate(world, proposal, world.unit_a)
    return proposal.pk


def _appraised_pk(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    return proposal.pk


def _public_pk(world):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    return proposal.pk


FORMS = [
    ("term_proposal_create", lambda w: {"pk": w.term.pk}, "chair_officer"),
    ("proposal_edit", lambda w: {"pk": _draft_pk(w)}, "chair_officer"),
    ("nominee_add", lambda w: {"pk": _draft_pk(w)}, "chair_officer"),
    ("attachment_add", lambda w: {"pk": _draft_pk(w)}, "chair_officer"),
    ("decision_create", lambda w: {"pk": _appraised_pk(w)}, "staff"),
    ("award_form_edit", lambda w: {"pk": form(w, "co-tinh").pk}, "admin"),
    ("base_salaries", None, "admin"),
    ("public_proposal", lambda w: {"pk": _public_pk(w)}, None),
]


@pytest.mark.parametrize(("name", "kwargs", "role"), FORMS, ids=[f[0] for f in FORMS])
def test_award_forms_survive_hostile_input(world, login, name, kwargs, role):
    if name == "term_proposal_create":
        draft(world)  # the term in `proposing`
    client = login(world.users[role] if role else None)
    fuzz_form(client, reverse(name, kwargs=kwargs(world) if kwargs else None))


def test_nominee_edit_survives_hostile_input(world, login):
    proposal = draft(world)
    nominee = nominate(world, proposal, world.unit_a)
    client = login(world.users["chair_officer"])
    fuzz_form(client, reverse("nominee_edit", args=[nominee.pk]))


def test_campaign_proposal_form_survives_hostile_input(world, login):
    from campaigns.models import CampaignState
    from tests.campaigns.conftest import make_campaign

    campaign = make_campaign(world, CampaignState.LAUNCHED)
    client = login(world.users["staff"])
    fuzz_form(client, reverse("campaign_proposal_create", args=[campaign.pk]))


def test_moderation_survives_hostile_input(world, login):
    from awards import services

    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    comment = services.comment_add(proposal=proposal, author_name="A", text="B")
    client = login(world.users["staff"])
    fuzz_form(
        client, reverse("comment_moderate", args=[comment.pk]), fields=["decision"]
    )


def test_posted_actions_survive_hostile_input(world, login):
    pk = _draft_pk(world)
    client = login(world.users["admin"])
    fuzz_form(
        client,
        reverse("proposal_action", args=[pk]),
        fields=["action", "reason", "quota_reason"],
    )


def test_registry_filters_survive_hostile_input(world, login):
    granted_proposal(world)
    client = login(world.users["staff"])
    for name in ("award_registry", "award_statistics", "decision_list"):
        fuzz_form(
            client,
            reverse(name),
            fields=["q", "year", "form", "unit", "page"],
            method="get",
            examples=100,
        )


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("decision_list", "staff"),
        ("proposal_list", "staff"),
        ("unit_list", "staff"),
        ("public_rankings", "staff"),
        ("user_list", "admin"),
    ],
)
def test_long_lists_come_a_page_at_a_time(
    world, login, monkeypatch, english_pages, name, role
):
    """Lists that grow with a province (4,400 units and their users,
    decisions and proposals of every year, every published ranking) come
    `PAGE_SIZE` rows a page: at 480 clusters they were 0.25-1.3 MB and
    0.1-0.5 s each."""
    from clusters.models import Term
    from core import views as core_views
    from pledges.models import RankingSnapshot

    granted_proposal(world, year=2022)
    granted_proposal(world, unit=world.unit_chair, code="bk-tinh", number=6)
    for term in Term.objects.all()[:2]:
        RankingSnapshot.objects.create(
            term=term, number=1, published_by=world.users["staff"], rows=[]
        )
    monkeypatch.setattr(core_views, "PAGE_SIZE", 1)
    client = login(world.users[role])
    first = client.get(reverse(name)).content.decode()
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    assert pages >= 2
    last = client.get(reverse(name), {"page": pages}).content.decode()
    assert f"Page {pages} of {pages}" in last
    assert 'rel="prev"' in last or "Previous" in last
