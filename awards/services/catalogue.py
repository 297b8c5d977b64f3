"""Writes of the award catalogue and the base salary, per authority.

Every authority has its catalogue: the data migrations seeded the authorities
that existed then, and `clusters.services.authority_create` seeds every new one
(`catalogue_seed`, registered by `AwardsConfig.ready`). `catalogue_for` seeds
an authority made without that service (test and demo data) on first use; reads
of the catalogue (`awards.selectors.catalogue`) never write."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Collection
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clusters.models import Authority, User
from core.audit import audited_save
from core.errors import DomainError

from ..catalogue_defaults import DEFAULT_BASE_SALARIES, DEFAULT_FORMS
from ..models import AwardForm, BaseSalary

# Decree 91/2017/NĐ-CP art. 68.2 (kept by its successors): a reward, once the
# multiplier is applied to the base salary, is rounded UP to the ten thousand VND.
ROUNDING_STEP = Decimal(10000)
RULE_KINDS = {"consecutive_years", "holds", "count_in_years", "manual"}
RECIPIENTS = {"collective", "individual"}


def _seed(authority: Authority, actor: User | None) -> None:
    """Insert the default forms and base salaries `authority` lacks, each with
    its "created" history entry naming `actor` (one bulk insert per table)."""
    codes = set(
        AwardForm.objects.filter(authority=authority).values_list("code", flat=True)
    )
    forms = []
    for position, spec in enumerate(DEFAULT_FORMS, start=1):
        spec = copy.deepcopy(spec)
        code = spec.pop("code")
        multiplier = spec.pop("multiplier")
        if code not in codes:
            forms.append(
                AwardForm(
                    authority=authority,
                    code=code,
                    multiplier=Decimal(multiplier) if multiplier else None,
                    ranking_bonus=Decimal(spec.pop("ranking_bonus")),
                    position=position,
                    **spec,
                )
            )
    days = set(
        BaseSalary.objects.filter(authority=authority).values_list(
            "effective_from", flat=True
        )
    )
    salaries = []
    for amount, start, source in DEFAULT_BASE_SALARIES:
        day = datetime.date.fromisoformat(start)
        if day not in days:
            salaries.append(
                BaseSalary(
                    authority=authority,
                    amount=Decimal(amount),
                    effective_from=day,
                    legal_source=source,
                )
            )
    bulk_create_with_history(forms, AwardForm, default_user=actor)
    bulk_create_with_history(salaries, BaseSalary, default_user=actor)


@transaction.atomic
def catalogue_seed(authority: Authority, actor: User | None = None) -> None:
    """Give `authority` the award catalogue of `awards.catalogue_defaults` and
    the base salaries when it has no award form yet. Idempotent; the authority
    row is locked while seeding so two first uses do not seed twice. Runs for
    every new authority (`clusters.services.AUTHORITY_SETUP`)."""
    forms = AwardForm.objects.filter(authority=authority)
    if not forms.exists():
        type(authority).objects.select_for_update().get(pk=authority.pk)
        if not forms.exists():
            _seed(authority, actor)


@transaction.atomic
def catalogue_for(
    authority: Authority, actor: User | None = None
) -> QuerySet[AwardForm]:
    """The authority's award forms (in catalogue order), seeded first when it
    has none yet (`catalogue_seed`)."""
    catalogue_seed(authority, actor)
    return AwardForm.objects.filter(authority=authority).order_by("position", "name")


# The whole-number settings each kind of counting rule needs (at least 1).
RULE_COUNTS = {
    "consecutive_years": ("count",),
    "count_in_years": ("times", "within_years"),
    "holds": (),
}


def _is_whole(value: object, minimum: int) -> bool:
    """True for an int (not a bool) of at least `minimum`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _not_whole(key: str) -> DomainError:
    return DomainError(
        _("“%(key)s” must be a whole number of at least 1.") % {"key": key},
        "prerequisites",
    )


def _check_rule_shape(rule: Any) -> None:
    """Refuse a rule that is not a dict of a known kind for a known recipient."""
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        raise DomainError(
            _("Each prerequisite needs a kind: %(kinds)s.")
            % {"kinds": ", ".join(sorted(RULE_KINDS))},
            "prerequisites",
        )
    if rule.get("applies_to") not in (None, *RECIPIENTS):
        raise DomainError(
            _("“applies_to” is “collective” or “individual”."), "prerequisites"
        )


def _check_counted_forms(rule: Any, codes: Collection[str]) -> None:
    """Refuse a counting rule without award form codes or with unknown ones."""
    forms = rule.get("forms")
    if not isinstance(forms, list) or not forms:
        raise DomainError(
            _("A rule needs the codes of the award forms it counts."),
            "prerequisites",
        )
    unknown = [code for code in forms if code not in codes]
    if unknown:
        raise DomainError(
            _("Unknown award form codes: %(codes)s.")
            % {"codes": ", ".join(map(str, unknown))},
            "prerequisites",
        )


def _check_prerequisite(rule: Any, codes: Collection[str]) -> None:
    """Refuse one malformed prerequisite: a manual rule needs a note; a
    counting rule needs known form codes and its whole numbers (`RULE_COUNTS`;
    `within_years` is optional for “holds”)."""
    _check_rule_shape(rule)
    if rule["kind"] == "manual":
        if not str(rule.get("note") or "").strip():
            raise DomainError(_("A manual rule needs a note."), "prerequisites")
        return
    _check_counted_forms(rule, codes)
    for key in RULE_COUNTS[rule["kind"]]:
        if not _is_whole(rule.get(key), 1):
            raise _not_whole(key)
    within = rule.get("within_years")
    if rule["kind"] == "holds" and within is not None and not _is_whole(within, 1):
        raise _not_whole("within_years")


def _check_quota(quota: Any) -> None:
    """Refuse a quota that is not a share of members with a percent in
    (0, 100], a whole minimum and rounding up or down; None is no quota."""
    if quota is None:
        return
    if not isinstance(quota, dict) or quota.get("kind") != "share_of_members":
        raise DomainError(
            _("The quota rule is empty or of kind “share_of_members”."), "quota"
        )
    percent, minimum = quota.get("percent"), quota.get("minimum", 0)
    if (
        not isinstance(percent, int | float)
        or isinstance(percent, bool)
        or not 0 < percent <= 100
    ):
        raise DomainError(_("The quota's percent is between 0 and 100."), "quota")
    if not _is_whole(minimum, 0):
        raise DomainError(_("The quota's minimum is a whole number."), "quota")
    if quota.get("rounding", "up") not in ("up", "down"):
        raise DomainError(_("The quota rounds “up” or “down”."), "quota")


def _check_rules(prerequisites: Any, quota: Any, codes: Collection[str]) -> None:
    """Refuse malformed prerequisites (a list of rules over the form `codes`)
    or a malformed quota."""
    if not isinstance(prerequisites, list):
        raise DomainError(_("Prerequisites must be a list of rules."), "prerequisites")
    for rule in prerequisites:
        _check_prerequisite(rule, codes)
    _check_quota(quota)


@transaction.atomic
def award_form_update(
    *, award_form: AwardForm, actor: User, reason: str | None = "", **fields: Any
) -> AwardForm:
    """Change a catalogue row of the actor's authority: names, multiplier,
    ranking bonus, legal source, rules. Refuses malformed rules (unknown kinds,
    codes of forms the authority does not have, a quota that is not a share of
    members) and a code already used."""
    award_form = AwardForm.objects.select_for_update().get(pk=award_form.pk)
    codes = set(
        AwardForm.objects.filter(authority_id=award_form.authority_id).values_list(
            "code", flat=True
        )
    )
    codes.add(fields.get("code", award_form.code))
    _check_rules(
        fields.get("prerequisites", award_form.prerequisites),
        fields.get("quota", award_form.quota),
        codes,
    )
    for name, value in fields.items():
        setattr(award_form, name, value)
    try:
        with transaction.atomic():
            return audited_save(award_form, actor, (reason or "").strip() or None)
    except IntegrityError as error:
        raise DomainError(_("Another award form has this code."), "code") from error


@transaction.atomic
def base_salary_add(
    *,
    authority: Authority,
    actor: User,
    amount: Decimal,
    effective_from: datetime.date,
    legal_source: str = "",
) -> BaseSalary:
    """Record a base salary in force from `effective_from`. Refuses a
    non-positive amount and a second amount starting on the same date."""
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise DomainError(_("Enter an amount in VND."), "amount") from error
    if amount <= 0 or amount != amount.to_integral_value():
        raise DomainError(_("Enter a whole, positive amount in VND."), "amount")
    if BaseSalary.objects.filter(
        authority=authority, effective_from=effective_from
    ).exists():
        raise DomainError(
            _("A base salary already starts on that date."), "effective_from"
        )
    return audited_save(
        BaseSalary(
            authority=authority,
            amount=amount,
            effective_from=effective_from,
            legal_source=legal_source,
        ),
        actor,
    )


def base_salary_on(authority: Authority, day: datetime.date) -> BaseSalary | None:
    """The base salary in force on `day` for the authority, or None."""
    return (
        BaseSalary.objects.filter(authority=authority, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def reward_amount(base: Decimal | None, multiplier: Decimal | None) -> Decimal | None:
    """base × multiplier rounded up to the ten thousand VND; None when either
    is unknown."""
    if base is None or multiplier is None:
        return None
    raw = Decimal(base) * Decimal(multiplier)
    return (raw / ROUNDING_STEP).to_integral_value(rounding=ROUND_CEILING) * (
        ROUNDING_STEP
    )


__all__ = [
    "ROUNDING_STEP",
    "award_form_update",
    "base_salary_add",
    "base_salary_on",
    "catalogue_for",
    "catalogue_seed",
    "reward_amount",
]
