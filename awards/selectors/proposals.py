"""Reads of proposals shaped for pages, scoped by authority; no N+1.

Which proposals a user reaches: a term's proposal by everyone who sees the term;
proposals without a term (campaign proposals) by the authority's admins and
province staff. Anything else is a 404."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from campaigns.models import Campaign, CampaignState
from clusters.models import Membership, Term, Unit, User
from clusters.permissions import sees_whole_authority
from clusters.selectors import terms_visible_to

from ..models import (
    Attachment,
    BaseSalary,
    CommentState,
    Grant,
    Nominee,
    Proposal,
    ProposalState,
    PublicComment,
    Vote,
)
from .eligibility import Check, grant_key, nominee_key, proposal_checks


def proposals_visible_to(user: User) -> QuerySet[Proposal]:
    """Proposals the user may open."""
    if not (user.is_authenticated and user.authority_id):
        return Proposal.objects.none()
    scoped = Proposal.objects.filter(authority_id=user.authority_id)
    if sees_whole_authority(user):
        return scoped
    return scoped.filter(term__in=terms_visible_to(user))


def proposal_rows(
    user: User, *, state: str | None = None, year: int | None = None
) -> QuerySet[Proposal]:
    """The proposals of the user's reach for the list page, newest first, with
    their term's cluster and the number of nominees (one query)."""
    rows = (
        proposals_visible_to(user)
        .select_related("term__cluster", "campaign", "decision")
        .annotate(nominee_count=Count("nominees"))
        .order_by("-year", "-created_at", "-pk")
    )
    if state:
        rows = rows.filter(state=state)
    if year:
        rows = rows.filter(year=year)
    return rows


def proposal_years(user: User) -> list[int]:
    return sorted(
        set(proposals_visible_to(user).values_list("year", flat=True)), reverse=True
    )


def _nominees() -> Prefetch:
    return Prefetch(
        "nominees",
        queryset=Nominee.objects.select_related("award_form", "unit").order_by(
            "award_form__position", "pk"
        ),
    )


def proposal_detail(user: User, pk: int) -> Proposal:
    """A visible proposal with its term (members prefetched), nominees with forms
    and units, attachments and decision. Raises Proposal.DoesNotExist."""
    return (
        proposals_visible_to(user)
        .select_related(
            "term__cluster",
            "campaign",
            "authority",
            "created_by",
            "decision__recorded_by",
        )
        .prefetch_related(
            _nominees(),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("uploaded_by"),
            ),
            "term__memberships__unit",
        )
        .get(pk=pk)
    )


def checks_for(proposal: Proposal) -> list[Check]:
    """The eligibility and quota findings of a proposal whose nominees are
    prefetched (see `proposal_detail`)."""
    nominees = list(proposal.nominees.all())
    forms = {n.award_form_id: n.award_form for n in nominees}
    return proposal_checks(proposal, nominees, forms)


@dataclass
class NomineeRow:
    nominee: Nominee
    checks: list[Check]
    history: list[Grant]
    amount: Decimal | None = None  # the reward in VND, None when the province sets it


def proposal_base_salary(proposal: Proposal) -> BaseSalary | None:
    """The base salary (mức lương cơ sở) in force on the day `proposal` was
    submitted (today before then), or None (one query)."""
    from django.utils import timezone

    from ..models import BaseSalary

    submitted = proposal.submitted_at
    day = timezone.localdate(submitted) if submitted else timezone.localdate()
    return (
        BaseSalary.objects.filter(
            authority_id=proposal.authority_id, effective_from__lte=day
        )
        .order_by("-effective_from")
        .first()
    )


def nominee_rows(
    proposal: Proposal, checks: Iterable[Check], base_salary: BaseSalary | None = None
) -> list[NomineeRow]:
    """Each nominee of the proposal with its findings, its award history in
    the registry (one query for the history) and its reward at `base_salary`
    (`services.catalogue.reward_amount`'s rule: base × multiplier, rounded up
    to the ten thousand đồng)."""
    from ..services.catalogue import reward_amount

    nominees = list(proposal.nominees.all())
    by_nominee = defaultdict(list)
    for check in checks:
        if check.nominee is not None:
            by_nominee[check.nominee.pk].append(check)
    history = award_history(proposal.authority_id, nominees)
    return [
        NomineeRow(
            n,
            by_nominee.get(n.pk, []),
            history.get(nominee_key(n), []),
            reward_amount(
                base_salary.amount if base_salary else None, n.award_form.multiplier
            ),
        )
        for n in nominees
    ]


def award_history(
    authority_id: int, nominees: Iterable[Nominee]
) -> dict[tuple[str, Any], list[Grant]]:
    """{nominee key: [grants, newest first]} of the nominees' earlier awards
    (one query)."""
    unit_ids = {n.unit_id for n in nominees if n.unit_id}
    people = {nominee_key(n)[1] for n in nominees if not n.unit_id} - {""}
    history: defaultdict[tuple[str, Any], list[Grant]] = defaultdict(list)
    if not unit_ids and not people:
        return history
    grants = (
        Grant.objects.filter(
            Q(unit_id__in=unit_ids) | Q(person_key__in=people),
            authority_id=authority_id,
        )
        .select_related("award_form", "decision")
        .order_by("-year", "award_form__position")
    )
    for grant in grants:
        history[grant_key(grant)].append(grant)
    return history


def public_proposal(pk: int) -> Proposal:
    """A proposal open to the public (it has a comment window), with nominees
    and approved comments. Raises Proposal.DoesNotExist."""
    return (
        Proposal.objects.filter(comments_open_until__isnull=False)
        .exclude(state="draft")
        .select_related("term__cluster", "campaign", "authority")
        .prefetch_related(
            _nominees(),
            Prefetch(
                "comments",
                queryset=PublicComment.objects.filter(
                    state=CommentState.APPROVED
                ).select_related("nominee"),
                to_attr="approved_comments",
            ),
        )
        .get(pk=pk)
    )


def comments_for_moderation(proposal: Proposal) -> list[PublicComment]:
    """Every comment of the proposal, pending first, with its nominee."""
    return list(
        proposal.comments.select_related("nominee", "moderated_by").order_by(
            "-state", "created_at", "pk"
        )
    )


def term_proposals(term: Term) -> QuerySet[Proposal]:
    """The proposals of a term with their nominee counts."""
    return term.award_proposals.annotate(nominee_count=Count("nominees")).order_by(
        "-created_at", "-pk"
    )


def open_proposals_refusal(term: Term) -> str | None:
    """Transition guard for entering `decided`: every proposal of the term must
    be decided or rejected. Returns the refusal message, or None."""
    from django.utils.translation import gettext as _

    pending = list(
        term.award_proposals.exclude(state__in=["decided", "rejected"]).values_list(
            "title", flat=True
        )
    )
    if pending:
        return _(
            "These award proposals are not decided or rejected yet: %(titles)s."
        ) % {"titles": "; ".join(pending)}
    return None


def nomination_minutes(term: Term) -> tuple[Vote | None, str | None]:
    """(vote, url) of the term's latest closed nomination vote and its minutes
    download, or (None, None). The minutes belong to the vote component."""
    from django.urls import reverse

    from .votes import latest_nomination

    if term is None:
        return None, None
    vote = latest_nomination(term)
    if vote is None:
        return None, None
    return vote, reverse("vote_minutes", args=[vote.pk])


# Lookups of the proposal pages ------------------------------------------------


def nominee_units(proposal: Proposal) -> QuerySet[Unit]:
    """The units a proposal may nominate, by name: the members of its term, or
    every unit of its authority for a campaign's proposal."""
    if proposal.term_id:
        return Unit.objects.filter(
            pk__in=Membership.objects.filter(term_id=proposal.term_id).values("unit")
        ).order_by("name")
    return Unit.objects.filter(authority_id=proposal.authority_id).order_by("name")


def drafting_terms(user: User, states: Iterable[str]) -> QuerySet[Term]:
    """The terms `user` sees that are in one of `states`, newest first, with
    their cluster and members (for the drafting permission)."""
    return (
        terms_visible_to(user)
        .filter(state__in=states)
        .select_related("cluster")
        .prefetch_related("memberships")
        .order_by("-year", "cluster__name")
    )


def term_with_members(user: User, pk: int) -> Term:
    """A term `user` sees, with its cluster and members. Raises
    Term.DoesNotExist."""
    return (
        terms_visible_to(user)
        .select_related("cluster")
        .prefetch_related("memberships")
        .get(pk=pk)
    )


def nominee_in_reach(user: User, pk: int) -> Nominee:
    """A nominee of a proposal `user` reaches, with its form and unit. Raises
    Nominee.DoesNotExist."""
    return Nominee.objects.select_related("award_form", "unit").get(
        pk=pk, proposal__in=proposals_visible_to(user)
    )


def attachment_in_reach(user: User, pk: int) -> Attachment:
    """A file of a proposal `user` reaches. Raises Attachment.DoesNotExist."""
    return Attachment.objects.get(pk=pk, proposal__in=proposals_visible_to(user))


def comment_in_reach(user: User, pk: int) -> PublicComment:
    """A public comment on a proposal `user` reaches, with the proposal.
    Raises PublicComment.DoesNotExist."""
    return PublicComment.objects.select_related("proposal").get(
        pk=pk, proposal__in=proposals_visible_to(user)
    )


def decision_companions(proposal: Proposal) -> QuerySet[Proposal]:
    """The other proposals of `proposal`'s authority a decision on it may
    answer at once (received or appraised), with their term's cluster or
    campaign, oldest first."""
    return (
        Proposal.objects.filter(
            authority_id=proposal.authority_id,
            state__in=(ProposalState.RECEIVED, ProposalState.APPRAISED),
        )
        .exclude(pk=proposal.pk)
        .select_related("term__cluster", "campaign")
        .order_by("year", "pk")
    )


def decision_nominees(proposal: Proposal) -> QuerySet[Nominee]:
    """The nominees a decision on `proposal` chooses from: its own and those of
    the proposals it may answer at once (`decision_companions`), by proposal,
    with form, unit, proposal and its term's cluster (which names it)."""
    return (
        Nominee.objects.filter(
            Q(proposal=proposal)
            | Q(proposal__in=decision_companions(proposal).values("pk"))
        )
        .select_related("award_form", "unit", "proposal__term__cluster")
        .order_by("proposal__year", "proposal_id", "award_form__position", "pk")
    )


def launched_campaigns(authority_id: int, limit: int = 20) -> list[Campaign]:
    """The latest `limit` campaigns of the authority past their draft."""
    return list(
        Campaign.objects.filter(authority_id=authority_id)
        .exclude(state=CampaignState.DRAFT)
        .order_by("-start_date", "title")[:limit]
    )


def campaign_of_authority(authority_id: int, pk: int) -> Campaign:
    """The campaign `pk` of the authority. Raises Campaign.DoesNotExist."""
    return Campaign.objects.get(pk=pk, authority_id=authority_id)


__all__ = [
    "NomineeRow",
    "attachment_in_reach",
    "campaign_of_authority",
    "award_history",
    "checks_for",
    "comment_in_reach",
    "comments_for_moderation",
    "decision_companions",
    "decision_nominees",
    "drafting_terms",
    "launched_campaigns",
    "nominee_in_reach",
    "nominee_rows",
    "proposal_base_salary",
    "nominee_units",
    "nomination_minutes",
    "open_proposals_refusal",
    "proposal_detail",
    "proposal_rows",
    "proposal_years",
    "proposals_visible_to",
    "public_proposal",
    "term_with_members",
    "term_proposals",
]
