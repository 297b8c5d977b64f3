"""Recording an award decision: the decision, its grants (the registry) and the
close of the proposals it answers, in one transaction; and the grants of
decisions taken outside the product, entered in the registry by staff."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import Authority, Unit, User
from core.audit import audited_delete, audited_save
from core.errors import DomainError
from pledges.uploads import removes_files_on_failure, store_checked

from ..models import (
    AwardForm,
    Decision,
    ExternalDecision,
    Grant,
    IssuerKind,
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    SigningCapacity,
    fold,
    person_key,
)
from ..permissions import can_handle_proposal, handles_awards
from .catalogue import base_salary_on, reward_amount
from .proposals import PROPOSAL_WORKFLOW, require_term_writable

# The words that mark an external grant in the registry's search text, so
# that searching “ngoài hệ thống” lists them.
EXTERNAL_MARK = "ngoài hệ thống"


def _search_text(
    recipient: Nominee | Grant, form: AwardForm, number: str, *, external: bool = False
) -> str:
    """The registry's folded search text of a grant to `recipient` (a nominee
    or an unsaved grant: unit, person, position, organisation)."""
    unit = recipient.unit if recipient.unit_id else None
    parts = [
        unit.name if unit else "",
        unit.short_name if unit else "",
        recipient.person_name,
        recipient.person_position,
        recipient.person_organisation,
        form.name,
        number,
        EXTERNAL_MARK if external else "",
    ]
    # A leading space so that a search matches at the start of any word.
    return " " + fold(" ".join(part for part in parts if part))[:998]


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field)
    return value


def _lock_appraised(proposal: Proposal) -> Proposal:
    """`proposal` locked, refused unless it may become decided (appraised)."""
    require_term_writable(proposal)
    proposal = PROPOSAL_WORKFLOW.lock(proposal, related=("authority",))
    if not PROPOSAL_WORKFLOW.allows(proposal.state, ProposalState.DECIDED):
        raise DomainError(
            _(
                "A decision is recorded for an appraised proposal (this one is "
                "“%(state)s”)."
            )
            % {"state": ProposalState(proposal.state).label}
        )
    return proposal


def _lock_answered(
    main: Proposal, also: Iterable[Proposal | int], actor: User
) -> list[Proposal]:
    """The proposals the decision answers, locked in id order: `main` (which
    must be appraised) and each of `also` (proposals or ids; received or
    appraised, of the same authority). Refuses an actor who may not handle
    any of them and a proposal of another authority or in another state."""
    ids = []
    for item in also:
        try:
            pk = int(getattr(item, "pk", item))  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise DomainError(_("Choose proposals to answer."), "also") from error
        if pk != main.pk and pk not in ids:
            ids.append(pk)
    others = {
        p.pk: p
        for p in Proposal.objects.filter(pk__in=ids, authority_id=main.authority_id)
    }
    if len(others) != len(ids):
        raise DomainError(
            _("A decision answers proposals sent to its own authority only."), "also"
        )
    locked = {}
    for pk in sorted([main.pk, *ids]):
        proposal = main if pk == main.pk else others[pk]
        if not can_handle_proposal(actor, proposal):
            raise DomainError(
                _("Only province staff and admins of the authority record decisions.")
            )
        if pk == main.pk:
            locked[pk] = _lock_appraised(proposal)
            continue
        require_term_writable(proposal)
        proposal = PROPOSAL_WORKFLOW.lock(proposal)
        if proposal.state not in (ProposalState.RECEIVED, ProposalState.APPRAISED):
            raise DomainError(
                _(
                    "“%(title)s” is “%(state)s”; a decision answers received or "
                    "appraised proposals."
                )
                % {
                    "title": proposal.title,
                    "state": ProposalState(proposal.state).label,
                },
                "also",
            )
        locked[pk] = proposal
    return [locked[main.pk], *(locked[pk] for pk in ids)]


def _decision_number(number: Any) -> int:
    try:
        number = int(number)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Enter the decision number."), "number") from error
    if number < 1:
        raise DomainError(_("Enter the decision number."), "number")
    return number


def _check_date_and_capacity(date: datetime.date | None, capacity: str) -> None:
    if date is None:
        raise DomainError(_("Enter the decision date."), "date")
    if date > timezone.localdate():
        raise DomainError(_("The decision date cannot be in the future."), "date")
    if capacity not in SigningCapacity.values:
        raise DomainError(_("Choose the signing capacity."), "capacity")


def _granted_ids(
    granted: Iterable[Nominee | int], nominees: Mapping[int, Nominee]
) -> list[int]:
    """The ids of `granted` (nominees or ids), in order and once each; refuses
    anyone not in `nominees` and an empty list."""
    granted_ids = []
    for item in granted:
        pk = getattr(item, "pk", item)
        try:
            pk = int(pk)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise DomainError(
                _("Choose nominees of this proposal."), "granted"
            ) from error
        if pk not in nominees:
            name = getattr(item, "name", None) or pk
            raise DomainError(
                _(
                    "%(name)s is not a nominee of the proposals answered; a "
                    "decision grants only proposed nominees."
                )
                % {"name": name},
                "granted",
            )
        if pk not in granted_ids:
            granted_ids.append(pk)
    if not granted_ids:
        raise DomainError(
            _("A decision grants at least one award; reject the proposal otherwise."),
            "granted",
        )
    return granted_ids


def _check_each_answered_grants(
    proposals: list[Proposal], nominees: Mapping[int, Nominee], granted_ids: list[int]
) -> None:
    """Refuses a proposal answered without any of its nominees granted: ticking
    a proposal under “also answers” and none of its nominees would close them
    all as not granted. Such a proposal is rejected, not decided."""
    granting = {nominees[pk].proposal_id for pk in granted_ids}
    for answered in proposals:
        if answered.pk not in granting:
            raise DomainError(
                _(
                    "No nominee of “%(title)s” is granted: tick the nominees this "
                    "decision grants it, or leave it out of the decision (and "
                    "reject it if none is granted)."
                )
                % {"title": answered.title},
                "granted",
            )


def _number_taken(number: int, issuer_code: str, year: int) -> DomainError:
    return DomainError(
        _("Number %(number)s/QĐ-%(issuer)s is already used in %(year)s.")
        % {"number": f"{number:02d}", "issuer": issuer_code, "year": year},
        "number",
    )


def _save_decision(decision: Decision, actor: User) -> Decision:
    """Save `decision`, refusing a number its issuer already used that year
    (checked first, and again by the unique constraint for a racing save)."""
    number, issuer_code, year = decision.number, decision.issuer_code, decision.year
    if Decision.objects.filter(
        authority=decision.authority,
        issuer_code=issuer_code,
        year=year,
        number=number,
    ).exists():
        raise _number_taken(number, issuer_code, year)
    try:
        with transaction.atomic():
            audited_save(decision, actor)
    except IntegrityError as error:
        raise _number_taken(number, issuer_code, year) from error
    return decision


def _grant(decision: Decision, nominee: Nominee, actor: User) -> Grant:
    """The registry entry of `nominee`'s award under `decision`, for the
    emulation year of the nominee's own proposal."""
    form = nominee.award_form
    return audited_save(
        Grant(
            decision=decision,
            nominee=nominee,
            authority=decision.authority,
            award_form=form,
            year=nominee.proposal.year,
            unit=nominee.unit,
            person_name=nominee.person_name,
            person_position=nominee.person_position,
            person_organisation=nominee.person_organisation,
            person_key=person_key(nominee.person_name, nominee.person_organisation),
            reason=nominee.achievements,
            amount=reward_amount(decision.base_salary, form.multiplier),
            recipient_name=nominee.name,
            search_text=_search_text(nominee, form, decision.number_display),
        ),
        actor,
    )


def _close_nominees(
    decision: Decision,
    nominees: Mapping[int, Nominee],
    granted_ids: Collection[int],
    actor: User,
) -> None:
    """Grant the nominees in `granted_ids`; every other one is not granted."""
    for pk, nominee in nominees.items():
        if pk in granted_ids:
            _grant(decision, nominee, actor)
            nominee.outcome = NomineeOutcome.GRANTED
        else:
            nominee.outcome = NomineeOutcome.NOT_GRANTED
        audited_save(nominee, actor, update_fields=["outcome"])


@transaction.atomic
def decision_record(
    *,
    proposal: Proposal,
    actor: User,
    number: Any,
    date: datetime.date,
    signer_name: str,
    capacity: str,
    legal_bases: str,
    granted: Iterable[Nominee | int],
    issuing_body: str,
    subject: str,
    issuer_code: str = "UBND",
    proposed_by: str = "Giám đốc Sở Nội vụ",
    issuer_kind: str = IssuerKind.COLLECTIVE,
    also: Iterable[Proposal | int] = (),
) -> Decision:
    """Record the decision answering an appraised proposal and, at once, the
    received or appraised proposals in `also` (proposals or ids of the same
    authority, from any cluster, campaign or unit): `granted` are the
    nominees (or their ids) of those proposals who receive their award, each
    for the emulation year of its own proposal; every other nominee is closed
    as not granted, and every proposal answered moves to decided (a received
    one through appraised) by the proposal workflow. Each grant's reward is
    the base salary in force on the decision date × the form's multiplier,
    rounded up to the ten thousand VND (none when the multiplier is not set).

    Refuses an actor who is not province staff or admin of the authority, a
    proposal that is not appraised (received for `also`) or of another
    authority, a number the issuer already used in that year, a date in the
    future, no grant at all, a nominee who is not in the proposals answered,
    an unknown signing capacity or deciding authority (the committee as a
    collective or its chairman) and empty required fields; nothing is written
    then."""
    proposals = _lock_answered(proposal, also, actor)
    proposal = proposals[0]
    number = _decision_number(number)
    _check_date_and_capacity(date, capacity)
    if issuer_kind not in IssuerKind.values:
        raise DomainError(_("Choose who decides."), "issuer_kind")
    issuer_code = _required(issuer_code, "issuer_code", _("Enter the issuer code."))
    signer_name = _required(signer_name, "signer_name", _("Enter the signer's name."))
    issuing_body = _required(issuing_body, "issuing_body", _("Enter the issuing body."))
    subject = _required(subject, "subject", _("Enter the subject of the decision."))
    legal_bases = _required(
        legal_bases, "legal_bases", _("Enter the legal bases, one per line.")
    )
    nominees = {
        n.pk: n
        for n in Nominee.objects.select_for_update(of=("self",))
        .filter(proposal__in=proposals)
        .select_related("award_form", "unit", "proposal")
        .order_by("pk")
    }
    granted_ids = _granted_ids(granted, nominees)
    _check_each_answered_grants(proposals, nominees, granted_ids)
    salary = base_salary_on(proposal.authority, date)
    decision = _save_decision(
        Decision(
            authority=proposal.authority,
            number=number,
            issuer_code=issuer_code,
            year=date.year,
            date=date,
            issuing_body=issuing_body,
            subject=subject,
            signer_name=signer_name,
            capacity=capacity,
            issuer_kind=issuer_kind,
            legal_bases=legal_bases,
            proposed_by=(proposed_by or "").strip(),
            base_salary=salary.amount if salary else None,
            recorded_by=actor,
        ),
        actor,
    )
    _close_nominees(decision, nominees, granted_ids, actor)
    for answered in proposals:
        if answered.state == ProposalState.RECEIVED:
            PROPOSAL_WORKFLOW.move(
                answered,
                ProposalState.APPRAISED,
                actor=actor,
                reason=decision.number_display,
            )
        PROPOSAL_WORKFLOW.move(
            answered,
            ProposalState.DECIDED,
            actor=actor,
            reason=decision.number_display,
            fields={"decision": decision},
        )
    return decision


def _unit_or_person(
    authority: Authority,
    unit: Unit | None,
    person_name: str | None,
    position: str | None,
    organisation: str | None,
    form: AwardForm,
) -> dict[str, Any]:
    """The recipient fields of an external grant, checked: a unit of the
    authority or a person's name, as the award form allows."""
    person_name = (person_name or "").strip()[:150]
    if (unit is None) == (not person_name):
        raise DomainError(
            _("Choose a unit or enter a person's name (not both)."), "unit"
        )
    if unit is not None and unit.authority_id != authority.pk:
        raise DomainError(_("Choose a unit of your authority."), "unit")
    if not form.accepts(collective=unit is not None):
        raise DomainError(
            _("%(form)s does not go to this kind of recipient.") % {"form": form.name},
            "award_form",
        )
    return {
        "unit": unit,
        "person_name": person_name,
        "person_position": (position or "").strip()[:200] if not unit else "",
        "person_organisation": (organisation or "").strip()[:200] if not unit else "",
    }


@removes_files_on_failure
@transaction.atomic
def external_grant_record(
    *,
    actor: User,
    issuer: str,
    number: Any,
    date: datetime.date,
    award_form: AwardForm,
    year: int,
    unit: Unit | None = None,
    person_name: str = "",
    person_position: str = "",
    person_organisation: str = "",
    reason: str = "",
    upload: UploadedFile | None = None,
    is_sample: bool = False,
) -> Grant:
    """Enter in the registry an award decided outside the product (e.g. the
    Prime Minister's Government flag): the outside decision (issuer, number,
    date, optional scanned file; one row per act, reused by its later
    entries) and its grant to a unit or a person for emulation year `year`.
    The grant counts in eligibility checks and the ranking bonus exactly as a
    decided one. Refuses an actor who is not province staff or admin of the
    authority, a form of another authority or not for this recipient, a unit
    of another authority, a date in the future, a year after the date, a
    grant the registry already holds for that act and empty required fields;
    nothing is written then."""
    if not handles_awards(actor):
        raise DomainError(
            _("Only province staff and admins of the authority record awards.")
        )
    authority = actor.authority
    assert authority is not None  # noqa: S101 (`handles_awards`: of an authority)
    issuer = _required(issuer, "issuer", _("Enter who issued the decision."))[:200]
    number = _required(number, "number", _("Enter the decision number."))[:50]
    if date is None:
        raise DomainError(_("Enter the decision date."), "date")
    if date > timezone.localdate():
        raise DomainError(_("The decision date cannot be in the future."), "date")
    if award_form is None or award_form.authority_id != authority.pk:
        raise DomainError(_("Choose an award form of your authority."), "award_form")
    try:
        year = int(year)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Enter the emulation year."), "year") from error
    if not 2000 <= year <= date.year:
        raise DomainError(
            _("The emulation year is at most the year of the decision."), "year"
        )
    recipient = _unit_or_person(
        authority,
        unit,
        person_name,
        person_position,
        person_organisation,
        award_form,
    )
    act = (
        ExternalDecision.objects.select_for_update()
        .filter(authority=authority, issuer=issuer, number=number, date=date)
        .first()
    )
    if act is None:
        act = ExternalDecision(
            authority=authority,
            issuer=issuer,
            number=number,
            date=date,
            is_sample=is_sample,
            original_name="",
            content_type="",
            size=0,
            uploaded_by=actor,
        )
        if upload is not None:
            store_checked(act, upload, actor)
        audited_save(act, actor)
    elif upload is not None and not act.file:
        store_checked(act, upload, actor)
        audited_save(act, actor)
    same = Grant.objects.filter(external=act, award_form=award_form, year=year)
    if recipient["unit"] is not None:
        same = same.filter(unit=recipient["unit"])
    else:
        same = same.filter(
            person_key=person_key(
                recipient["person_name"], recipient["person_organisation"]
            )
        )
    if same.exists():
        raise DomainError(
            _("The registry already holds this award under that decision."), "unit"
        )
    grant = Grant(
        external=act,
        authority=authority,
        award_form=award_form,
        year=year,
        person_key=person_key(
            recipient["person_name"], recipient["person_organisation"]
        ),
        reason=(reason or "").strip(),
        recipient_name=(
            recipient["unit"].name if recipient["unit"] else recipient["person_name"]
        ),
        **recipient,
    )
    grant.search_text = _search_text(grant, award_form, number, external=True)
    return audited_save(grant, actor)


@transaction.atomic
def external_grant_remove(*, actor: User, grant: Grant, reason: str) -> None:
    """Take out of the registry an entry of `external_grant_record` made by
    mistake (to correct one, remove it and enter it again); the outside
    decision goes with its last entry. Both deletions keep their history
    with `actor` and `reason`. Refuses an actor who is not province staff or
    admin of the grant's authority, a grant of a decision of the product and
    an empty reason; nothing is removed then."""
    if not handles_awards(actor) or grant.authority_id != actor.authority_id:
        raise DomainError(
            _("Only province staff and admins of the authority record awards.")
        )
    reason = _required(reason, "reason", _("Give a reason for removing the entry."))
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("external")
        .get(pk=grant.pk)
    )
    act = grant.external
    if act is None:
        raise DomainError(
            _("Only awards entered from outside the system can be removed here.")
        )
    audited_delete(grant, actor, reason)
    if not act.grants.exists():
        audited_delete(act, actor, reason)
        # Its scan stays until `sweep_orphan_files` removes it after its grace
        # period, never during a backup (deploy/backup.sh holds the same lock).


__all__ = [
    "EXTERNAL_MARK",
    "decision_record",
    "external_grant_record",
    "external_grant_remove",
]
