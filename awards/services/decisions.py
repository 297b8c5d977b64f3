"""Recording an award decision: the decision, its grants (the registry) and the
close of the proposal, in one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audited_save
from core.errors import DomainError

from ..models import (
    Decision,
    Grant,
    IssuerKind,
    Nominee,
    NomineeOutcome,
    ProposalState,
    SigningCapacity,
    fold,
    person_key,
)
from .catalogue import base_salary_on, reward_amount
from .proposals import PROPOSAL_WORKFLOW, require_term_writable


def _search_text(nominee, form, decision):
    parts = [
        nominee.unit.name if nominee.unit_id else "",
        nominee.unit.short_name if nominee.unit_id else "",
        nominee.person_name,
        nominee.person_position,
        nominee.person_organisation,
        form.name,
        decision.number_display,
    ]
    # A leading space so that a search matches at the start of any word.
    return " " + fold(" ".join(part for part in parts if part))[:998]


def _required(value, field, message):
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field)
    return value


def _lock_appraised(proposal):
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


def _decision_number(number):
    try:
        number = int(number)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Enter the decision number."), "number") from error
    if number < 1:
        raise DomainError(_("Enter the decision number."), "number")
    return number


def _check_date_and_capacity(date, capacity):
    if date is None:
        raise DomainError(_("Enter the decision date."), "date")
    if date > timezone.localdate():
        raise DomainError(_("The decision date cannot be in the future."), "date")
    if capacity not in SigningCapacity.values:
        raise DomainError(_("Choose the signing capacity."), "capacity")


def _granted_ids(granted, nominees):
    """The ids of `granted` (nominees or ids), in order and once each; refuses
    anyone not in `nominees` and an empty list."""
    granted_ids = []
    for item in granted:
        pk = getattr(item, "pk", item)
        try:
            pk = int(pk)
        except (TypeError, ValueError) as error:
            raise DomainError(
                _("Choose nominees of this proposal."), "granted"
            ) from error
        if pk not in nominees:
            name = getattr(item, "name", None) or pk
            raise DomainError(
                _(
                    "%(name)s is not a nominee of this proposal; a decision grants "
                    "only proposed nominees."
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


def _number_taken(number, issuer_code, year):
    return DomainError(
        _("Number %(number)s/QĐ-%(issuer)s is already used in %(year)s.")
        % {"number": f"{number:02d}", "issuer": issuer_code, "year": year},
        "number",
    )


def _save_decision(decision, actor):
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


def _grant(decision, nominee, actor):
    """The registry entry of `nominee`'s award under `decision`."""
    form = nominee.award_form
    return audited_save(
        Grant(
            decision=decision,
            nominee=nominee,
            authority=decision.authority,
            award_form=form,
            year=decision.proposal.year,
            unit=nominee.unit,
            person_name=nominee.person_name,
            person_position=nominee.person_position,
            person_organisation=nominee.person_organisation,
            person_key=person_key(nominee.person_name, nominee.person_organisation),
            reason=nominee.achievements,
            amount=reward_amount(decision.base_salary, form.multiplier),
            recipient_name=nominee.name,
            search_text=_search_text(nominee, form, decision),
        ),
        actor,
    )


def _close_nominees(decision, nominees, granted_ids, actor):
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
    proposal,
    actor,
    number,
    date,
    signer_name,
    capacity,
    legal_bases,
    granted,
    issuing_body,
    subject,
    issuer_code="UBND",
    proposed_by="Giám đốc Sở Nội vụ",
    issuer_kind=IssuerKind.COLLECTIVE,
):
    """Record the decision answering an appraised proposal: `granted` are the
    nominees (or their ids) who receive their award; every other nominee is
    closed as not granted, and the proposal becomes decided. Each grant's
    reward is the base salary in force on the decision date × the form's
    multiplier, rounded up to the ten thousand VND (none when the multiplier is
    not set).

    Refuses a proposal that is not appraised, a number the issuer already used
    in that year, a date in the future, no grant at all, a nominee who is not in
    the proposal, an unknown signing capacity or deciding authority (the
    committee as a collective or its chairman) and empty required fields;
    nothing is written then."""
    proposal = _lock_appraised(proposal)
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
        .filter(proposal=proposal)
        .select_related("award_form", "unit")
    }
    granted_ids = _granted_ids(granted, nominees)
    salary = base_salary_on(proposal.authority, date)
    decision = _save_decision(
        Decision(
            authority=proposal.authority,
            proposal=proposal,
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
    PROPOSAL_WORKFLOW.move(
        proposal, ProposalState.DECIDED, actor=actor, reason=decision.number_display
    )
    return decision


__all__ = ["decision_record"]
