"""HTTP only: find the object in the user's reach (404 otherwise), check the
role, bind the form, call the service, redirect with a message or re-render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.models import Unit
from clusters.selectors import terms_visible_to
from clusters.views import reaches_authority
from core.errors import DomainError
from core.formatting import whole_number
from core.views import apply_domain_error, form_page, require
from pledges.documents import DOCX_CONTENT_TYPE
from pledges.models import Criterion, CriterionKind, PledgeState
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
    Campaign,
    CampaignAttachment,
    CampaignReport,
    CampaignState,
    ReportEvidence,
    ReportKind,
    ReportState,
    ReviewStage,
)
from .permissions import can_manage_campaigns

EXEMPLAR_PREFIX = "ex"


def _campaign(request, pk):
    try:
        return selectors.campaign_detail(request.user, pk)
    except Campaign.DoesNotExist as error:
        raise Http404 from error


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
    my_reports = {}
    if not manage:
        my_reports = {
            r.kind: r
            for r in CampaignReport.objects.filter(
                campaign=campaign, unit_id=user.unit_id
            )
        }
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
    form = TransitionForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            services.campaign_transition(
                campaign=campaign,
                to_state=form.cleaned_data["to_state"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The campaign is now “%(state)s”.")
                % {"state": CampaignState(form.cleaned_data["to_state"]).label},
            )
    else:
        messages.error(request, _("Choose a valid next state."))
    return redirect("campaign_detail", pk=campaign.pk)


# Attachments -----------------------------------------------------------------


@require_POST
@require(can_manage_campaigns)
def attachment_upload(request, pk):
    campaign = _campaign(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.attachment_add(
                campaign=campaign, upload=form.cleaned_data["file"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The file was attached."))
    return redirect(reverse("campaign_detail", args=[campaign.pk]) + "#attachments")


def _attachment(request, pk):
    return get_object_or_404(
        CampaignAttachment.objects.select_related("campaign").filter(
            campaign__in=selectors.campaigns_visible_to(request.user)
        ),
        pk=pk,
    )


@require_GET
@require(reaches_authority)
def attachment_download(request, pk):
    return private_file_response(_attachment(request, pk))


@require_POST
@require(can_manage_campaigns)
def attachment_delete(request, pk):
    attachment = _attachment(request, pk)
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(name)s” was removed.") % {"name": attachment.original_name}
        )
    return redirect(
        reverse("campaign_detail", args=[attachment.campaign_id]) + "#attachments"
    )


# Unit reports -----------------------------------------------------------------


def _report_target(request, pk, unit_pk, kind):
    """(campaign, unit, report or None) for the report page, or 404 when the
    user may not see it."""
    if kind not in ReportKind.values:
        raise Http404
    campaign = _campaign(request, pk)
    unit = get_object_or_404(Unit, pk=unit_pk, authority_id=campaign.authority_id)
    if not permissions.can_view_report(request.user, unit):
        raise Http404
    report = (
        CampaignReport.objects.filter(campaign=campaign, unit=unit, kind=kind)
        .select_related("updated_by", "reviewed_by")
        .first()
    )
    if report is None and not scope.is_in_scope(campaign, unit):
        raise Http404
    return campaign, unit, report


def _report_url(campaign, unit, kind):
    return reverse("campaign_report", args=[campaign.pk, unit.pk, kind])


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def campaign_report(request, pk, unit_pk, kind):
    campaign, unit, report = _report_target(request, pk, unit_pk, kind)
    user = request.user
    may_file = permissions.can_file_report(user, unit)
    if request.method == "POST" and not may_file:
        raise PermissionDenied
    editable = (
        may_file
        and not campaign.is_closed
        and (
            report.is_editable
            if report
            else campaign.state in services.FILING_STATES[kind]
        )
    )
    metrics = list(campaign.metrics.all())
    values = {}
    exemplars = []
    if report is not None:
        values = {f.metric_id: f.value for f in report.figures.all()}
        exemplars = list(report.exemplars.all())
    for metric in metrics:
        metric.value = values.get(metric.pk)
    initial = {
        "version": report.version if report else 0,
        "commitment": report.commitment if report else "",
        "activities": report.activities if report else "",
        **{f"m{m.pk}": values.get(m.pk) for m in metrics},
    }
    data = request.POST if request.method == "POST" else None
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
    upload = UploadForm(data, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(
                request,
                _("The campaign is closed; reports can no longer be filed.")
                if campaign.is_closed
                else _("This report can no longer be changed."),
            )
            return redirect(_report_url(campaign, unit, kind))
        file_given = bool(request.FILES.get("file"))
        if (
            form.is_valid()
            and formset.is_valid()
            and (not file_given or upload.is_valid())
        ):
            status = _save_report(
                request, campaign, unit, kind, report, form, formset, upload, file_given
            )
            if status is None:
                return redirect(_report_url(campaign, unit, kind))
        else:
            status = 200
    return render(
        request,
        "campaigns/report_form.html",
        {
            "campaign": campaign,
            "unit": unit,
            "kind": kind,
            "kind_label": ReportKind(kind).label,
            "report": report,
            "form": form,
            "formset": formset,
            "editable": editable,
            "metrics": metrics,
            "exemplars": exemplars,
            "evidence": list(report.evidence.all()) if report else [],
            "deadline": services.deadline_of(campaign, kind),
            "can_review": permissions.can_review_reports(user)
            and report is not None
            and report.state == ReportState.SUBMITTED
            and not campaign.is_closed,
            "return_form": ReturnForm(),
            "missing": services.report_missing(report) if report and editable else [],
        },
        status=status,
    )


def _save_report(
    request, campaign, unit, kind, report, form, formset, upload, file_given
):
    """Save (and, when asked, submit) the report; None when done, else the
    HTTP status to re-render the form with."""
    user = request.user
    existed = report is not None
    version = form.cleaned_data["version"]
    try:
        with transaction.atomic():
            report = services.report_start(
                campaign=campaign, unit=unit, kind=kind, actor=user
            )
            report = services.report_save(
                report=report,
                actor=user,
                version=version if existed or version else None,
                commitment=form.cleaned_data.get("commitment"),
                activities=form.cleaned_data.get("activities"),
                figures=form.figures(),
                exemplars=[
                    f.cleaned_data
                    for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ],
            )
            if file_given:
                services.evidence_add(
                    report=report, upload=upload.cleaned_data["file"], actor=user
                )
    except services.StaleObject as error:
        form.add_error(None, error.message)
        return 409
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        elif error.field == "file":
            upload.add_error("file", error.message)
            form.add_error(None, error.message)
        else:
            form.add_error(None, error.message)
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
    try:
        if action == "accept":
            services.report_accept(report=report, actor=request.user)
            messages.success(request, _("The report was accepted."))
        elif action == "return":
            form = ReturnForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.report_return(report=report, actor=request.user, reason=reason)
            messages.success(request, _("The report was returned to the unit."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_report_url(campaign, unit, kind))


def _evidence(request, pk):
    evidence = get_object_or_404(
        ReportEvidence.objects.select_related(
            "report__unit", "report__campaign"
        ).filter(report__campaign__in=selectors.campaigns_visible_to(request.user)),
        pk=pk,
    )
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
    try:
        services.evidence_delete(evidence=evidence, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(name)s” was removed.") % {"name": evidence.original_name}
        )
    return redirect(_report_url(report.campaign, report.unit, report.kind))


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
    term = get_object_or_404(
        terms_visible_to(request.user).select_related("cluster"), pk=pk
    )
    criterion = get_object_or_404(
        Criterion.objects.select_related("pledge", "section"),
        pk=criterion_pk,
        pledge__term=term,
    )
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
        all_rows = can_see_draft_ranking(user, term)
        units = {
            m.unit_id: m.unit
            for m in term.memberships.select_related("unit").order_by("unit__name")
        }
        for unit_id, unit in units.items():
            if all_rows or unit_id == user.unit_id:
                found = counted.get((unit_id, criterion.pk), [])
                points = min(
                    rule.points_per_campaign * len(found), criterion.max_points
                )
                rows.append((unit, found, points))
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
