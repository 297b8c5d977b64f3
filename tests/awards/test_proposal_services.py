"""Services of the catalogue, proposals and decisions: rules refused with clear
messages and nothing changed, the workflow, rewards and the registry."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from awards import services
from awards.models import (
    AwardForm,
    BaseSalary,
    Decision,
    Grant,
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    PublicComment,
)
from clusters.models import TermState
from clusters.services import term_transition
from core.errors import DomainError
from tests.awards.proposal_helpers import (
    appraised,
    decide,
    draft,
    form,
    nominate,
    set_state,
)
from tests.clusters.factories import AuthorityFactory

pytestmark = pytest.mark.usefixtures("english")


def _state(proposal):
    return Proposal.objects.get(pk=proposal.pk).state


# Catalogue -------------------------------------------------------------------


def test_catalogue_for_seeds_a_new_authority_once(db):
    authority = AuthorityFactory()
    forms = list(services.catalogue_for(authority))
    assert len(forms) == 12
    assert forms[0].code == "co-chinh-phu"
    assert services.catalogue_for(authority).count() == 12
    flag = AwardForm.objects.get(authority=authority, code="co-tinh")
    assert flag.multiplier is None
    assert flag.quota == {
        "kind": "share_of_members",
        "percent": 20,
        "rounding": "up",
        "minimum": 1,
    }
    assert flag.ranking_bonus == Decimal(1)
    assert AwardForm.objects.get(authority=authority, code="cstd-tinh").multiplier == 3
    assert list(
        BaseSalary.objects.filter(authority=authority)
        .order_by("effective_from")
        .values_list("amount", "effective_from")
    ) == [
        (1490000, datetime.date(2019, 7, 1)),
        (1800000, datetime.date(2023, 7, 1)),
        (2340000, datetime.date(2024, 7, 1)),
    ]


def test_seed_migration_seeds_every_authority_and_reverses(db):
    migration = importlib.import_module("awards.migrations.0003_seed_award_catalogue")
    first, second = AuthorityFactory(), AuthorityFactory()
    migration.seed(apps, None)
    migration.seed(apps, None)
    assert AwardForm.objects.filter(authority=first).count() == 12
    assert AwardForm.objects.filter(authority=second).count() == 12
    assert BaseSalary.objects.filter(authority=second).count() == 3
    migration.unseed(apps, None)
    assert AwardForm.objects.count() == 0
    assert BaseSalary.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prerequisites": {"kind": "holds"}}, "prerequisites"),
        ({"prerequisites": [{"kind": "sometimes"}]}, "prerequisites"),
        ({"prerequisites": [{"kind": "holds", "forms": ["no-such"]}]}, "prerequisites"),
        (
            {"prerequisites": [{"kind": "consecutive_years", "forms": ["co-tinh"]}]},
            "prerequisites",
        ),
        ({"prerequisites": [{"kind": "manual"}]}, "prerequisites"),
        ({"quota": {"kind": "share_of_members", "percent": 0}}, "quota"),
        ({"quota": {"kind": "per_cluster", "percent": 20}}, "quota"),
        ({"quota": [20]}, "quota"),
    ],
)
def test_award_form_update_refuses_malformed_rules(world, fields, field):
    flag = form(world, "co-tinh")
    before = AwardForm.objects.filter(pk=flag.pk).values().get()
    with pytest.raises(DomainError) as refused:
        services.award_form_update(
            award_form=flag, actor=world.users["admin"], **fields
        )
    assert refused.value.field == field
    assert AwardForm.objects.filter(pk=flag.pk).values().get() == before


def test_award_form_update_changes_the_row_with_a_reason(world):
    flag = form(world, "co-tinh")
    services.award_form_update(
        award_form=flag,
        actor=world.users["admin"],
        reason="Quyết định của tỉnh",
        multiplier=Decimal("3.5"),
        ranking_bonus=Decimal("1.5"),
    )
    flag.refresh_from_db()
    assert (flag.multiplier, flag.ranking_bonus) == (Decimal("3.5"), Decimal("1.5"))
    record = flag.history.latest()
    assert record.history_user == world.users["admin"]
    assert record.history_change_reason == "Quyết định của tỉnh"


def test_base_salary_on_the_same_date_is_refused(world):
    services.catalogue_for(world.authority)
    before = BaseSalary.objects.count()
    with pytest.raises(DomainError) as refused:
        services.base_salary_add(
            authority=world.authority,
            actor=world.users["admin"],
            amount=Decimal(2500000),
            effective_from=datetime.date(2024, 7, 1),
        )
    assert refused.value.field == "effective_from"
    assert BaseSalary.objects.count() == before


@pytest.mark.parametrize(
    ("base", "multiplier", "amount"),
    [
        (1800000, "0.3", 540000),
        (2340000, "0.3", 710000),  # 702.000 rounded up to the ten thousand
        (2340000, "4.5", 10530000),
        (1490000, "0.8", 1200000),  # 1.192.000
        (2340000, "12", 28080000),
        (2340000, None, None),
        (None, "1.5", None),
    ],
)
def test_reward_amount_rounds_up_to_the_ten_thousand(base, multiplier, amount):
    result = services.reward_amount(base, Decimal(multiplier) if multiplier else None)
    assert result == amount


# Proposals -------------------------------------------------------------------


def test_proposal_is_refused_before_the_ranking(world):
    set_state(world.term, TermState.REPORTING)
    with pytest.raises(DomainError):
        services.proposal_create_for_term(
            term=world.term, actor=world.users["chair_officer"], title="Tờ trình"
        )
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "who", "message"),
    [
        ("co-tinh", {"unit": "other"}, "not a member of this term"),
        ("co-tinh", {"person_name": "Lê Thị B"}, "not awarded to a individual"),
        ("cstd-tinh", {"unit": "a"}, "not awarded to a collective"),
        ("co-tinh", {"unit": "a", "person_name": "Lê Thị B"}, "not both"),
        ("co-tinh", {}, "not both"),
    ],
)
def test_nominee_add_refuses_bad_nominees(world, code, who, message):
    proposal = draft(world)
    unit = {"a": world.unit_a, "other": world.unit_other}.get(who.pop("unit", None))
    with pytest.raises(DomainError) as refused:
        services.nominee_add(
            proposal=proposal,
            actor=world.users["chair_officer"],
            award_form=form(world, code),
            unit=unit,
            achievements="Thành tích",
            **who,
        )
    assert message in refused.value.message
    assert Nominee.objects.count() == 0


def test_nominee_add_refuses_a_form_of_another_authority(world):
    proposal = draft(world)
    other_form = services.catalogue_for(AuthorityFactory()).get(code="co-tinh")
    with pytest.raises(DomainError):
        services.nominee_add(
            proposal=proposal,
            actor=world.users["chair_officer"],
            award_form=other_form,
            unit=world.unit_a,
            achievements="Thành tích",
        )
    assert Nominee.objects.count() == 0


def test_same_unit_twice_for_the_same_form_is_refused(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    with pytest.raises(DomainError):
        nominate(world, proposal, world.unit_a)
    assert Nominee.objects.count() == 1


def test_submit_without_nominees_is_refused(world):
    proposal = draft(world)
    with pytest.raises(DomainError):
        services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    assert _state(proposal) == ProposalState.DRAFT


def test_submit_is_refused_while_the_term_is_not_proposing(world):
    proposal = draft(world, state=TermState.VOTING)
    nominate(world, proposal, world.unit_a)
    with pytest.raises(DomainError):
        services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    assert _state(proposal) == ProposalState.DRAFT


def test_submit_past_the_quota_needs_a_reason(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    nominate(world, proposal, world.unit_deputy)
    with pytest.raises(DomainError) as refused:
        services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    assert refused.value.field == "quota_reason"
    assert _state(proposal) == ProposalState.DRAFT
    assert Proposal.objects.get(pk=proposal.pk).quota_reason == ""
    services.proposal_submit(
        proposal=proposal,
        actor=world.users["chair_officer"],
        quota_reason="Hai đơn vị ngang điểm.",
    )
    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.state, saved.quota_reason) == (
        ProposalState.SUBMITTED,
        "Hai đơn vị ngang điểm.",
    )
    assert saved.submitted_at is not None


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (services.proposal_receive, {}),
        (services.proposal_appraise, {}),
        (services.proposal_return, {"reason": "Thiếu hồ sơ"}),
        (services.proposal_reject, {"reason": "Không đủ điều kiện"}),
    ],
)
def test_illegal_moves_from_draft_are_refused(world, service, kwargs):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    with pytest.raises(DomainError) as refused:
        service(proposal=proposal, actor=world.users["staff"], **kwargs)
    assert refused.value.message.startswith("Cannot move from “draft” to “")
    assert _state(proposal) == ProposalState.DRAFT


@pytest.mark.parametrize(
    "service", [services.proposal_return, services.proposal_reject]
)
def test_return_or_reject_without_reason_is_refused(world, service):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    services.proposal_receive(proposal=proposal, actor=world.users["staff"])
    with pytest.raises(DomainError) as refused:
        service(proposal=proposal, actor=world.users["staff"], reason="  ")
    assert refused.value.field == "reason"
    assert _state(proposal) == ProposalState.RECEIVED


def test_returned_proposal_is_changed_and_sent_again(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    with pytest.raises(DomainError):
        nominate(world, proposal, world.unit_deputy, code="bk-tinh")
    services.proposal_return(
        proposal=proposal, actor=world.users["staff"], reason="Bổ sung Bằng khen"
    )
    nominate(world, proposal, world.unit_deputy, code="bk-tinh")
    services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.state, saved.last_reason) == (
        ProposalState.SUBMITTED,
        "Bổ sung Bằng khen",
    )
    reasons = [h.history_change_reason for h in saved.history.all()]
    assert "Bổ sung Bằng khen" in reasons


def test_reject_closes_every_nominee_as_not_granted(world):
    proposal = draft(world)
    nominate(world, proposal, world.unit_a)
    services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    services.proposal_receive(proposal=proposal, actor=world.users["staff"])
    services.proposal_reject(
        proposal=proposal, actor=world.users["staff"], reason="Không đủ điều kiện"
    )
    assert list(Nominee.objects.values_list("outcome", flat=True)) == [
        NomineeOutcome.NOT_GRANTED
    ]


def test_attachments_are_checked_by_content(world):
    proposal = draft(world)
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DomainError):
        services.attachment_add(
            proposal=proposal,
            actor=world.users["chair_officer"],
            upload=fake,
            description="Báo cáo thành tích",
        )
    assert proposal.attachments.count() == 0
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n")
    attachment = services.attachment_add(
        proposal=proposal,
        actor=world.users["chair_officer"],
        upload=pdf,
        description="Báo cáo thành tích",
    )
    assert (attachment.original_name, attachment.content_type) == (
        "bao-cao.pdf",
        "application/pdf",
    )
    services.attachment_remove(
        attachment=attachment, actor=world.users["chair_officer"]
    )
    assert proposal.attachments.count() == 0


# Decisions -------------------------------------------------------------------


def _appraised_with_two(world):
    proposal = draft(world)
    flag = nominate(world, proposal, world.unit_a)
    certificate = nominate(world, proposal, world.unit_deputy, code="ttld-xuat-sac")
    appraised(world, proposal)
    return proposal, flag, certificate


def test_decision_fills_the_registry_and_closes_the_nominees(world):
    proposal, flag, excellent = _appraised_with_two(world)
    decision = decide(world, proposal, [flag], date=datetime.date(2024, 5, 2))
    assert decision.number_display == "05/QĐ-UBND"
    assert decision.base_salary == 1800000
    grant = Grant.objects.get()
    assert (grant.unit, grant.year, grant.award_form.code) == (
        world.unit_a,
        2024,
        "co-tinh",
    )
    assert grant.amount is None  # the provincial flag's reward is set by the province
    assert grant.search_text.startswith(" huyen a ")
    assert "05/qd-ubnd" in grant.search_text
    outcomes = dict(Nominee.objects.values_list("pk", "outcome"))
    assert outcomes == {
        flag.pk: NomineeOutcome.GRANTED,
        excellent.pk: NomineeOutcome.NOT_GRANTED,
    }
    assert _state(proposal) == ProposalState.DECIDED
    assert grant.history.latest().history_user == world.users["staff"]


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (datetime.date(2024, 6, 30), 2700000),  # 1.800.000 × 1,5
        (datetime.date(2024, 7, 1), 3510000),  # 2.340.000 × 1,5
    ],
)
def test_reward_uses_the_base_salary_in_force_on_the_decision_date(world, day, amount):
    proposal, _flag, excellent = _appraised_with_two(world)
    decide(world, proposal, [excellent], date=day)
    assert Grant.objects.get().amount == amount


def _nothing_decided(proposal):
    assert Decision.objects.count() == 0
    assert Grant.objects.count() == 0
    assert _state(proposal) == ProposalState.APPRAISED
    assert set(Nominee.objects.values_list("outcome", flat=True)) == {
        NomineeOutcome.PENDING
    }


def test_decision_number_already_used_that_year_is_refused(world):
    first = draft(world)
    nominee = nominate(world, first, world.unit_a)
    appraised(world, first)
    decide(world, first, [nominee], number=5, date=datetime.date(2025, 1, 10))
    set_state(world.term, TermState.PROPOSING)
    second = services.proposal_create_for_term(
        term=world.term, actor=world.users["admin"], title="Tờ trình bổ sung"
    )
    other = nominate(world, second, world.unit_deputy, code="bk-tinh")
    appraised(world, second)
    with pytest.raises(DomainError) as refused:
        decide(world, second, [other], number=5, date=datetime.date(2025, 3, 1))
    assert refused.value.field == "number"
    assert "05/QĐ-UBND" in refused.value.message
    assert Decision.objects.count() == 1
    assert _state(second) == ProposalState.APPRAISED
    # Another issuer, or another year, may use the number.
    decide(world, second, [other], number=5, date=datetime.date(2024, 12, 1))
    assert Decision.objects.count() == 2


def test_grant_to_a_nominee_not_in_the_proposal_is_refused(world):
    proposal, flag, _excellent = _appraised_with_two(world)
    stranger = draft(world)
    outsider = nominate(world, stranger, world.unit_chair)
    with pytest.raises(DomainError) as refused:
        decide(world, proposal, [flag, outsider])
    assert "not a nominee of the proposals answered" in refused.value.message
    _nothing_decided(proposal)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": datetime.date(2999, 1, 1)}, "date"),
        ({"granted": []}, "granted"),
        ({"capacity": "boss"}, "capacity"),
        ({"signer_name": " "}, "signer_name"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_decisions_are_refused(world, fields, field):
    proposal, flag, _excellent = _appraised_with_two(world)
    granted = fields.pop("granted", [flag])
    with pytest.raises(DomainError) as refused:
        decide(world, proposal, granted, **fields)
    assert refused.value.field == field
    _nothing_decided(proposal)


def test_decision_is_refused_before_appraisal(world):
    proposal = draft(world)
    nominee = nominate(world, proposal, world.unit_a)
    services.proposal_submit(proposal=proposal, actor=world.users["chair_officer"])
    with pytest.raises(DomainError):
        decide(world, proposal, [nominee])
    assert Decision.objects.count() == 0
    assert _state(proposal) == ProposalState.SUBMITTED


def test_term_enters_decided_only_when_its_proposals_are_finished(world):
    proposal, flag, _excellent = _appraised_with_two(world)
    with pytest.raises(DomainError) as refused:
        term_transition(
            term=world.term, to_state=TermState.DECIDED, actor=world.users["admin"]
        )
    assert proposal.title in refused.value.message
    world.term.refresh_from_db()
    assert world.term.state == TermState.PROPOSING
    decide(world, proposal, [flag])
    term_transition(
        term=world.term, to_state=TermState.DECIDED, actor=world.users["admin"]
    )
    world.term.refresh_from_db()
    assert world.term.state == TermState.DECIDED


# Public comments --------------------------------------------------------------


def test_public_comment_waits_for_moderation(world):
    proposal = draft(world, comments_open_until=datetime.date(2999, 1, 1))
    comment = services.comment_add(
        proposal=proposal, author_name="Người dân", text="Đồng ý."
    )
    assert comment.state == "pending"
    services.comment_moderate(comment=comment, actor=world.users["staff"], approve=True)
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == ("approved", world.users["staff"])


def test_comment_after_the_window_is_refused(world):
    proposal = draft(world, comments_open_until=datetime.date(2020, 1, 1))
    with pytest.raises(DomainError):
        services.comment_add(proposal=proposal, author_name="A", text="B")
    assert PublicComment.objects.count() == 0


# Campaign proposals -------------------------------------------------------------


def test_staff_draft_a_proposal_for_a_launched_campaign(world):
    from campaigns.models import CampaignState
    from tests.campaigns.conftest import make_campaign

    campaign = make_campaign(world, CampaignState.LAUNCHED)
    year = campaign.start_date.year
    proposal = services.proposal_create_for_campaign(
        campaign=campaign, actor=world.users["staff"], title="Tờ trình", year=year
    )
    assert (proposal.campaign, proposal.term, proposal.year) == (campaign, None, year)
    nominee = services.nominee_add(
        proposal=proposal,
        actor=world.users["staff"],
        award_form=form(world, "bk-tinh"),
        unit=world.unit_other,  # any unit of the authority
        achievements="Tiêu biểu trong phong trào.",
    )
    assert nominee.unit == world.unit_other
    with pytest.raises(DomainError) as refused:
        services.proposal_create_for_campaign(
            campaign=campaign,
            actor=world.users["staff"],
            title="Tờ trình",
            year=campaign.end_date.year + 1,
        )
    assert refused.value.field == "year"
    assert Proposal.objects.count() == 1


def test_campaign_in_draft_takes_no_proposal(world):
    from tests.campaigns.conftest import make_campaign

    campaign = make_campaign(world)
    with pytest.raises(DomainError):
        services.proposal_create_for_campaign(
            campaign=campaign,
            actor=world.users["staff"],
            title="Tờ trình",
            year=campaign.start_date.year,
        )
    assert Proposal.objects.count() == 0
