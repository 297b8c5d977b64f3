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
    Nominee,
    NomineeOutcome,
    Proposal,
    ProposalState,
    SigningCapacity,
    fold,
    person_key,
)
from .catalogue import base_salary_on, reward_amount
from .proposals import PROPOSAL_TRANSITIONS, require_term_writable


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
):
    """Record the decision answering an appraised proposal: `granted` are the
    nominees (or their ids) who receive their award; every other nominee is
    closed as not granted, and the proposal becomes decided. Each grant's
    reward is the base salary in force on the decision date × the form's
    multiplier, rounded up to the ten thousand VND (none when the multiplier is
    not set).

    Refuses a proposal that is not appraised, a number the issuer already used
    in that year, a date in the future, no grant at all, a nominee who is not in
    the proposal, an unknown signing capacity and empty required fields; nothing
    is written then."""
    require_term_writable(proposal)
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=proposal.pk)
    )
    if ProposalState.DECIDED not in PROPOSAL_TRANSITIONS[ProposalState(proposal.state)]:
        raise DomainError(
            _(
                "A decision is recorded for an appraised proposal (this one is "
                "“%(state)s”)."
            )
            % {"state": ProposalState(proposal.state).label}
        )
    try:
        number = int(number)
    except (TypeError, ValueError) as error:
        raise DomainError(_("Enter the decision number."), "number") from error
    if number < 1:
        raise DomainError(_("Enter the decision number."), "number")
    if date is None:
        raise DomainError(_("Enter the decision date."), "date")
    if date > timezone.localdate():
        raise DomainError(_("The decision date cannot be in the future."), "date")
    if capacity not in SigningCapacity.values:
        raise DomainError(_("Choose the signing capacity."), "capacity")
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
    if Decision.objects.filter(
        authority=proposal.authority,
        issuer_code=issuer_code,
        year=date.year,
        number=number,
    ).exists():
        raise DomainError(
            _("Number %(number)s/QĐ-%(issuer)s is already used in %(year)s.")
            % {"number": f"{number:02d}", "issuer": issuer_code, "year": date.year},
            "number",
        )
    salary = base_salary_on(proposal.authority, date)
    decision = Decision(
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
        legal_bases=legal_bases,
        proposed_by=(proposed_by or "").strip(),
        base_salary=salary.amount if salary else None,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            audited_save(decision, actor)
    except IntegrityError as error:
        raise DomainError(
            _("Number %(number)s/QĐ-%(issuer)s is already used in %(year)s.")
            % {"number": f"{number:02d}", "issuer": issuer_code, "year": date.year},
            "number",
        ) from error
    for pk, nominee in nominees.items():
        if pk in granted_ids:
            form = nominee.award_form
            audited_save(
                Grant(
                    decision=decision,
                    nominee=nominee,
                    authority=proposal.authority,
                    award_form=form,
                    year=proposal.year,
                    unit=nominee.unit,
                    person_name=nominee.person_name,
                    person_position=nominee.person_position,
                    person_organisation=nominee.person_organisation,
                    person_key=person_key(
                        nominee.person_name, nominee.person_organisation
                    ),
                    reason=nominee.achievements,
                    amount=reward_amount(decision.base_salary, form.multiplier),
                    recipient_name=nominee.name,
                    search_text=_search_text(nominee, form, decision),
                ),
                actor,
            )
            nominee.outcome = NomineeOutcome.GRANTED
        else:
            nominee.outcome = NomineeOutcome.NOT_GRANTED
        audited_save(nominee, actor, update_fields=["outcome"])
    proposal.state = ProposalState.DECIDED
    audited_save(proposal, actor, decision.number_display, update_fields=["state"])
    return decision


__all__ = ["decision_record"]
