"""Eligibility and quota checks of a proposal against the registry and the
catalogue, shown as warnings that cite their rule before submission.

The rule functions (`rule_met`, `quota_limit`) are pure so they can be tested
table by table; `proposal_checks` gathers the data in a constant number of
queries. See `awards.catalogue_defaults` for the rule formats."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..models import AwardForm, Grant, Nominee, Proposal, ProposalState, person_key


@dataclass(frozen=True)
class Check:
    """One finding: `kind` is "prerequisite", "quota", "duplicate", "recipient"
    (warnings) or "reminder" (a condition to check by hand). `nominee` is None
    for findings about the whole proposal."""

    kind: str
    message: str
    citation: str
    nominee: Nominee | None = None

    @property
    def is_warning(self) -> bool:
        return self.kind != "reminder"


def consecutive_run(years: Collection[int], count: int, year: int) -> bool:
    """True when `years` holds `count` consecutive years ending with `year` or
    with the year before."""
    return any(
        all(end - offset in years for offset in range(count))
        for end in (year, year - 1)
    )


def rule_met(
    rule: Mapping[str, Any], holdings: Mapping[str, Sequence[int]], year: int
) -> bool | None:
    """Whether a nominee holding `holdings` ({form code: [years of grants]})
    meets a prerequisite `rule` for a proposal of `year`; None for a manual rule
    (the registry cannot tell)."""
    kind = rule["kind"]
    if kind == "manual":
        return None
    years = [y for code in rule["forms"] for y in holdings.get(code, ())]
    if kind == "consecutive_years":
        return consecutive_run(set(years), rule["count"], year)
    within = rule.get("within_years")
    if within is not None:
        years = [y for y in years if year - within < y <= year]
    if kind == "holds":
        return bool(years)
    if kind == "count_in_years":
        return len(years) >= rule["times"]
    raise ValueError(kind)


def quota_limit(quota: Mapping[str, Any], members: int) -> int:
    """How many nominees a quota rule allows for a term of `members` members:
    percent of the members rounded up (or down), at least the minimum."""
    share = Fraction(str(quota["percent"])) * members / 100
    rounded = (
        math.floor(share) if quota.get("rounding", "up") == "down" else math.ceil(share)
    )
    return max(int(quota.get("minimum", 0)), rounded)


def rule_text(rule: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The rule in words, naming the forms by `names` ({code: name})."""
    forms = " / ".join(names.get(code, code) for code in rule.get("forms", ()))
    kind = rule["kind"]
    if kind == "consecutive_years":
        text = _("%(count)s consecutive years of %(forms)s") % {
            "count": rule["count"],
            "forms": forms,
        }
    elif kind == "holds" and rule.get("within_years"):
        text = _("%(forms)s in the last %(years)s years") % {
            "forms": forms,
            "years": rule["within_years"],
        }
    elif kind == "holds":
        text = _("holds %(forms)s") % {"forms": forms}
    elif kind == "count_in_years":
        text = _("%(times)s times %(forms)s in the last %(years)s years") % {
            "times": rule["times"],
            "forms": forms,
            "years": rule["within_years"],
        }
    else:
        text = str(rule.get("note", ""))
    note = rule.get("note") if kind != "manual" else ""
    if note:
        text = f"{text} ({note})"
    if rule.get("applies_to") == "individual":
        text = _("%(rule)s — for individuals") % {"rule": text}
    elif rule.get("applies_to") == "collective":
        text = _("%(rule)s — for collectives") % {"rule": text}
    return text


def nominee_key(nominee: Nominee) -> tuple[str, Any]:
    """("unit", id) or ("person", folded name and organisation)."""
    if nominee.unit_id:
        return ("unit", nominee.unit_id)
    return ("person", person_key(nominee.person_name, nominee.person_organisation))


def grant_key(grant: Grant) -> tuple[str, Any]:
    if grant.unit_id:
        return ("unit", grant.unit_id)
    return ("person", grant.person_key)


def holdings_of(
    authority_id: int, nominees: Iterable[Nominee]
) -> Mapping[tuple[str, Any], Mapping[str, list[int]]]:
    """{nominee key: {form code: [years]}} from the registry, one query."""
    unit_ids = {n.unit_id for n in nominees if n.unit_id}
    people = {nominee_key(n)[1] for n in nominees if not n.unit_id}
    people.discard("")
    holdings: defaultdict[tuple[str, Any], defaultdict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if not unit_ids and not people:
        return holdings
    grants = Grant.objects.filter(
        Q(unit_id__in=unit_ids) | Q(person_key__in=people),
        authority_id=authority_id,
    ).values_list("unit_id", "person_key", "award_form__code", "year")
    for unit_id, key, code, year in grants:
        owner = ("unit", unit_id) if unit_id else ("person", key)
        holdings[owner][code].append(year)
    return holdings


def _quota_checks(
    proposal: Proposal, nominees: Sequence[Nominee], forms: Mapping[int, AwardForm]
) -> list[Check]:
    term = proposal.term
    by_form = defaultdict(list)
    for nominee in nominees:
        by_form[nominee.award_form_id].append(nominee)
    with_quota = [forms[pk] for pk in by_form if forms[pk].quota]
    if not with_quota:
        return []
    if term is None:
        return [
            Check(
                "reminder",
                _(
                    "%(form)s has a quota by cluster members; it cannot be "
                    "checked for a campaign proposal."
                )
                % {"form": form.name},
                form.legal_source,
            )
            for form in with_quota
        ]
    members = term.memberships.count()
    counts = dict(
        Nominee.objects.filter(
            proposal__term=term,
            proposal__year=proposal.year,
            award_form__in=with_quota,
        )
        .exclude(proposal__state=ProposalState.REJECTED)
        .values_list("award_form")
        .annotate(n=Count("pk"))
        .values_list("award_form", "n")
    )
    checks = []
    for form in with_quota:
        quota = form.quota
        assert quota  # noqa: S101 (`with_quota` has only forms with a quota)
        limit = quota_limit(quota, members)
        count = counts.get(form.pk, 0)
        if count > limit:
            checks.append(
                Check(
                    "quota",
                    _(
                        "%(count)s nominees for %(form)s, above the quota of "
                        "%(limit)s (%(percent)s %% of %(members)s members, rounded "
                        "up, at least %(minimum)s)."
                    )
                    % {
                        "count": count,
                        "form": form.name,
                        "limit": limit,
                        "percent": quota["percent"],
                        "members": members,
                        "minimum": quota.get("minimum", 0),
                    },
                    form.legal_source,
                )
            )
    return checks


def proposal_checks(
    proposal: Proposal, nominees: Sequence[Nominee], forms: Mapping[int, AwardForm]
) -> list[Check]:
    """Every warning and reminder for `proposal`: prerequisites not met in the
    registry, an award the nominee already holds for the year, a recipient the
    form does not accept, and quotas exceeded across the term's proposals that
    are not rejected. `nominees` have their award forms loaded; `forms` maps
    their award form ids to the forms. At most four queries."""
    names = dict(
        AwardForm.objects.filter(authority_id=proposal.authority_id).values_list(
            "code", "name"
        )
    )
    holdings = holdings_of(proposal.authority_id, nominees)
    checks = []
    seen = set()
    for nominee in nominees:
        form = nominee.award_form
        key = nominee_key(nominee)
        held = holdings.get(key, {})
        if not form.accepts(collective=nominee.is_collective):
            checks.append(
                Check(
                    "recipient",
                    _("%(form)s is not awarded to a %(kind)s.")
                    % {
                        "form": form.name,
                        "kind": _("collective")
                        if nominee.is_collective
                        else _("individual"),
                    },
                    form.legal_source,
                    nominee,
                )
            )
        if proposal.year in held.get(form.code, ()):
            checks.append(
                Check(
                    "duplicate",
                    _("%(name)s already holds %(form)s for %(year)s.")
                    % {"name": nominee.name, "form": form.name, "year": proposal.year},
                    form.legal_source,
                    nominee,
                )
            )
        if (key, form.pk) in seen:
            checks.append(
                Check(
                    "duplicate",
                    _("%(name)s is proposed twice for %(form)s.")
                    % {"name": nominee.name, "form": form.name},
                    form.legal_source,
                    nominee,
                )
            )
        seen.add((key, form.pk))
        for rule in form.prerequisites or ():
            applies = rule.get("applies_to")
            if applies and (applies == "collective") != nominee.is_collective:
                continue
            met = rule_met(rule, held, proposal.year)
            if met is None:
                checks.append(
                    Check(
                        "reminder",
                        _("Check by hand for %(name)s: %(rule)s")
                        % {"name": nominee.name, "rule": rule_text(rule, names)},
                        form.legal_source,
                        nominee,
                    )
                )
            elif not met:
                checks.append(
                    Check(
                        "prerequisite",
                        _(
                            "%(name)s lacks a prerequisite of %(form)s in the "
                            "registry: %(rule)s."
                        )
                        % {
                            "name": nominee.name,
                            "form": form.name,
                            "rule": rule_text(rule, names),
                        },
                        form.legal_source,
                        nominee,
                    )
                )
    checks.extend(_quota_checks(proposal, nominees, forms))
    return checks


def quota_exceeded(checks: Iterable[Check]) -> bool:
    return any(check.kind == "quota" for check in checks)


__all__ = [
    "Check",
    "consecutive_run",
    "proposal_checks",
    "quota_exceeded",
    "quota_limit",
    "rule_met",
    "rule_text",
]
