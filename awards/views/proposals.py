"""HTTP only: award proposals, their nominees, attachments, workflow, public
comments and the decision that answers them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.views import reaches_authority
from core.errors import DomainError
from core.views import (
    apply_domain_error,
    form_page,
    found_or_404,
    paged,
    post_action,
    post_removal,
    post_transition,
    require,
)
from pledges.uploads import private_file_response

from .. import permissions, selectors, services
from ..forms import (
    AttachmentForm,
    CampaignProposalForm,
    DecisionForm,
    ModerationForm,
    NomineeForm,
    ProposalActionForm,
    ProposalEditForm,
    PublicCommentForm,
    TermProposalForm,
)
from ..models import (
    Proposal,
    ProposalState,
    SigningCapacity,
)
from ..permissions import handles_awards
from ..selectors.eligibility import nominee_key

__all__ = [
    "attachment_add",
    "attachment_delete",
    "attachment_download",
    "campaign_proposal_create",
    "comment_moderate",
    "decision_create",
    "nominee_add",
    "nominee_delete",
    "nominee_edit",
    "proposal_action",
    "proposal_comments",
    "proposal_detail",
    "proposal_edit",
    "proposal_list",
    "public_proposal",
    "term_proposal_create",
]

LEGAL_BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ "
    "quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;"
)


def _proposal_or_404(request, pk):
    return found_or_404(selectors.proposal_detail, request.user, pk)


def _editable_or_403(request, pk):
    proposal = _proposal_or_404(request, pk)
    if not permissions.can_edit_proposal(request.user, proposal):
        if proposal.is_editable:
            raise PermissionDenied
        messages.error(
            request,
            _(
                "The proposal is “%(state)s”; only a draft or a returned proposal "
                "can be changed."
            )
            % {"state": proposal.get_state_display()},
        )
        return proposal, redirect("proposal_detail", pk=proposal.pk)
    return proposal, None


@require_GET
@require(reaches_authority)
def proposal_list(request):
    """The awards home: proposals in reach (filter by state and year), the terms
    the user may draft a proposal for, and links to the registry."""
    state = request.GET.get("state")
    state = state if state in ProposalState.values else None
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    page, query_string = paged(
        request, selectors.proposal_rows(request.user, state=state, year=year)
    )
    draftable = [
        term
        for term in selectors.drafting_terms(
            request.user, services.DRAFTING_TERM_STATES
        )
        if permissions.can_draft_term_proposal(request.user, term)
    ]
    return render(
        request,
        "awards/proposal_list.html",
        {
            "proposals": page.object_list,
            "page": page,
            "query_string": query_string,
            "states": ProposalState.choices,
            "state": state,
            "years": selectors.proposal_years(request.user),
            "year": year,
            "draftable": draftable,
            "campaigns": _open_campaigns(request.user),
            "handles": permissions.handles_awards(request.user),
        },
    )


def _open_campaigns(user):
    """Launched campaigns of the user's authority, for staff and admins."""
    if not handles_awards(user):
        return []
    return selectors.launched_campaigns(user.authority_id)


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def term_proposal_create(request, pk):
    term = found_or_404(selectors.term_with_members, request.user, pk)
    if not permissions.can_draft_term_proposal(request.user, term):
        raise PermissionDenied

    def save(data):
        proposal = services.proposal_create_for_term(
            term=term, actor=request.user, **data
        )
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        TermProposalForm(
            request.POST or None,
            initial={
                "title": _("Proposal of awards, %(label)s, of %(cluster)s")
                % {"label": term.page_phrase, "cluster": term.cluster.name}
            },
        ),
        save,
        success=_("The proposal was drafted; add its nominees."),
        template="awards/proposal_form.html",
        context={"term": term},
    )


@require_http_methods(["GET", "POST"])
@require(handles_awards)
def campaign_proposal_create(request, pk):
    """Province staff and admins draft a proposal of awards for a campaign."""
    campaign = found_or_404(
        selectors.campaign_of_authority, request.user.authority_id, pk
    )

    def save(data):
        proposal = services.proposal_create_for_campaign(
            campaign=campaign, actor=request.user, **data
        )
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        CampaignProposalForm(
            request.POST or None,
            initial={
                "title": _("Proposal of awards for the campaign “%(title)s”")
                % {"title": campaign.title},
                "year": min(campaign.end_date.year, timezone.localdate().year),
            },
        ),
        save,
        success=_("The proposal was drafted; add its nominees."),
        template="awards/proposal_form.html",
        context={"campaign": campaign},
    )


@require_GET
@require(reaches_authority)
def proposal_detail(request, pk):
    proposal = _proposal_or_404(request, pk)
    checks = selectors.checks_for(proposal)
    vote, minutes_url = selectors.nomination_minutes(proposal.term)
    actions = permissions.proposal_actions(request.user, proposal)
    base_salary = selectors.proposal_base_salary(proposal)
    decision = proposal.decision
    return render(
        request,
        "awards/proposal_detail.html",
        {
            "proposal": proposal,
            "term": proposal.term,
            "rows": selectors.nominee_rows(proposal, checks, base_salary),
            "base_salary": base_salary,
            "warnings": [c for c in checks if c.is_warning],
            "general": [c for c in checks if c.nominee is None],
            "quota_exceeded": selectors.quota_exceeded(checks),
            "attachments": list(proposal.attachments.all()),
            "nomination_vote": vote,
            "minutes_url": minutes_url,
            "actions": actions,
            "action_form": ProposalActionForm(
                initial={"quota_reason": proposal.quota_reason}
            ),
            "can_edit": permissions.can_edit_proposal(request.user, proposal),
            "can_moderate": permissions.can_handle_proposal(request.user, proposal),
            "decision": decision,
            "comments_open": services.comments_open(proposal),
        },
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def proposal_edit(request, pk):
    proposal, refused = _editable_or_403(request, pk)
    if refused:
        return refused

    def save(data):
        services.proposal_update(proposal=proposal, actor=request.user, **data)
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        ProposalEditForm(
            request.POST or None,
            initial={
                "title": proposal.title,
                "number": proposal.number,
                "summary": proposal.summary,
                "comments_open_until": proposal.comments_open_until,
                "quota_reason": proposal.quota_reason,
            },
        ),
        save,
        success=_("The proposal was saved."),
        template="awards/proposal_form.html",
        context={"proposal": proposal, "term": proposal.term},
    )


def _nominee_form(request, proposal, **kwargs):
    return NomineeForm(
        request.POST or None,
        forms_queryset=services.active_forms(proposal.authority),
        units=selectors.nominee_units(proposal),
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def nominee_add(request, pk):
    proposal, refused = _editable_or_403(request, pk)
    if refused:
        return refused

    def save(data):
        services.nominee_add(proposal=proposal, actor=request.user, **data)
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        _nominee_form(request, proposal),
        save,
        success=_("The nominee was added."),
        template="awards/nominee_form.html",
        context={"proposal": proposal, "term": proposal.term},
    )


def _nominee_in_reach(request, pk):
    nominee = found_or_404(selectors.nominee_in_reach, request.user, pk)
    proposal, refused = _editable_or_403(request, nominee.proposal_id)
    return nominee, proposal, refused


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def nominee_edit(request, pk):
    nominee, proposal, refused = _nominee_in_reach(request, pk)
    if refused:
        return refused

    def save(data):
        services.nominee_update(nominee=nominee, actor=request.user, **data)
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        _nominee_form(
            request,
            proposal,
            initial={
                "award_form": nominee.award_form_id,
                "unit": nominee.unit_id,
                "person_name": nominee.person_name,
                "person_position": nominee.person_position,
                "person_organisation": nominee.person_organisation,
                "achievements": nominee.achievements,
            },
        ),
        save,
        success=_("The nominee was saved."),
        template="awards/nominee_form.html",
        context={"proposal": proposal, "term": proposal.term, "nominee": nominee},
    )


@require_POST
@require(reaches_authority)
def nominee_delete(request, pk):
    nominee, proposal, refused = _nominee_in_reach(request, pk)
    if refused:
        return refused
    return post_action(
        request,
        lambda: services.nominee_remove(nominee=nominee, actor=request.user),
        success=_("%(name)s was taken off the proposal.") % {"name": nominee.name},
        next_url=reverse("proposal_detail", args=[proposal.pk]),
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def attachment_add(request, pk):
    proposal, refused = _editable_or_403(request, pk)
    if refused:
        return refused

    def save(data):
        services.attachment_add(
            proposal=proposal,
            actor=request.user,
            upload=data["file"],
            description=data["description"],
        )
        return reverse("proposal_detail", args=[proposal.pk])

    return form_page(
        request,
        AttachmentForm(request.POST or None, request.FILES or None),
        save,
        success=_("The file was attached."),
        template="awards/attachment_form.html",
        context={"proposal": proposal, "term": proposal.term},
    )


def _attachment_in_reach(request, pk):
    return found_or_404(selectors.attachment_in_reach, request.user, pk)


@require_GET
@require(reaches_authority)
def attachment_download(request, pk):
    """The file under its original name, to those who reach the proposal."""
    return private_file_response(_attachment_in_reach(request, pk))


@require_POST
@require(reaches_authority)
def attachment_delete(request, pk):
    attachment = _attachment_in_reach(request, pk)
    proposal, refused = _editable_or_403(request, attachment.proposal_id)
    if refused:
        return refused
    return post_removal(
        request,
        attachment,
        lambda found: services.attachment_remove(attachment=found, actor=request.user),
        next_url=reverse("proposal_detail", args=[proposal.pk]),
    )


ACTION_SERVICES = {
    "submit": lambda p, u, d: services.proposal_submit(
        proposal=p, actor=u, quota_reason=d["quota_reason"] or None
    ),
    "receive": lambda p, u, d: services.proposal_receive(proposal=p, actor=u),
    "appraise": lambda p, u, d: services.proposal_appraise(
        proposal=p, actor=u, note=d["reason"]
    ),
    "return": lambda p, u, d: services.proposal_return(
        proposal=p, actor=u, reason=d["reason"]
    ),
    "reject": lambda p, u, d: services.proposal_reject(
        proposal=p, actor=u, reason=d["reason"]
    ),
}
ACTION_MESSAGES = {
    "submit": _("The proposal was sent to the authority."),
    "receive": _("The proposal was received."),
    "appraise": _("The proposal was marked as appraised."),
    "return": _("The proposal was returned to its drafters."),
    "reject": _("The proposal was rejected."),
}


@require_POST
@require(reaches_authority)
def proposal_action(request, pk):
    """One workflow step (submit, receive, appraise, return, reject) chosen by
    `action`; refused with 403 when the user may not take it, with a message
    when the rules refuse it."""
    proposal = _proposal_or_404(request, pk)
    form = ProposalActionForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else None
    if action == "submit":
        allowed = permissions.is_drafter(request.user, proposal)
    else:
        allowed = permissions.can_handle_proposal(request.user, proposal)
    if action is not None and not allowed:
        raise PermissionDenied
    return post_transition(
        request,
        form,
        lambda data: ACTION_SERVICES[action](proposal, request.user, data),
        success=ACTION_MESSAGES.get(action, ""),
        next_url=reverse("proposal_detail", args=[proposal.pk]),
        invalid=_("Choose a valid action."),
    )


@require_GET
@require(reaches_authority)
def proposal_comments(request, pk):
    proposal = _proposal_or_404(request, pk)
    if not permissions.can_handle_proposal(request.user, proposal):
        raise PermissionDenied
    return render(
        request,
        "awards/proposal_comments.html",
        {
            "proposal": proposal,
            "term": proposal.term,
            "comments": selectors.comments_for_moderation(proposal),
            "form": ModerationForm(),
        },
    )


@require_POST
@require(reaches_authority)
def comment_moderate(request, pk):
    comment = found_or_404(selectors.comment_in_reach, request.user, pk)
    if not permissions.can_handle_proposal(request.user, comment.proposal):
        raise PermissionDenied
    form = ModerationForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        services.comment_moderate(comment=comment, actor=request.user, approve=approve)
        messages.success(
            request,
            _("The comment was published.")
            if approve
            else _("The comment was hidden."),
        )
    else:
        messages.error(request, _("Choose to publish or hide the comment."))
    return redirect("proposal_comments", pk=comment.proposal_id)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_proposal(request, pk):
    """The nominees of a proposal open for public comment, with their award
    history and the approved comments; anyone may send a comment while the
    window is open (shown once staff approve it)."""
    try:
        proposal = selectors.public_proposal(pk)
    except Proposal.DoesNotExist as error:
        raise Http404 from error
    nominees = list(proposal.nominees.all())
    is_open = services.comments_open(proposal)
    form = PublicCommentForm(
        request.POST if request.method == "POST" else None,
        nominees=proposal.nominees.all(),
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("This proposal no longer takes comments."))
            return redirect("public_proposal", pk=proposal.pk)
        if form.is_valid():
            try:
                services.comment_add(proposal=proposal, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your comment was received and will be shown "
                        "once it is checked."
                    ),
                )
                return redirect("public_proposal", pk=proposal.pk)
    history = selectors.award_history(proposal.authority_id, nominees)
    return render(
        request,
        "awards/public_proposal.html",
        {
            "proposal": proposal,
            "rows": [(n, history.get(nominee_key(n), [])) for n in nominees],
            "comments": proposal.approved_comments,
            "form": form,
            "is_open": is_open,
        },
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def decision_create(request, pk):
    """Record the decision answering an appraised proposal."""
    proposal = _proposal_or_404(request, pk)
    if not permissions.can_handle_proposal(request.user, proposal):
        raise PermissionDenied
    if proposal.state != ProposalState.APPRAISED:
        messages.error(
            request,
            _(
                "A decision is recorded for an appraised proposal (this one is "
                "“%(state)s”)."
            )
            % {"state": proposal.get_state_display()},
        )
        return redirect("proposal_detail", pk=proposal.pk)
    authority = proposal.authority
    form = DecisionForm(
        request.POST or None,
        proposal=proposal,
        nominees=selectors.decision_nominees(proposal),
        companions=selectors.decision_companions(proposal),
        initial={
            "date": timezone.localdate(),
            "issuing_body": authority.committee_name,
            "subject": _default_subject(proposal),
            "legal_bases": LEGAL_BASES,
            "capacity": SigningCapacity.ON_BEHALF,
            "granted": [n.pk for n in proposal.nominees.all()],
        },
    )

    def save(data):
        decision = services.decision_record(
            proposal=proposal, actor=request.user, **data
        )
        return reverse("decision_detail", args=[decision.pk])

    return form_page(
        request,
        form,
        save,
        success=_("The decision was recorded and the registry updated."),
        template="awards/decision_form.html",
        context={"proposal": proposal, "term": proposal.term},
    )


def _default_subject(proposal):
    names = []
    for nominee in proposal.nominees.all():
        if nominee.award_form.name not in names:
            names.append(nominee.award_form.name)
    return "Về việc tặng " + " và ".join(names) if names else ""
