"""Writes of award proposals: drafting, nominees, attachments, the workflow and
public comments.

Workflow: draft → submitted → returned | received → appraised →
decided | rejected. A returned proposal is edited and submitted again; a return or
a rejection needs a reason; `decided` is reached only by recording the decision
(`services.decisions.decision_record`). Each transition locks the proposal,
saves the changed fields and writes the history with the actor."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from clusters.models import Authority, Term, TermState, Unit, User
from clusters.services import term_require_writable
from core.audit import audited_delete, audited_save
from core.errors import DomainError
from core.formatting import format_number
from core.transitions import Workflow
from pledges.uploads import removes_files_on_failure, store_checked

from ..models import (
    Attachment,
    AwardForm,
    CommentState,
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    PublicComment,
)
from ..selectors.registry import award_forms

# Each proposal state's allowed next states.
PROPOSAL_TRANSITIONS = {
    ProposalState.DRAFT: {ProposalState.SUBMITTED},
    ProposalState.SUBMITTED: {ProposalState.RETURNED, ProposalState.RECEIVED},
    ProposalState.RETURNED: {ProposalState.SUBMITTED},
    ProposalState.RECEIVED: {
        ProposalState.APPRAISED,
        ProposalState.RETURNED,
        ProposalState.REJECTED,
    },
    ProposalState.APPRAISED: {
        ProposalState.DECIDED,
        ProposalState.RETURNED,
        ProposalState.REJECTED,
    },
    ProposalState.DECIDED: set(),
    ProposalState.REJECTED: set(),
}
NEEDS_REASON = {ProposalState.RETURNED, ProposalState.REJECTED}
PROPOSAL_WORKFLOW = Workflow(PROPOSAL_TRANSITIONS, needs_reason=NEEDS_REASON)
# A term's proposal is drafted once the ranking is out; it is sent in `proposing`.
DRAFTING_TERM_STATES = {TermState.RANKED, TermState.VOTING, TermState.PROPOSING}
SUBMITTING_TERM_STATES = {TermState.PROPOSING}


def require_term_writable(proposal: Proposal) -> None:
    """Refuse (DomainError) any change of a term's proposal once the term is
    closed (`term_require_writable`); a campaign's proposal has no term."""
    if proposal.term_id is not None:
        term_require_writable(proposal.term_id)


def _locked(proposal: Proposal) -> Proposal:
    require_term_writable(proposal)
    return PROPOSAL_WORKFLOW.lock(proposal, related=("term", "authority"))


def _check_editable(proposal: Proposal) -> None:
    if not proposal.is_editable:
        raise DomainError(
            _(
                "The proposal is “%(state)s”; only a draft or a returned proposal "
                "can be changed."
            )
            % {"state": ProposalState(proposal.state).label}
        )


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


@transaction.atomic
def proposal_create_for_term(
    *,
    term: Term,
    actor: User,
    title: str,
    number: str = "",
    summary: str = "",
    comments_open_until: datetime.date | None = None,
    prefill: bool = False,
) -> Proposal:
    """Draft the proposal of `term` to its authority (year of the term); with
    `prefill`, its nominees are the units the term's nomination votes chose,
    each under its tier's award form (`_prefill_from_nomination`). Refuses a
    term that is not ranked, voting or proposing, and an empty title."""
    term_require_writable(term)
    term = Term.objects.select_for_update().select_related("cluster").get(pk=term.pk)
    if term.state not in DRAFTING_TERM_STATES:
        raise DomainError(
            _(
                "Proposals are drafted once the ranking is published (the term is "
                "“%(state)s”)."
            )
            % {"state": TermState(term.state).label}
        )
    if not _clean_text(title):
        raise DomainError(_("Give the proposal a title."), "title")
    proposal = audited_save(
        Proposal(
            authority_id=term.cluster.authority_id,
            term=term,
            year=term.year,
            title=_clean_text(title),
            number=_clean_text(number),
            summary=summary or "",
            comments_open_until=comments_open_until,
            created_by=actor,
        ),
        actor,
    )
    if prefill:
        _prefill_from_nomination(proposal, term, actor)
    return proposal


def _prefill_from_nomination(proposal: Proposal, term: Term, actor: User) -> None:
    """Add to `proposal` every unit `term`'s closed nomination votes chose,
    under its tier's award form, highest tier first, with its votes (and rank)
    as achievements (`nominee_add`). A tier without an award form, or whose
    form is no longer in use, is left for the drafter."""
    # Imported here: the votes selectors import this package's vote services.
    from ..selectors.votes import nominated_by_tier

    for form, chosen in nominated_by_tier(term):
        if form is None or not form.is_active:
            continue
        for item in chosen:
            words = {
                "form": form.name,
                "date": f"{item.day:%d/%m/%Y}",
                "votes": item.votes,
                "members": item.eligible,
                "percent": format_number(item.percent, 2),
                "rank": item.rank,
                "year": term.year,
            }
            if item.rank is None:
                text = _(
                    "Chosen for %(form)s by the members' secret ballot of "
                    "%(date)s: %(votes)s of %(members)s votes (%(percent)s%%)."
                )
            else:
                text = _(
                    "Chosen for %(form)s by the members' secret ballot of "
                    "%(date)s: %(votes)s of %(members)s votes (%(percent)s%%); "
                    "rank %(rank)s in the published ranking of %(year)s."
                )
            nominee_add(
                proposal=proposal,
                actor=actor,
                award_form=form,
                unit=item.unit,
                achievements=text % words,
            )


@transaction.atomic
def proposal_create_for_campaign(
    *,
    campaign: Campaign,
    actor: User,
    title: str,
    year: int,
    number: str = "",
    summary: str = "",
    comments_open_until: datetime.date | None = None,
) -> Proposal:
    """Draft a proposal of awards for a campaign of the actor's authority (for
    a year the campaign runs in). Refuses a campaign still in draft, a year
    outside the campaign and an empty title."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.authority_id != actor.authority_id:
        raise DomainError(_("Choose a campaign of your authority."))
    if campaign.is_draft:
        raise DomainError(_("The campaign has not been launched yet."))
    if year not in campaign.years:
        raise DomainError(
            _("The campaign runs from %(start)s to %(end)s.")
            % {"start": campaign.start_date.year, "end": campaign.end_date.year},
            "year",
        )
    if not _clean_text(title):
        raise DomainError(_("Give the proposal a title."), "title")
    return audited_save(
        Proposal(
            authority_id=campaign.authority_id,
            campaign=campaign,
            year=year,
            title=_clean_text(title),
            number=_clean_text(number),
            summary=summary or "",
            comments_open_until=comments_open_until,
            created_by=actor,
        ),
        actor,
    )


@transaction.atomic
def proposal_update(*, proposal: Proposal, actor: User, **fields: Any) -> Proposal:
    """Change the title, number, summary, quota reason or public-comment window
    of a draft or returned proposal."""
    proposal = _locked(proposal)
    _check_editable(proposal)
    if "title" in fields and not _clean_text(fields["title"]):
        raise DomainError(_("Give the proposal a title."), "title")
    for name, value in fields.items():
        setattr(proposal, name, value.strip() if isinstance(value, str) else value)
    return audited_save(proposal, actor)


def _check_nominee(
    proposal: Proposal, award_form: AwardForm, unit: Unit | None, person_name: str
) -> None:
    if award_form.authority_id != proposal.authority_id or not award_form.is_active:
        raise DomainError(_("Choose an award form of the catalogue."), "award_form")
    if (unit is None) == (not _clean_text(person_name)):
        raise DomainError(
            _("Choose a member unit or enter a person's name, not both."), "unit"
        )
    collective = unit is not None
    if not award_form.accepts(collective=collective):
        raise DomainError(
            _("%(form)s is not awarded to a %(kind)s.")
            % {
                "form": award_form.name,
                "kind": _("collective") if collective else _("individual"),
            },
            "award_form",
        )
    if unit is not None:
        if unit.authority_id != proposal.authority_id:
            raise DomainError(_("Choose a unit of this authority."), "unit")
        if (
            proposal.term is not None
            and not proposal.term.memberships.filter(unit=unit).exists()
        ):
            raise DomainError(
                _("%(unit)s is not a member of this term.") % {"unit": unit}, "unit"
            )


@transaction.atomic
def nominee_add(
    *,
    proposal: Proposal,
    actor: User,
    award_form: AwardForm,
    achievements: str,
    unit: Unit | None = None,
    person_name: str = "",
    person_position: str = "",
    person_organisation: str = "",
) -> Nominee:
    """Propose a member unit, or a person (name, position, organisation), for
    `award_form`. Refuses a proposal that is not editable, a form of another
    authority or one that does not go to that kind of recipient, a unit that is
    not a member of the term, both or neither of unit and person, no
    achievements, and the same unit twice for the same form."""
    proposal = _locked(proposal)
    _check_editable(proposal)
    _check_nominee(proposal, award_form, unit, person_name)
    if not _clean_text(achievements):
        raise DomainError(_("Summarise the achievements."), "achievements")
    nominee = Nominee(
        proposal=proposal,
        award_form=award_form,
        unit=unit,
        person_name=_clean_text(person_name) if unit is None else "",
        person_position=_clean_text(person_position) if unit is None else "",
        person_organisation=_clean_text(person_organisation) if unit is None else "",
        achievements=achievements.strip(),
    )
    try:
        with transaction.atomic():
            return audited_save(nominee, actor)
    except IntegrityError as error:
        raise DomainError(
            _("This unit is already proposed for this award."), "unit"
        ) from error


@transaction.atomic
def nominee_update(*, nominee: Nominee, actor: User, **fields: Any) -> Nominee:
    """Change a nominee of a draft or returned proposal (same checks as
    `nominee_add`)."""
    proposal = _locked(nominee.proposal)
    _check_editable(proposal)
    nominee = Nominee.objects.select_for_update().get(pk=nominee.pk)
    for name, value in fields.items():
        setattr(nominee, name, value.strip() if isinstance(value, str) else value)
    _check_nominee(proposal, nominee.award_form, nominee.unit, nominee.person_name)
    if nominee.unit_id:
        nominee.person_name = nominee.person_position = ""
        nominee.person_organisation = ""
    if not _clean_text(nominee.achievements):
        raise DomainError(_("Summarise the achievements."), "achievements")
    try:
        with transaction.atomic():
            return audited_save(nominee, actor)
    except IntegrityError as error:
        raise DomainError(
            _("This unit is already proposed for this award."), "unit"
        ) from error


@transaction.atomic
def nominee_remove(*, nominee: Nominee, actor: User) -> None:
    """Take a nominee off a draft or returned proposal."""
    proposal = _locked(nominee.proposal)
    _check_editable(proposal)
    audited_delete(nominee, actor)


@removes_files_on_failure
@transaction.atomic
def attachment_add(
    *, proposal: Proposal, actor: User, upload: UploadedFile, description: str
) -> Attachment:
    """Attach a checked file (see `pledges.uploads.check_evidence`: type by
    content, size, zip bombs) to a draft or returned proposal."""
    proposal = _locked(proposal)
    _check_editable(proposal)
    if not _clean_text(description):
        raise DomainError(_("Describe the file."), "description")
    attachment = store_checked(
        Attachment(proposal=proposal, description=_clean_text(description)[:200]),
        upload,
        actor,
    )
    return audited_save(attachment, actor)


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """Remove a file from a draft or returned proposal; the stored file goes
    after commit."""
    proposal = _locked(attachment.proposal)
    _check_editable(proposal)
    audited_delete(attachment, actor)
    # The file stays until `sweep_orphan_files` removes it after its grace
    # period, never during a backup (deploy/backup.sh holds the same lock).


@transaction.atomic
def proposal_submit(
    *, proposal: Proposal, actor: User, quota_reason: str | None = None
) -> Proposal:
    """Send a draft or returned proposal to the authority. Refuses a proposal
    without nominees, a term that is not in “proposing”, and a proposal above a
    quota (see `selectors.eligibility`) without a stated reason. Other warnings
    do not block: they travel with the proposal."""
    from ..selectors.eligibility import proposal_checks, quota_exceeded

    proposal = _locked(proposal)
    if proposal.term is not None and proposal.term.state not in SUBMITTING_TERM_STATES:
        raise DomainError(
            _("A term's proposal is sent while the term is “%(state)s”.")
            % {"state": TermState.PROPOSING.label}
        )
    nominees = list(proposal.nominees.select_related("award_form", "unit"))
    if not nominees:
        raise DomainError(_("Add at least one nominee before sending."))
    if quota_reason is None:
        quota_reason = proposal.quota_reason
    quota_reason = _clean_text(quota_reason)
    forms = {n.award_form_id: n.award_form for n in nominees}
    checks = proposal_checks(proposal, nominees, forms)
    if quota_exceeded(checks) and not quota_reason:
        raise DomainError(
            _(
                "The proposal exceeds a quota: state the reason for proposing "
                "more nominees than allowed."
            ),
            "quota_reason",
        )
    return PROPOSAL_WORKFLOW.move(
        proposal,
        ProposalState.SUBMITTED,
        actor=actor,
        fields={"submitted_at": timezone.now(), "quota_reason": quota_reason},
    )


@transaction.atomic
def proposal_receive(*, proposal: Proposal, actor: User) -> Proposal:
    """The authority acknowledges a submitted proposal."""
    proposal = _locked(proposal)
    return PROPOSAL_WORKFLOW.move(proposal, ProposalState.RECEIVED, actor=actor)


@transaction.atomic
def proposal_appraise(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """The authority's council has appraised a received proposal."""
    proposal = _locked(proposal)
    return PROPOSAL_WORKFLOW.move(
        proposal, ProposalState.APPRAISED, actor=actor, reason=note
    )


@transaction.atomic
def proposal_return(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """Send a proposal back to its drafters with a reason; they may change it
    and send it again."""
    proposal = _locked(proposal)
    return PROPOSAL_WORKFLOW.move(
        proposal,
        ProposalState.RETURNED,
        actor=actor,
        reason=reason,
        fields={"last_reason": _clean_text(reason)},
    )


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """Refuse a proposal with a reason; none of its nominees is granted."""
    proposal = _locked(proposal)
    reason = _clean_text(reason)
    PROPOSAL_WORKFLOW.move(
        proposal,
        ProposalState.REJECTED,
        actor=actor,
        reason=reason,
        fields={"last_reason": reason},
    )
    for nominee in proposal.nominees.select_for_update():
        nominee.outcome = NomineeOutcome.NOT_GRANTED
        audited_save(nominee, actor, reason, update_fields=["outcome"])
    return proposal


# Public comments -------------------------------------------------------------


def comments_open(proposal: Proposal, today: datetime.date | None = None) -> bool:
    """True while the proposal takes public comments."""
    today = today or timezone.localdate()
    return (
        proposal.comments_open_until is not None
        and today <= proposal.comments_open_until
        and proposal.state != ProposalState.REJECTED
    )


@transaction.atomic
def comment_add(
    *, proposal: Proposal, author_name: str, text: str, nominee: Nominee | None = None
) -> PublicComment:
    """Record a comment from the public (no account), hidden until approved.
    Refuses a proposal whose window is closed, a nominee of another proposal and
    an empty name or text."""
    require_term_writable(proposal)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not comments_open(proposal):
        raise DomainError(_("This proposal no longer takes comments."))
    if nominee is not None and nominee.proposal_id != proposal.pk:
        raise DomainError(_("Choose a nominee of this proposal."), "nominee")
    if not _clean_text(author_name):
        raise DomainError(_("Enter your name."), "author_name")
    if not _clean_text(text):
        raise DomainError(_("Write your comment."), "text")
    return audited_save(
        PublicComment(
            proposal=proposal,
            nominee=nominee,
            author_name=_clean_text(author_name)[:150],
            text=_clean_text(text)[:3000],
        ),
        None,
    )


@transaction.atomic
def comment_moderate(
    *, comment: PublicComment, actor: User, approve: bool
) -> PublicComment:
    """Publish (`approve`) or hide a public comment; the moderator is recorded."""
    require_term_writable(comment.proposal)
    comment = PublicComment.objects.select_for_update().get(pk=comment.pk)
    comment.state = CommentState.APPROVED if approve else CommentState.HIDDEN
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    return audited_save(
        comment, actor, update_fields=["state", "moderated_by", "moderated_at"]
    )


def active_forms(authority: Authority) -> QuerySet[AwardForm]:
    """The authority's award forms in use (a read: `awards.selectors.award_forms`)."""
    return award_forms(authority.pk, active_only=True)


__all__ = [
    "DRAFTING_TERM_STATES",
    "PROPOSAL_TRANSITIONS",
    "PROPOSAL_WORKFLOW",
    "SUBMITTING_TERM_STATES",
    "active_forms",
    "attachment_add",
    "attachment_remove",
    "comment_add",
    "comment_moderate",
    "comments_open",
    "nominee_add",
    "nominee_remove",
    "nominee_update",
    "proposal_appraise",
    "proposal_create_for_campaign",
    "proposal_create_for_term",
    "proposal_receive",
    "proposal_reject",
    "proposal_return",
    "proposal_submit",
    "proposal_update",
]
