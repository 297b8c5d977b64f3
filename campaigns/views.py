"""HTTP only: find the object in the user's reach (404 otherwise), check the
role, bind the form, call the service, redirect with a message or re-render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.selectors import term_detail
from clusters.views import reaches_authority
from core.errors import DomainError
from core.formatting import whole_number
from core.views import (
    apply_domain_error,
    form_page,
    found_or_404,
    post_action,
    post_removal,
    post_transition,
    post_upload,
    require,
)
from pledges.documents import DOCX_CONTENT_TYPE
from pledges.models import CriterionKind, PledgeState
from pledges.permissions import can_see_draft_ranking
from pledges.uploads import private_file_response
from pledges.views.imports import workbook_response

from . import documents, exports, permissions, scope, selectors, services
from .forms import (
    CampaignForm,
    ExemplarFormSet,
    ListFilterForm,
    ReportForm,
    ReturnForm,
    ReviewForm,
    RuleForm,
    TransitionForm,
    UploadForm,
)
from .models import (
    CampaignState,
    ReportKind,
    ReportState,
    ReviewStage,
)
from .permissions import can_manage_campaigns

EXEMPLAR_PREFIX = "ex"


def _campaign(request, pk):
    return found_or_404(selectors.campaign_detail, request.user, pk)


# List and detail -----------------------------------------------------------


@require_GET
@require(reaches_authority)
def campaign_list(request):
    years = selectors.campaign_years(request.user)
    form = ListFilterForm(request.GET, years=years)
    form.is_valid()
    filters = {
        name: value
        for name, value in form.cleaned_data.items()
        if value not in (None, "")
    }
    rows = selectors.campaign_rows(
        request.user,
        kind=filters.get("kind"),
        year=filters.get("year"),
        state=filters.get("state"),
        scope=filters.get("scope"),
        query=(filters.get("q") or "").replace("\x00", "").strip(),
    )
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": rows,
            "filter_form": form,
            "filtered": bool(filters),
            "can_manage": can_manage_campaigns(request.user),
        },
    )


@require_GET
@require(reaches_authority)
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    user = request.user
    manage = can_manage_campaigns(user)
    my_reports = {} if manage else selectors.reports_of_unit(campaign, user.unit_id)
    counts = None
    if manage and not campaign.is_draft:
        by_kind = selectors.participation(campaign).counts
        counts = [
            (
                label,
                by_kind[kind][ReportState.ACCEPTED],
                by_kind[kind][ReportState.SUBMITTED],
                by_kind[kind][ReportState.RETURNED],
                by_kind[kind]["none"] + by_kind[kind][ReportState.DRAFT],
            )
            for kind, label in ReportKind.choices
        ]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "metrics": list(campaign.metrics.all()),
            "attachments": list(campaign.attachments.all()),
            "scope_clusters": list(campaign.clusters.all()),
            "scope_units": list(campaign.units.all()),
            "can_manage": manage,
            "transition_form": TransitionForm(campaign=campaign) if manage else None,
            "upload_form": UploadForm() if manage and not campaign.is_closed else None,
            "report_kinds": [
                (
                    kind,
                    label,
                    my_reports.get(kind),
                    services.deadline_of(campaign, kind),
                    kind in my_reports
                    or campaign.state in services.FILING_STATES[kind],
                )
                for kind, label in ReportKind.choices
            ],
            "counts": counts,
            "reviews": selectors.reviews_of(campaign) if manage else {},
        },
    )


# Create, edit, move ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_manage_campaigns)
def campaign_create(request):
    authority = request.user.authority
    today = timezone.localdate()

    form = CampaignForm(
        request.POST or None,
        authority=authority,
        initial={"launched_by": authority.name, "start_date": today},
    )

    def save(data):
        campaign = services.campaign_create(
            authority=authority, actor=request.user, **form.service_fields()
        )
        return reverse("campaign_detail", args=[campaign.pk])

    return form_page(
        request,
        form,
        save,
        success=_("The campaign was created as a draft."),
        template="campaigns/campaign_form.html",
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_campaigns)
def campaign_edit(request, pk):
    campaign = _campaign(request, pk)
    if campaign.is_closed:
        messages.error(
            request, _("The campaign is closed and can no longer be changed.")
        )
        return redirect("campaign_detail", pk=campaign.pk)
    form = CampaignForm(
        request.POST or None, instance=campaign, authority=request.user.authority
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign,
                actor=request.user,
                version=form.cleaned_data.get("version"),
                reason=form.cleaned_data.get("reason", ""),
                **form.service_fields(),
            )
        except services.StaleObject as error:
            form.add_error(None, error.message)
            status = 409
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@require_POST
@require(can_manage_campaigns)
def campaign_transition(request, pk):
    campaign = _campaign(request, pk)
    return post_transition(
        request,
        TransitionForm(request.POST, campaign=campaign),
        lambda data: services.campaign_transition(
            campaign=campaign,
            to_state=data["to_state"],
            actor=request.user,
            reason=data["reason"],
        ),
        success=lambda moved: (
            _("The campaign is now “%(state)s”.")
            % {"state": CampaignState(moved.state).label}
        ),
        next_url=reverse("campaign_detail", args=[campaign.pk]),
    )


# Attachments -----------------------------------------------------------------


@require_POST
@require(can_manage_campaigns)
def attachment_upload(request, pk):
    campaign = _campaign(request, pk)
    return post_upload(
        request,
        UploadForm(request.POST, request.FILES),
        lambda data: services.attachment_add(
            campaign=campaign, upload=data["file"], actor=request.user
        ),
        next_url=reverse("campaign_detail", args=[campaign.pk]) + "#attachments",
    )


def _attachment(request, pk):
    return found_or_404(selectors.attachment_visible_to, request.user, pk)


@require_GET
@require(reaches_authority)
def attachment_download(request, pk):
    return private_file_response(_attachment(request, pk))


@require_POST
@require(can_manage_campaigns)
def attachment_delete(request, pk):
    attachment = _attachment(request, pk)
    return post_removal(
        request,
        attachment,
        lambda found: services.attachment_delete(attachment=found, actor=request.user),
        next_url=reverse("campaign_detail", args=[attachment.campaign_id])
        + "#attachments",
    )


# Unit reports -----------------------------------------------------------------


def _report_target(request, pk, unit_pk, kind):
    """(campaign, unit, report or None) for the report page, or 404 when the
    user may not see it."""
    if kind not in ReportKind.values:
        raise Http404
    campaign = _campaign(request, pk)
    unit = found_or_404(selectors.unit_of_authority, campaign.authority_id, unit_pk)
    if not permissions.can_view_report(request.user, unit):
        raise Http404
    report = selectors.unit_report(campaign, unit, kind)
    if report is None and not scope.is_in_scope(campaign, unit):
        raise Http404
    return campaign, unit, report


def _report_url(campaign, unit, kind):
    return reverse("campaign_report", args=[campaign.pk, unit.pk, kind])


def _report_editable(campaign, report, kind):
    """Whether the report can be changed now: the campaign not closed, and the
    report editable (or, not started yet, the campaign's stage taking this
    kind of report)."""
    if campaign.is_closed:
        return False
    if report is not None:
        return report.is_editable
    return campaign.state in services.FILING_STATES[kind]


def _report_forms(data, files, campaign, report, kind):
    """The report page's forms bound to `data` (None on GET) and filled with
    the saved report: (metrics with their values, exemplars, report form,
    exemplar formset, upload form)."""
    metrics = list(campaign.metrics.all())
    values = {f.metric_id: f.value for f in report.figures.all()} if report else {}
    exemplars = list(report.exemplars.all()) if report else []
    for metric in metrics:
        metric.value = values.get(metric.pk)
    initial = {
        "version": report.version if report else 0,
        "commitment": report.commitment if report else "",
        "activities": report.activities if report else "",
        **{f"m{m.pk}": values.get(m.pk) for m in metrics},
    }
    form = ReportForm(data, initial=initial, kind=kind, metrics=metrics)
    formset = ExemplarFormSet(
        data,
        prefix=EXEMPLAR_PREFIX,
        initial=[
            {
                "kind": e.kind,
                "name": e.name,
                "position": e.position,
                "achievement": e.achievement,
            }
            for e in exemplars
        ],
    )
    return metrics, exemplars, form, formset, UploadForm(data, files)


def _report_page_context(user, campaign, unit, kind, report, editable):
    """What the report page shows besides its forms."""
    return {
        "campaign": campaign,
        "unit": unit,
        "kind": kind,
        "kind_label": ReportKind(kind).label,
        "report": report,
        "editable": editable,
        "evidence": list(report.evidence.all()) if report else [],
        "deadline": services.deadline_of(campaign, kind),
        "can_review": permissions.can_review_reports(user)
        and report is not None
        and report.state == ReportState.SUBMITTED
        and not campaign.is_closed,
        "return_form": ReturnForm(),
        "missing": services.report_missing(report) if report and editable else [],
    }


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def campaign_report(request, pk, unit_pk, kind):
    campaign, unit, report = _report_target(request, pk, unit_pk, kind)
    user = request.user
    may_file = permissions.can_file_report(user, unit)
    if request.method == "POST" and not may_file:
        raise PermissionDenied
    editable = may_file and _report_editable(campaign, report, kind)
    posted = request.method == "POST"
    metrics, exemplars, form, formset, upload = _report_forms(
        request.POST if posted else None,
        request.FILES or None,
        campaign,
        report,
        kind,
    )
    status = 200
    if posted and not editable:
        messages.error(
            request,
            _("The campaign is closed; reports can no longer be filed.")
            if campaign.is_closed
            else _("This report can no longer be changed."),
        )
        return redirect(_report_url(campaign, unit, kind))
    if posted and _report_forms_valid(request, form, formset, upload):
        status = _save_report(
            request, campaign, unit, kind, report, form, formset, upload
        )
        if status is None:
            return redirect(_report_url(campaign, unit, kind))
    context = _report_page_context(user, campaign, unit, kind, report, editable)
    context.update(form=form, formset=formset, metrics=metrics, exemplars=exemplars)
    return render(request, "campaigns/report_form.html", context, status=status)


def _report_forms_valid(request, form, formset, upload):
    """The posted report, exemplars and (when a file was chosen) upload are
    valid."""
    file_given = bool(request.FILES.get("file"))
    return (
        form.is_valid() and formset.is_valid() and (not file_given or upload.is_valid())
    )


def _show_report_error(form, upload, error):
    """A refusal of the save beside its field, the upload's, or on top."""
    if error.field in form.fields:
        form.add_error(error.field, error.message)
    elif error.field == "file":
        upload.add_error("file", error.message)
        form.add_error(None, error.message)
    else:
        form.add_error(None, error.message)


def _save_report(request, campaign, unit, kind, report, form, formset, upload):
    """Save (and, when asked, submit) the report; None when done, else the
    HTTP status to re-render the form with (409 for a stale form)."""
    user = request.user
    version = form.cleaned_data["version"]
    file_given = bool(request.FILES.get("file"))
    try:
        report = services.report_file(
            campaign=campaign,
            unit=unit,
            kind=kind,
            actor=user,
            version=version if report is not None or version else None,
            commitment=form.cleaned_data.get("commitment"),
            activities=form.cleaned_data.get("activities"),
            figures=form.figures(),
            exemplars=[
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ],
            upload=upload.cleaned_data["file"] if file_given else None,
        )
    except services.StaleObject as error:
        form.add_error(None, error.message)
        return 409
    except DomainError as error:
        _show_report_error(form, upload, error)
        return 200
    if request.POST.get("action") != "submit":
        messages.success(request, _("The report was saved."))
        return None
    try:
        services.report_submit(report=report, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report was submitted for review."))
    return None


@require_POST
@require(can_manage_campaigns)
def campaign_report_review(request, pk, unit_pk, kind):
    campaign, unit, report = _report_target(request, pk, unit_pk, kind)
    if report is None:
        raise Http404
    action = request.POST.get("action")
    next_url = _report_url(campaign, unit, kind)
    if action == "accept":
        return post_action(
            request,
            lambda: services.report_accept(report=report, actor=request.user),
            success=_("The report was accepted."),
            next_url=next_url,
        )
    if action == "return":
        form = ReturnForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return post_action(
            request,
            lambda: services.report_return(
                report=report, actor=request.user, reason=reason
            ),
            success=_("The report was returned to the unit."),
            next_url=next_url,
        )
    messages.error(request, _("Unknown action."))
    return redirect(next_url)


def _evidence(request, pk):
    evidence = found_or_404(selectors.evidence_visible_to, request.user, pk)
    if not permissions.can_view_report(request.user, evidence.report.unit):
        raise Http404
    return evidence


@require_GET
@require(reaches_authority)
def report_evidence_download(request, pk):
    return private_file_response(_evidence(request, pk))


@require_POST
@require(reaches_authority)
def report_evidence_delete(request, pk):
    evidence = _evidence(request, pk)
    report = evidence.report
    if not permissions.can_file_report(request.user, report.unit):
        raise PermissionDenied
    return post_removal(
        request,
        evidence,
        lambda found: services.evidence_delete(evidence=found, actor=request.user),
        next_url=_report_url(report.campaign, report.unit, report.kind),
    )


# Reviews ------------------------------------------------------------------------


def _stage(stage):
    if stage not in ReviewStage.values:
        raise Http404
    return ReviewStage(stage)


@require_http_methods(["GET", "POST"])
@require(can_manage_campaigns)
def campaign_review(request, pk, stage):
    stage = _stage(stage)
    campaign = _campaign(request, pk)
    reviews = selectors.reviews_of(campaign)
    review = reviews.get(stage)
    form = ReviewForm(
        request.POST or None,
        initial={
            "held_on": review.held_on if review else None,
            "summary": review.summary if review else "",
            "highlights": review.highlights if review else "",
            "shortcomings": review.shortcomings if review else "",
        },
    )
    writable = (
        not campaign.is_closed and campaign.state in services.REVIEW_STATES[stage]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_save(
                campaign=campaign, stage=stage, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The summary was saved."))
            return redirect("campaign_review", pk=campaign.pk, stage=stage)
    data = selectors.participation(campaign, stage)
    return render(
        request,
        "campaigns/campaign_review.html",
        {
            "campaign": campaign,
            "stage": stage,
            "review": review,
            "form": form,
            "writable": writable,
            "data": data,
            "kinds": ReportKind.choices,
            "proposals": selectors.campaign_proposals(campaign),
            "transition_form": TransitionForm(campaign=campaign),
        },
    )


@require_GET
@require(can_manage_campaigns)
def campaign_review_docx(request, pk, stage):
    stage = _stage(stage)
    campaign = _campaign(request, pk)
    response = workbook_response(
        documents.review_docx(campaign, stage), documents.filename(campaign, stage)
    )
    response["Content-Type"] = DOCX_CONTENT_TYPE
    return response


# Statistics ---------------------------------------------------------------------


def _year(request):
    years = selectors.campaign_years(request.user)
    raw = request.GET.get("year", "")
    year = whole_number(raw)
    year = year if year in years else None
    if year is None:
        today = timezone.localdate().year
        year = today if today in years or not years else years[0]
    return years, year


@require_GET
@require(can_manage_campaigns)
def campaign_statistics(request):
    years, year = _year(request)
    stats = selectors.year_statistics(request.user.authority_id, year)
    return render(
        request,
        "campaigns/campaign_statistics.html",
        {"years": years, "year": year, "stats": stats},
    )


@require_GET
@require(can_manage_campaigns)
def campaign_statistics_xlsx(request):
    _years, year = _year(request)
    stats = selectors.year_statistics(request.user.authority_id, year)
    return workbook_response(
        exports.statistics_workbook(stats, year), f"phong-trao-thi-dua-{year}.xlsx"
    )


# A pledge criterion that counts campaigns ------------------------------------------


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def criterion_campaigns(request, pk, criterion_pk):
    term = found_or_404(term_detail, request.user, pk)
    criterion = found_or_404(selectors.criterion_in_term, term, criterion_pk)
    user = request.user
    configurable = permissions.can_configure_rule(user, term)
    if request.method == "POST" and not configurable:
        raise PermissionDenied
    rules, counted = selectors.counted_campaigns(term)
    rule = rules.get(criterion.pk)
    editable = (
        configurable
        and criterion.pledge.state == PledgeState.DRAFT
        and criterion.kind in services.RULE_KINDS
    )
    form = RuleForm(
        request.POST or None,
        initial={
            "points_per_campaign": rule.points_per_campaign if rule else None,
            "kinds": rule.kinds if rule else [],
        },
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.rule_delete(criterion=criterion, actor=user)
                messages.success(
                    request, _("The criterion no longer counts campaigns.")
                )
                return redirect(
                    "criterion_campaigns", pk=term.pk, criterion_pk=criterion.pk
                )
            if form.is_valid():
                services.rule_save(
                    criterion=criterion,
                    actor=user,
                    points_per_campaign=form.cleaned_data["points_per_campaign"],
                    kinds=form.cleaned_data["kinds"],
                )
                messages.success(request, _("The criterion now counts campaigns."))
                return redirect(
                    "criterion_campaigns", pk=term.pk, criterion_pk=criterion.pk
                )
        except DomainError as error:
            apply_domain_error(form, error)
    rows = []
    if rule is not None:
        rows = selectors.counted_rows(
            term,
            criterion,
            rule,
            counted,
            unit_ids=None if can_see_draft_ranking(user, term) else {user.unit_id},
        )
    return render(
        request,
        "campaigns/criterion_campaigns.html",
        {
            "term": term,
            "criterion": criterion,
            "rule": rule,
            "form": form,
            "editable": editable,
            "configurable": configurable,
            "kind_allowed": criterion.kind in services.RULE_KINDS,
            "pledge_draft": criterion.pledge.state == PledgeState.DRAFT,
            "rows": rows,
            "assessed_kinds": [CriterionKind.ASSESSED.label, CriterionKind.BONUS.label],
        },
    )
