"""Helpers for the proposal, decision and registry tests: a world whose term is
in `proposing`, proposals with nominees walked through the workflow, and grants
recorded through the services."""

import datetime

from awards import services
from awards.models import AwardForm
from clusters.models import Term, TermState

DECISION = {
    "issuing_body": "Ủy ban nhân dân tỉnh Hậu Giang Thử",
    "subject": "Về việc tặng Cờ thi đua của Ủy ban nhân dân tỉnh",
    "signer_name": "Trần Văn Chủ",
    "capacity": "tm",
    "legal_bases": "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
}


def form(world, code):
    """The world's authority's award form `code` (the catalogue seeded)."""
    services.catalogue_for(world.authority)
    return AwardForm.objects.get(authority=world.authority, code=code)


def set_state(term, state):
    Term.objects.filter(pk=term.pk).update(state=state)
    term.refresh_from_db()
    return term


def draft(world, *, state=TermState.PROPOSING, **fields):
    """A draft proposal of the world's term by the chair unit's officer."""
    set_state(world.term, state)
    return services.proposal_create_for_term(
        term=world.term,
        actor=world.users["chair_officer"],
        title=fields.pop("title", "Tờ trình đề nghị khen thưởng năm 2024"),
        **fields,
    )


def nominate(world, proposal, unit=None, code="co-tinh", **person):
    return services.nominee_add(
        proposal=proposal,
        actor=world.users["chair_officer"],
        award_form=form(world, code),
        unit=unit,
        achievements="Dẫn đầu cụm thi đua.",
        **person,
    )


def appraised(world, proposal, quota_reason=None):
    """Submit (chair officer), receive and appraise (staff) `proposal`."""
    services.proposal_submit(
        proposal=proposal, actor=world.users["chair_officer"], quota_reason=quota_reason
    )
    services.proposal_receive(proposal=proposal, actor=world.users["staff"])
    return services.proposal_appraise(proposal=proposal, actor=world.users["staff"])


def decide(world, proposal, granted, *, number=5, date=None, **fields):
    return services.decision_record(
        proposal=proposal,
        actor=world.users["staff"],
        number=number,
        date=date or datetime.date(2025, 1, 15),
        granted=granted,
        **{**DECISION, **fields},
    )


def granted_proposal(world, unit=None, code="co-tinh", *, number=5, year=None):
    """A decided proposal granting `code` to `unit` (default unit A); returns
    the decision. `year` moves the proposal's year (for registry history)."""
    proposal = draft(world)
    if year is not None:
        type(proposal).objects.filter(pk=proposal.pk).update(year=year)
        proposal.refresh_from_db()
    nominee = nominate(world, proposal, unit or world.unit_a, code)
    appraised(world, proposal, quota_reason="Dữ liệu thử của sổ khen thưởng.")
    return decide(world, proposal, [nominee], number=number)
