"""HTTP only for the members' reports: the who-has-not-submitted panel, the
report with its four sections, live indicator points, evidence files,
submission, review and deadline extensions."""

from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.views import reaches_authority
from core.collation import vi_key
from core.errors import DomainError
from core.formatting import format_number, whole_number
from core.views import apply_domain_error, post_removal, read_only, require

from .. import (
    charts,
    criterion_rules,
    plausibility,
    scoring,
    selectors,
    services,
)
from ..forms import (
    CommendationFormSet,
    DeadlineExtensionForm,
    EvidenceUploadForm,
    ReportCriteriaForm,
    ReportIndicatorsForm,
    ReportReturnForm,
    ReportSectionForm,
    ReportSubmitForm,
    ReportSummaryForm,
)
from ..models import (
    CriterionKind,
    ReportState,
)
from ..permissions import (
    can_edit_report,
    can_extend_deadline,
    can_open_report_list,
    can_review_report,
    can_review_reports,
    can_view_report,
    judging_refusal,
    report_change_refusal,
)
from ..uploads import private_file_response
from .pledge import _pledge, _pledge_or_none, term_in_reach

COMMENDATIONS_PREFIX = "comm"
# The “who has not submitted” filter: value → states shown (None: no report yet).
LIST_FILTERS = {
    "pending": {None, ReportState.DRAFT, ReportState.RETURNED},
    "submitted": {ReportState.SUBMITTED},
    "accepted": {ReportState.ACCEPTED},
    "returned": {ReportState.RETURNED},
}
STATE_ORDER = [
    None,
    ReportState.DRAFT,
    ReportState.RETURNED,
    ReportState.SUBMITTED,
    ReportState.ACCEPTED,
]
# The panel's sort orders besides the default (by unit name): value → key.
LIST_SORTS = {
    "state": lambda row: (
        STATE_ORDER.index(row.report.state if row.report else None),
        vi_key(row.unit.name),
    ),
    "changed": lambda row: (
        row.report is None,
        -row.report.updated_at.timestamp() if row.report else 0,
    ),
}


# Lookups ----------------------------------------------------------------------


def _member(term, unit_pk):
    """The member unit `unit_pk` of `term` (prefetched memberships); 404 else."""
    for membership in term.memberships.all():
        if membership.unit_id == unit_pk:
            return membership.unit
    raise Http404


def _report_of(term, unit):
    """The unit's report with everything the page shows, or None."""
    return selectors.report_for_page(term, unit)


def _evidence(request, pk):
    """The evidence file `pk` with its term and unit, for a user who may see the
    report; 404 for everyone else."""
    evidence = selectors.evidence_with_report(pk)
    if evidence is None:
        raise Http404
    term = term_in_reach(request, evidence.report.term_id)
    unit = _member(term, evidence.report.unit_id)
    if not can_view_report(request.user, term, unit):
        raise Http404
    return evidence, term, unit


def _report_url(term, unit, anchor=""):
    url = reverse("report_edit", args=[term.pk, unit.pk])
    return f"{url}#{anchor}" if anchor else url


def _redirect_whole_page(request, url):
    """Redirect; an htmx request reloads the whole page rather than swapping a
    part of it (so the message is seen)."""
    if request.htmx:
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _deadline(term, extension=None):
    """The deadline with the whole days left (or overdue), or None."""
    if term.report_deadline is None:
        return None
    days = (term.report_deadline - timezone.localdate()).days
    return SimpleNamespace(
        date=term.report_deadline,
        days=abs(days),
        overdue=days < 0,
        extension=extension,
    )


# The report page ----------------------------------------------------------------


def _flatten(sections):
    indicators = [
        i for s in sections for c in s.criteria_list for i in c.indicator_list
    ]
    criteria = [
        c
        for s in sections
        for c in s.criteria_list
        if c.kind != CriterionKind.INDICATOR
    ]
    return indicators, criteria


def _tally(sections):
    """Points per criterion as entered so far (indicator criteria from their
    indicators' points, the others from the self-score) and the totals: the
    base criteria out of their scale, plus bonus, minus deductions. Sets
    `tally` (points or None) and `bar` (0–100, % of the criterion's maximum)
    on every criterion."""
    rows = [c for s in sections for c in s.criteria_list]
    base = bonus = deduction = indicators = scale = Decimal(0)
    for c in rows:
        if c.kind == CriterionKind.INDICATOR:
            parts = [i.points for i in c.indicator_list]
            c.tally = (
                scoring.criterion_points(c.max_points, parts)
                if any(p is not None for p in parts)
                else None
            )
            indicators += c.tally or 0
        else:
            c.tally = c.self_score.points if c.self_score is not None else None
        points = c.tally or Decimal(0)
        maximum = Decimal(c.max_points)
        c.bar = _bar(points, maximum)
        if c.kind == CriterionKind.BONUS:
            bonus += points
        elif c.kind == CriterionKind.DEDUCTION:
            deduction += points
        else:
            base += points
            scale += maximum
    lines = []
    for s in sections:
        lines.append(_subtotal("section", s, s.criteria_list))
        for sub in s.subsection_list:
            lines.append(_subtotal("subsection", sub, sub.criteria_list))
            lines.extend(
                SimpleNamespace(level="criterion", c=c) for c in sub.criteria_list
            )
        lines.extend(
            SimpleNamespace(level="criterion", c=c)
            for c in s.criteria_list
            if c.subsection_id is None
        )
    return SimpleNamespace(
        criteria=rows,
        lines=lines,
        indicators=indicators,
        base=base,
        scale=scale,
        bonus=bonus,
        deduction=deduction,
        total=base + bonus - deduction,
    )


def _bar(points, maximum):
    """The SVG bar's width, out of 100, for `points` of `maximum`."""
    share = min(max(points, 0) / maximum * 100, 100) if maximum else 0
    return f"{share:.1f}"


def _subtotal(level, row, criteria):
    """A section's or sub-field's subtotal line of the tally: the points of
    its `criteria` so far (None while none has any) against its maximum."""
    tallies = [c.tally for c in criteria if c.tally is not None]
    points = sum(tallies, Decimal(0)) if tallies else None
    maximum = Decimal(row.max_points)
    return SimpleNamespace(
        level=level,
        c=SimpleNamespace(
            code=row.code,
            title=row.title,
            tally=points,
            max_points=row.max_points,
            bar=_bar(points or Decimal(0), maximum),
        ),
    )


def _cautions(indicators):
    """Sets `cautions` (pledges.plausibility) on every indicator row from its
    saved value; returns [(indicator, caution)] for the before-sending
    summary."""
    found = []
    for i in indicators:
        actual = i.result.actual if i.result is not None else None
        i.cautions = plausibility.indicator_warnings(i, actual)
        found += [(i, caution) for caution in i.cautions]
    return found


def _group(sections, raw):
    """The criterion with indicators named by a posted `group`, or None."""
    pk = whole_number(raw)
    for s in sections:
        for c in s.criteria_list:
            if c.pk == pk and c.indicator_list:
                return c
    return None


def _section_form(section, indicators, criteria, report, data=None):
    """The data form of one section, bound to `data` or filled from `report`."""
    if section == "indicators":
        initial = {}
        for i in indicators:
            if i.result is not None:
                initial[f"actual_{i.pk}"] = format_number(i.result.actual)
                initial[f"note_{i.pk}"] = i.result.note
        return ReportIndicatorsForm(data, indicators=indicators, initial=initial)
    if section == "criteria":
        initial = {}
        for c in criteria:
            if c.self_score is not None:
                initial[f"points_{c.pk}"] = format_number(c.self_score.points)
                initial[f"explanation_{c.pk}"] = c.self_score.explanation
        return ReportCriteriaForm(data, criteria=criteria, initial=initial)
    if section == "commendations":
        rows = list(report.commendations.all()) if report else []
        return CommendationFormSet(
            data,
            prefix=COMMENDATIONS_PREFIX,
            initial=[
                {
                    "title": r.form,
                    "collectives": r.collectives,
                    "individuals": r.individuals,
                }
                for r in rows
            ],
        )
    return ReportSummaryForm(
        data, initial={"summary": report.summary if report else ""}
    )


def _return_items(indicators, criteria):
    """(key, label, (part, indicator, criterion)) for every row a reviewer may
    return."""
    items = [
        (f"i{i.pk}", f"{i.code} · {i.title}", ("indicator", i, None))
        for i in indicators
    ]
    items += [
        (f"c{c.pk}", f"{c.code} · {c.title}", ("criterion", None, c)) for c in criteria
    ]
    items += [
        ("commendations", _("Commendation figures"), ("commendations", None, None)),
        ("summary", _("Summary of the year"), ("summary", None, None)),
    ]
    return items


def _report_page(
    request,
    term,
    unit,
    pledge,
    report,
    *,
    posted=None,
    stale=None,
    saved=None,
    version=None,
    section_errors=None,
    submit_error=None,
    return_form=None,
    upload_form=None,
    uploaded=None,
    saved_group=None,
    posted_group=None,
    error_group=None,
    status=200,
):
    """Render the report page. `posted` is (section, form) of a section that
    failed to save — for the indicators of one criterion (`posted_group`, its
    id) a form of those only; `version` the version the page's forms carry
    when it is not the report's (a refused save keeps the page as stale as it
    was); `saved_group` the criterion whose indicators were just saved,
    `error_group` the one whose button was pressed when the save failed."""
    user = request.user
    sections, _returned = selectors.report_rows(report, pledge, unit)
    indicators, criteria = _flatten(sections)
    can_edit = can_edit_report(user, term, unit)
    refusal = report_change_refusal(term, report) if can_edit else None
    editable = can_edit and refusal is None
    forms = {}
    for name in services.SECTIONS:
        if posted is not None and posted[0] == name and posted_group is None:
            forms[name] = posted[1]
        else:
            forms[name] = _section_form(name, indicators, criteria, report)
    typed = posted[1] if posted_group is not None else forms["indicators"]
    for i in indicators:
        form = typed if f"actual_{i.pk}" in typed.fields else forms["indicators"]
        i.actual_field = form[f"actual_{i.pk}"]
        i.note_field = form[f"note_{i.pk}"]
    cautions = _cautions(indicators)
    for c in criteria:
        c.points_field = forms["criteria"][f"points_{c.pk}"]
        c.explanation_field = forms["criteria"][f"explanation_{c.pk}"]
    if report is not None:
        report.term = term  # the loaded term, with its members
    reviewing = report is not None and can_review_report(user, report)
    if reviewing and return_form is None:
        return_form = ReportReturnForm(items=_return_items(indicators, criteria))
    extension = selectors.latest_extension(term, unit)
    review_items = list(report.review_items.all()) if report else []
    commendations = list(report.commendations.all()) if report else []
    window = services.submission_window(term, unit) if editable else (True, False)
    context = {
        "term": term,
        "unit": unit,
        "pledge": pledge,
        "campaign_rules": criterion_rules.rules_of(term),
        "report": report,
        "sections": sections,
        "criteria": criteria,
        "indicators_form": forms["indicators"],
        "criteria_form": forms["criteria"],
        "commendations_formset": forms["commendations"],
        "summary_form": forms["summary"],
        "version": version or (report.version if report else 1),
        "can_edit": can_edit,
        "editable": editable,
        "refusal": refusal,
        "can_review": can_review_reports(user, term),
        "reviewing": reviewing,
        "return_form": return_form,
        "deadline": _deadline(term, extension),
        "submission_open": window[0],
        "missing": (
            selectors.report_missing(report, tree=sections)
            if editable and report
            else []
        ),
        "open_items": [r for r in review_items if r.resolved_at is None],
        "review_items": review_items,
        "state_changes": selectors.report_state_changes(report) if report else [],
        "commendation_rows": commendations,
        "commendation_totals": (
            sum(r.collectives for r in commendations),
            sum(r.individuals for r in commendations),
        ),
        "stale": stale,
        "posted_section": posted[0] if posted else None,
        "saved": saved,
        "section_errors": section_errors or {},
        "submit_error": submit_error,
        "upload_form": upload_form,
        "upload_criterion": _upload_criterion(upload_form),
        "uploaded": uploaded,
        "tally": _tally(sections),
        "cautions": cautions,
        "saved_group": saved_group,
        "error_group": error_group,
    }
    return render(request, "pledges/report_edit.html", context, status=status)


def _upload_criterion(form):
    """The id of the criterion a refused upload was for, or None."""
    criterion = form.cleaned_data.get("criterion") if form is not None else None
    return criterion.pk if criterion is not None else None


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def report_edit(request, pk, unit_pk):
    """A member's report: its officers fill it in section by section and submit
    it; reviewers read it and accept it or return items of it."""
    term = term_in_reach(request, pk)
    unit = _member(term, unit_pk)
    if not can_view_report(request.user, term, unit):
        raise PermissionDenied
    pledge = _pledge_or_none(term)
    if pledge is None:
        return render(request, "pledges/report_edit.html", {"term": term, "unit": unit})
    report = _report_of(term, unit)
    if request.method == "GET":
        saved = whole_number(request.GET.get("saved", ""))
        return _report_page(request, term, unit, pledge, report, saved_group=saved)
    action = request.POST.get("action", "save")
    if action in ("accept", "return"):
        return _review(request, term, unit, pledge, report, action)
    if not can_edit_report(request.user, term, unit):
        raise PermissionDenied
    refusal = report_change_refusal(term, report)
    if refusal:
        messages.error(request, refusal)
        return _redirect_whole_page(request, _report_url(term, unit))
    if action == "submit":
        return _submit(request, term, unit, pledge, report)
    return _save_section(request, term, unit, pledge, report)


def _stale_message(term, unit):
    report = selectors.report_with_editor(term, unit)
    return services.StaleReport(report).message


def _save_section(request, term, unit, pledge, report):
    """Save the posted section. The indicators come either all at once (the
    whole form, without JavaScript; `group` then only names the button
    pressed, whose place the page returns to) or, with `scope=group`, those
    of one criterion by themselves (htmx), leaving the rest as saved."""
    meta = ReportSectionForm(request.POST)
    section = request.POST.get("section")
    if section not in services.SECTIONS:
        messages.error(request, _("Unknown section."))
        return _redirect_whole_page(request, _report_url(term, unit))
    sections, _returned = selectors.report_rows(report, pledge, unit)
    indicators, criteria = _flatten(sections)
    group = None
    if section == "indicators" and request.POST.get("group"):
        group = _group(sections, request.POST["group"])
        if group is None:
            messages.error(request, _("Unknown section."))
            return _redirect_whole_page(request, _report_url(term, unit))
    alone = group is not None and request.POST.get("scope") == "group"
    if alone:
        form = ReportIndicatorsForm(request.POST, indicators=group.indicator_list)
    else:
        form = _section_form(section, indicators, criteria, report, request.POST)
    errors, stale = [], None
    if not meta.is_valid():
        errors.append(_("The form is out of date or damaged; reload the page."))
    elif form.is_valid():
        if section == "summary":
            data = form.cleaned_data["summary"].strip()
        else:
            data = form.rows()
        try:
            with transaction.atomic():
                target = report or services.report_start(
                    term=term, unit=unit, actor=request.user
                )
                services.report_save_section(
                    report=target,
                    actor=request.user,
                    version=meta.cleaned_data["version"],
                    section=section,
                    data=data,
                    criterion=group if alone else None,
                )
        except services.StaleReport as error:
            stale = error.message
        except IntegrityError:  # the report was started at the same moment
            stale = _stale_message(term, unit)
        except DomainError as error:
            if getattr(error, "field", None) and error.field in form.fields:
                apply_domain_error(form, error)
            else:
                errors.append(error.message)
        else:
            saved_group = group.pk if group is not None else None
            if request.htmx:
                return _report_page(
                    request,
                    term,
                    unit,
                    pledge,
                    _report_of(term, unit),
                    saved=section,
                    saved_group=saved_group,
                )
            if group is not None:
                url = reverse("report_edit", args=[term.pk, unit.pk])
                return redirect(f"{url}?saved={group.pk}#section-{group.pk}")
            messages.success(request, _("The section was saved."))
            return redirect(_report_url(term, unit, f"sec-{section}"))
    return _report_page(
        request,
        term,
        unit,
        pledge,
        report,
        posted=(section, form),
        stale=stale,
        version=meta.cleaned_data.get("version"),
        section_errors={section: errors},
        posted_group=group.pk if alone else None,
        error_group=group.pk if group else None,
        status=409 if stale and not request.htmx else 200,
    )


def _submit(request, term, unit, pledge, report):
    form = ReportSubmitForm(request.POST)
    if report is None:
        messages.error(request, _("Fill in the report before submitting it."))
        return _redirect_whole_page(request, _report_url(term, unit))
    if not form.is_valid():
        return _report_page(
            request,
            term,
            unit,
            pledge,
            report,
            submit_error=_("The form is out of date or damaged; reload the page."),
        )
    try:
        services.report_submit(
            report=report, actor=request.user, version=form.cleaned_data["version"]
        )
    except services.StaleReport as error:
        return _report_page(
            request,
            term,
            unit,
            pledge,
            report,
            stale=error.message,
            version=form.cleaned_data["version"],
            status=409,
        )
    except DomainError as error:
        message = error.message
        if selectors.report_missing(report):
            message = _("The report cannot be submitted yet. Complete these items:")
        return _report_page(request, term, unit, pledge, report, submit_error=message)
    messages.success(
        request,
        _(
            "The report was submitted. It can no longer be changed unless it is "
            "returned."
        ),
    )
    return redirect(_report_url(term, unit))


def _review(request, term, unit, pledge, report, action):
    if judging_refusal(request.user, term, unit.pk) is not None:
        raise PermissionDenied
    if report is None or report.state != ReportState.SUBMITTED:
        messages.error(
            request, _("Only a submitted report can be accepted or returned.")
        )
        return redirect(_report_url(term, unit))
    if action == "accept":
        try:
            services.report_accept(report=report, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The report was accepted."))
        return redirect(_report_url(term, unit))
    sections, _returned = selectors.report_rows(report, pledge, unit)
    indicators, criteria = _flatten(sections)
    form = ReportReturnForm(request.POST, items=_return_items(indicators, criteria))
    if form.is_valid():
        items = [
            (part, indicator, criterion, reason)
            for (part, indicator, criterion), reason in form.returned()
        ]
        try:
            services.report_return(report=report, actor=request.user, items=items)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The report was returned to %(unit)s with %(count)s items.")
                % {"unit": unit.name, "count": len(items)},
            )
        return redirect(_report_url(term, unit))
    return _report_page(request, term, unit, pledge, report, return_form=form)


@read_only
@require_POST
@require(reaches_authority)
def report_preview(request, pk, unit_pk):
    """Achievement, points and plausibility warnings of one indicator for a
    value being typed, with its criterion's points and the report's totals
    for every value typed on the page (the indicator form posts them all), by
    `pledges.scoring` (the functions the ranking uses). Writes nothing and
    opens no transaction (`core.views.read_only`), so it never waits for, nor
    slips into, a save of the same report."""
    term = term_in_reach(request, pk)
    unit = _member(term, unit_pk)
    if not can_edit_report(request.user, term, unit):
        raise PermissionDenied
    pledge = _pledge(term)
    pk = whole_number(request.POST.get("indicator", ""))
    if pk is None:
        raise Http404
    report = selectors.report_values(term, unit)
    sections, _returned = selectors.report_rows(report, pledge, unit)
    indicators, _criteria = _flatten(sections)
    shown = next((i for i in indicators if i.pk == pk), None)
    if shown is None:
        raise Http404
    name = f"actual_{pk}"
    data = request.POST.copy()
    if name not in data:
        data[name] = request.POST.get("value", "")
    typed = [i for i in indicators if f"actual_{i.pk}" in data]
    form = ReportIndicatorsForm(data, indicators=typed)
    form.is_valid()
    for i in typed:
        actual = form.cleaned_data.get(f"actual_{i.pk}")
        i.achieved, i.points = scoring.indicator_points(
            i,
            i.share,
            i.target.planned if i.target else None,
            actual,
            i.target.last_actual if i.target else None,
        )
        if i is shown:
            shown.cautions = plausibility.indicator_warnings(i, actual)
    shown.error = form.errors[name][0] if name in form.errors else None
    if shown.error:
        shown.achieved = shown.points = None
        shown.cautions = []
    criterion = next(
        c for s in sections for c in s.criteria_list if shown in c.indicator_list
    )
    return render(
        request,
        "pledges/report_edit.html#indicator_preview",
        {"i": shown, "c": criterion, "tally": _tally(sections)},
    )


# Evidence files -----------------------------------------------------------------


def _save_typed_criteria(request, term, unit, pledge, report):
    """Without JavaScript the upload button submits the whole self-score form:
    save its typed scores and explanations first (when changed). Returns None
    when saved (or nothing changed), else the page showing why not."""
    meta = ReportSectionForm(request.POST)
    sections, _returned = selectors.report_rows(report, pledge, unit)
    indicators, criteria = _flatten(sections)
    form = _section_form("criteria", indicators, criteria, report, request.POST)
    errors, stale = [], None
    if not meta.is_valid():
        errors.append(_("The form is out of date or damaged; reload the page."))
    elif form.is_valid():
        if not form.has_changed():
            return None
        try:
            with transaction.atomic():
                target = report or services.report_start(
                    term=term, unit=unit, actor=request.user
                )
                services.report_save_section(
                    report=target,
                    actor=request.user,
                    version=meta.cleaned_data["version"],
                    section="criteria",
                    data=form.rows(),
                )
        except services.StaleReport as error:
            stale = error.message
        except IntegrityError:  # the report was started at the same moment
            stale = _stale_message(term, unit)
        except DomainError as error:
            errors.append(error.message)
        else:
            return None
    errors.append(
        _("The file was not attached: correct the self-scores, then upload it again.")
    )
    return _report_page(
        request,
        term,
        unit,
        pledge,
        report,
        posted=("criteria", form),
        stale=stale,
        version=meta.cleaned_data.get("version"),
        section_errors={"criteria": errors},
        status=409 if stale else 200,
    )


@require_POST
@require(reaches_authority)
def evidence_upload(request, pk, unit_pk):
    """Attach a file to a criterion of the unit's report (checked by
    `pledges.uploads.check_evidence`). The upload button sits in the
    self-score form: with htmx only the file list of the criterion is swapped
    (the typed values stay on the page); without JavaScript the typed
    self-scores are saved first, so nothing typed is lost."""
    term = term_in_reach(request, pk)
    unit = _member(term, unit_pk)
    if not can_edit_report(request.user, term, unit):
        raise PermissionDenied
    pledge = _pledge(term)
    report = _report_of(term, unit)
    refusal = report_change_refusal(term, report)
    if refusal:
        messages.error(request, refusal)
        return _redirect_whole_page(request, _report_url(term, unit))
    raw = request.POST.get("upload") or request.POST.get("criterion", "")
    upload = request.FILES.get(f"file_{raw}") or request.FILES.get("file")
    form = EvidenceUploadForm(
        {"criterion": raw}, {"file": upload} if upload else {}, pledge=pledge
    )
    if not request.htmx and request.POST.get("section") == "criteria":
        refused = _save_typed_criteria(request, term, unit, pledge, report)
        if refused is not None:
            return refused
        report = _report_of(term, unit)
    if form.is_valid():
        criterion, upload = form.cleaned_data["criterion"], form.cleaned_data["file"]
        try:
            services.evidence_attach(
                term=term,
                unit=unit,
                criterion=criterion,
                upload=upload,
                actor=request.user,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        except IntegrityError:  # the report was started at the same moment
            form.add_error("file", _stale_message(term, unit))
        else:
            if request.htmx:
                return _report_page(
                    request,
                    term,
                    unit,
                    pledge,
                    _report_of(term, unit),
                    uploaded=criterion.pk,
                )
            messages.success(
                request, _("“%(name)s” was attached.") % {"name": upload.name}
            )
            return redirect(_report_url(term, unit, f"c-{criterion.pk}"))
    if "criterion" in form.errors:
        messages.error(request, _("Choose a criterion of this pledge."))
        return _redirect_whole_page(request, _report_url(term, unit))
    if not request.htmx and request.POST.get("section") == "criteria":
        messages.success(request, _("The section was saved."))
    return _report_page(request, term, unit, pledge, report, upload_form=form)


@require_GET
@require(reaches_authority)
def evidence_download(request, pk):
    """The file, with the name it was uploaded under, to those who may see the
    report; 404 to everyone else."""
    evidence, _term, _unit = _evidence(request, pk)
    return private_file_response(evidence)


@require_POST
@require(reaches_authority)
def evidence_delete(request, pk):
    """Remove a file while the report can still be changed."""
    evidence, term, unit = _evidence(request, pk)
    if not can_edit_report(request.user, term, unit):
        raise PermissionDenied
    next_url = _report_url(term, unit, f"c-{evidence.criterion_id}")
    refusal = report_change_refusal(term, evidence.report)
    if refusal:
        messages.error(request, refusal)
        return redirect(next_url)
    return post_removal(
        request,
        evidence,
        lambda found: services.evidence_delete(evidence=found, actor=request.user),
        next_url=next_url,
    )


# Who has not submitted ------------------------------------------------------------


def _list_page(request, term, extension_form=None):
    user = request.user
    rows = selectors.report_list_rows(term, timezone.localdate())
    counts = Counter(row.report.state if row.report else None for row in rows)
    shown = request.GET.get("state", "")
    states = LIST_FILTERS.get(shown)
    deadline = _deadline(term)
    table = [
        row
        for row in rows
        if states is None or (row.report.state if row.report else None) in states
    ]
    order = request.GET.get("sort", "")
    table.sort(key=lambda row: vi_key(row.unit.name))
    if order in LIST_SORTS:
        table.sort(key=LIST_SORTS[order])
    if extension_form is None and can_extend_deadline(user):
        extension_form = DeadlineExtensionForm(units=selectors.term_member_units(term))
    strip, strip_legend = charts.submission_strip(
        sorted(
            ((row.unit, row.report) for row in rows), key=lambda r: vi_key(r[0].name)
        ),
        chart_id="report-strip",
    )
    return render(
        request,
        "pledges/report_list.html",
        {
            "term": term,
            "strip": strip,
            "strip_legend": strip_legend,
            "table": table,
            "total": len(rows),
            "counts": {
                "none": counts[None],
                "draft": counts[ReportState.DRAFT],
                "submitted": counts[ReportState.SUBMITTED],
                "returned": counts[ReportState.RETURNED],
                "accepted": counts[ReportState.ACCEPTED],
                "pending": counts[None]
                + counts[ReportState.DRAFT]
                + counts[ReportState.RETURNED],
            },
            "shown": shown if states is not None else "",
            "order": order if order in LIST_SORTS else "",
            "sorts": [
                ("", _("Unit")),
                ("state", _("State")),
                ("changed", _("Last change")),
            ],
            "filters": [
                ("", _("All members")),
                ("pending", _("Not submitted")),
                ("submitted", _("Waiting for review")),
                ("returned", _("Returned")),
                ("accepted", _("Accepted")),
            ],
            "deadline": deadline,
            "has_pledge": _pledge_or_none(term) is not None,
            "extension_form": extension_form,
        },
    )


@require_GET
@require(reaches_authority)
def report_list(request, pk):
    """Reviewers see every member's report state; a member's officer is taken
    to the unit's own report."""
    term = term_in_reach(request, pk)
    if not can_open_report_list(request.user, term):
        raise PermissionDenied
    if not can_review_reports(request.user, term):
        return redirect("report_edit", pk=term.pk, unit_pk=request.user.unit_id)
    return _list_page(request, term)


@require_POST
@require(reaches_authority)
def deadline_extend(request, pk):
    """An admin lets one member submit after the deadline."""
    term = term_in_reach(request, pk)
    if not can_extend_deadline(request.user):
        raise PermissionDenied
    form = DeadlineExtensionForm(request.POST, units=selectors.term_member_units(term))
    if form.is_valid():
        try:
            services.deadline_extend(term=term, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(unit)s may submit until %(date)s.")
                % {
                    "unit": form.cleaned_data["unit"].name,
                    "date": form.cleaned_data["until"].strftime("%d/%m/%Y"),
                },
            )
            return redirect("report_list", pk=term.pk)
    return _list_page(request, term, extension_form=form)
