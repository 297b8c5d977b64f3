"""HTTP only for pledges: find the term in reach, check the role, call services."""

from decimal import InvalidOperation
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.models import Term
from clusters.views import reaches_authority
from core.errors import DomainError
from core.filenames import download_filename
from core.formatting import format_number, parse_decimal, whole_number
from core.views import apply_domain_error, form_page, require

from .. import criterion_rules, selectors, services
from ..documents import DOCX_CONTENT_TYPE, pledge_document
from ..documents import pledge_docx as build_docx
from ..excel import read_targets, targets_workbook
from ..forms import (
    AmendForm,
    CriterionForm,
    IndicatorForm,
    SectionForm,
    SignForm,
    SubsectionForm,
    TargetsImportForm,
    TemplateForm,
)
from ..models import (
    LARGEST_VALUE,
    Criterion,
    Indicator,
    PledgeState,
    PledgeTemplate,
    Section,
    Subsection,
)
from ..permissions import can_draft_pledge, can_set_target, can_sign
from .imports import workbook_import_page, workbook_response


def term_in_reach(request, pk, *, member_units=True):
    """The term `pk` if the user may see it, with cluster, memberships (and
    their units unless `member_units` is false) and pledge loaded; 404
    otherwise."""
    term = selectors.term_with_pledge(request.user, pk, member_units=member_units)
    if term is None:
        raise Http404
    return term


def _pledge_or_none(term):
    try:
        return term.pledge
    except Term.pledge.RelatedObjectDoesNotExist:
        return None


def _pledge(term):
    pledge = _pledge_or_none(term)
    if pledge is None:
        raise Http404
    return pledge


def _require_drafter(request, term):
    if not can_draft_pledge(request.user, term):
        raise PermissionDenied


@require_GET
@require(reaches_authority)
def pledge_overview(request, pk):
    term = term_in_reach(request, pk)
    pledge = _pledge_or_none(term)
    context = {
        "term": term,
        "pledge": pledge,
        "can_draft": can_draft_pledge(request.user, term),
    }
    if pledge is None:
        context["previous"] = services.previous_pledge(term)
        context["templates"] = selectors.pledge_templates(term.cluster.authority_id)
    else:
        version = selectors.current_version(pledge)
        signed = (
            {s.unit_id: s for s in version.signatures.all()}
            if version is not None
            else {}
        )
        context.update(
            version=version,
            rows=[(m.unit, signed.get(m.unit_id)) for m in term.memberships.all()],
            problems=selectors.pledge_problems(pledge)
            if pledge.state == PledgeState.DRAFT
            else [],
            can_sign=can_sign(request.user, term)
            and pledge.state == PledgeState.SIGNING
            and request.user.unit_id not in signed,
            amend_form=AmendForm(),
            template_form=TemplateForm(),
        )
    return render(request, "pledges/pledge_overview.html", context)


@require_POST
@require(reaches_authority)
def pledge_create(request, pk):
    term = term_in_reach(request, pk)
    _require_drafter(request, term)
    source = request.POST.get("source", "empty")
    try:
        if source == "previous":
            services.pledge_copy_previous(term=term, actor=request.user)
        elif source.startswith("template:"):
            template = get_object_or_404(
                PledgeTemplate,
                pk=whole_number(source.removeprefix("template:")) or 0,
                authority_id=term.cluster.authority_id,
            )
            services.pledge_from_template(
                term=term, template=template, actor=request.user
            )
        else:
            services.pledge_create(term=term, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The pledge was created."))
    return redirect("pledge_overview", pk=term.pk)


@require_POST
@require(reaches_authority)
def pledge_action(request, pk):
    term = term_in_reach(request, pk)
    _require_drafter(request, term)
    pledge = _pledge(term)
    action = request.POST.get("action")
    try:
        if action == "open_signing":
            services.pledge_open_signing(pledge=pledge, actor=request.user)
            messages.success(request, _("The pledge is open for signing."))
        elif action == "amend":
            form = AmendForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Give a reason for the amendment."))
            services.pledge_amend(
                pledge=pledge, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("A new version was opened for editing."))
        elif action == "save_template":
            form = TemplateForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Give the template a name."))
            services.template_save(
                pledge=pledge, name=form.cleaned_data["name"], actor=request.user
            )
            messages.success(request, _("The template was saved."))
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("pledge_overview", pk=term.pk)


EDITABLE = {
    "section": (Section, SectionForm, services.section_save),
    "subsection": (Subsection, SubsectionForm, services.subsection_save),
    "criterion": (Criterion, CriterionForm, services.criterion_save),
    "indicator": (Indicator, IndicatorForm, services.indicator_save),
}


def _bind(kind, pledge, data=None, instance=None):
    model, form_class, _save = EDITABLE[kind]
    kwargs = {} if form_class is SectionForm else {"pledge": pledge}
    if form_class is SectionForm and instance is None:
        instance = Section(pledge=pledge)
    return form_class(data, instance=instance, prefix=kind, **kwargs)


def _row(pledge, kind, row_id):
    model = EDITABLE[kind][0]
    if whole_number(row_id) is None:
        raise Http404
    return get_object_or_404(model, pk=row_id, pledge=pledge)


def _with_row_keys(sections):
    """Give every row of the tree the id its table row and `?edit=` use, and
    every section its `editor_rows` below it in order: each sub-field, then
    its criteria, each criterion followed by its indicators."""
    for section in sections:
        section.row_key = f"section-{section.pk}"
        section.editor_rows = []
        groups = [(sub, sub.criteria_list) for sub in section.subsection_list]
        loose = [c for c in section.criteria_list if c.subsection_id is None]
        for subsection, criteria in [*groups, (None, loose)]:
            if subsection is not None:
                subsection.row_key = f"subsection-{subsection.pk}"
                section.editor_rows.append(
                    SimpleNamespace(
                        kind="subsection",
                        row=subsection,
                        label=_("sub-field"),
                        points=subsection.max_points,
                        detail=subsection.source,
                    )
                )
            for criterion in criteria:
                criterion.row_key = f"criterion-{criterion.pk}"
                section.editor_rows.append(
                    SimpleNamespace(
                        kind="criterion",
                        row=criterion,
                        label=criterion.get_kind_display(),
                        points=criterion.max_points,
                        detail="",
                    )
                )
                for indicator in criterion.indicator_list:
                    indicator.row_key = f"indicator-{indicator.pk}"
                    section.editor_rows.append(
                        SimpleNamespace(
                            kind="indicator",
                            row=indicator,
                            label=indicator.get_rule_display(),
                            points="",
                            detail=_weighted(indicator),
                        )
                    )
    return sections


def _weighted(indicator):
    """An indicator's unit of measure, and its weight when it is not 1."""
    if indicator.weight == 1:
        return indicator.unit_of_measure
    return _("%(unit)s; weight %(weight)s") % {
        "unit": indicator.unit_of_measure,
        "weight": format_number(indicator.weight),
    }


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def pledge_editor(request, pk):
    """The criteria tree with add, edit, delete and move for every row. Editing
    a row (`?edit=kind-id`) renders its form in place; htmx swaps just that row."""
    term = term_in_reach(request, pk)
    _require_drafter(request, term)
    pledge = _pledge(term)
    editing, forms = None, {}
    kind = request.POST.get("kind") or request.GET.get("add") or ""
    if request.method == "POST" and kind in EDITABLE:
        action = request.POST.get("action", "save")
        row_id = request.POST.get("id") or ""
        row = _row(pledge, kind, row_id) if row_id else None
        if action in ("delete", "up", "down") and row is not None:
            try:
                if action == "delete":
                    services.row_delete(pledge=pledge, row=row, actor=request.user)
                else:
                    services.row_move(
                        pledge=pledge,
                        row=row,
                        offset=-1 if action == "up" else 1,
                        actor=request.user,
                    )
            except DomainError as error:
                messages.error(request, error.message)
            return redirect(reverse("pledge_editor", args=[term.pk]) + "#tree")
        form = _bind(kind, pledge, request.POST, row)
        if form.is_valid():
            fields = (
                form.service_fields()
                if isinstance(form, IndicatorForm)
                else form.cleaned_data
            )
            try:
                EDITABLE[kind][2](
                    pledge=pledge, actor=request.user, **{kind: row}, **fields
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The row was saved."))
                return redirect("pledge_editor", pk=term.pk)
        editing = f"{kind}-{row_id}" if row_id else f"new-{kind}"
        forms[editing] = form
    elif request.GET.get("edit"):
        kind, _sep, row_id = request.GET["edit"].partition("-")
        if kind in EDITABLE:
            editing = f"{kind}-{row_id}"
            forms[editing] = _bind(kind, pledge, instance=_row(pledge, kind, row_id))
    elif kind in EDITABLE:
        editing = f"new-{kind}"
        forms[editing] = _bind(kind, pledge)
    return render(
        request,
        "pledges/pledge_editor.html",
        {
            "term": term,
            "pledge": pledge,
            "sections": _with_row_keys(selectors.pledge_tree(pledge)),
            "editing": editing,
            "form": forms.get(editing),
            "editable": pledge.is_editable,
            "problems": selectors.pledge_problems(pledge) if pledge.is_editable else [],
            "campaign_rules": criterion_rules.rules_of(term),
        },
    )


def _parse_value(text):
    """A number typed in the user's language (1.234,5 in Vietnamese), or None,
    read by `parse_decimal` as in the report forms and the Excel imports."""
    try:
        return parse_decimal(text, get_language())
    except ValueError as error:
        raise InvalidOperation from error


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def targets_grid(request, pk):
    """Members × indicators. Drafters edit every row, a member's officer its own."""
    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    members, indicators, targets, totals = selectors.targets_grid(pledge)
    editable_units = {
        u.pk
        for u in members
        if pledge.is_editable and can_set_target(request.user, term, u)
    }
    errors = {}
    if request.method == "POST":
        if not editable_units:
            raise PermissionDenied
        rows = []
        for unit in members:
            if unit.pk not in editable_units:
                continue
            for indicator in indicators:
                key = f"t-{indicator.pk}-{unit.pk}"
                if key not in request.POST:
                    continue
                try:
                    planned = _parse_value(request.POST[key])
                except (InvalidOperation, ValueError):
                    errors[key] = _("Enter a number such as 1.234,5.")
                    continue
                if planned is not None and planned < 0:
                    errors[key] = _("Targets cannot be negative.")
                    continue
                if planned is not None and planned >= LARGEST_VALUE:
                    errors[key] = _("The value is too large.")
                    continue
                current = targets.get((indicator.pk, unit.pk))
                rows.append(
                    (indicator, unit, planned, current.last_actual if current else None)
                )
        if not errors:
            try:
                changed = services.targets_apply(
                    pledge=pledge, rows=rows, actor=request.user
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("%(count)s targets were saved.") % {"count": changed}
                )
                return redirect("targets_grid", pk=term.pk)
        else:
            messages.error(request, _("Some values are not valid; nothing was saved."))
    table = [
        (
            unit,
            unit.pk in editable_units,
            [
                (
                    indicator,
                    f"t-{indicator.pk}-{unit.pk}",
                    targets.get((indicator.pk, unit.pk)),
                    errors.get(f"t-{indicator.pk}-{unit.pk}"),
                    request.POST.get(f"t-{indicator.pk}-{unit.pk}")
                    if request.method == "POST"
                    else None,
                )
                for indicator in indicators
            ],
        )
        for unit in members
    ]
    return render(
        request,
        "pledges/targets_grid.html",
        {
            "term": term,
            "pledge": pledge,
            "indicators": indicators,
            "table": table,
            "totals": [totals.get(i.pk) for i in indicators],
            "can_edit": bool(editable_units),
        },
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def pledge_sign(request, pk):
    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    if not can_sign(request.user, term):
        raise PermissionDenied
    unit = request.user.unit
    form = SignForm(
        request.POST or None,
        initial={"signed_on": timezone.localdate()},
    )

    def save(data):
        services.pledge_sign(pledge=pledge, unit=unit, actor=request.user, **data)
        return reverse("pledge_overview", args=[term.pk])

    return form_page(
        request,
        form,
        save,
        success=_("Your unit's signature was recorded."),
        template="pledges/pledge_sign.html",
        context={
            "term": term,
            "pledge": pledge,
            "unit": unit,
            "sections": selectors.pledge_tree(pledge),
        },
    )


@require_GET
@require(reaches_authority)
def pledge_versions(request, pk):
    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    versions = selectors.pledge_versions(pledge)
    diffs = [
        selectors.snapshot_diff(older.snapshot, newer.snapshot) if older else None
        for older, newer in zip([None, *versions], versions, strict=False)
    ]
    return render(
        request,
        "pledges/pledge_versions.html",
        {
            "term": term,
            "pledge": pledge,
            "entries": list(reversed(list(zip(versions, diffs, strict=True)))),
        },
    )


@require_GET
@require(reaches_authority)
def pledge_docx(request, pk):
    """The pledge as a Word file for whoever can see the term."""

    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    filename = download_filename("giao-uoc-thi-dua", term.year, extension="docx")
    return HttpResponse(
        build_docx(pledge),
        content_type=DOCX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=filename
            )
        },
    )


@require_GET
@require(reaches_authority)
def pledge_print(request, pk):
    """The pledge laid out like its Word file, for printing on A4."""

    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    return render(
        request,
        "pledges/pledge_print.html",
        {"term": term, "pledge": pledge, "doc": pledge_document(pledge)},
    )


# Excel round trip of the targets ---------------------------------------------


def _target_units(request, term):
    """The members whose targets the user may set; 403 when there is none."""
    units = [
        m.unit
        for m in term.memberships.all()
        if can_set_target(request.user, term, m.unit)
    ]
    if not units:
        raise PermissionDenied
    return units


@require_GET
@require(reaches_authority)
def targets_xlsx(request, pk):
    """The targets as a pre-filled Excel template: every member's rows for the
    drafters, its own rows for a member's officer."""

    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    units = _target_units(request, term)
    return workbook_response(
        targets_workbook(pledge, units), f"chi-tieu-{term.year}.xlsx"
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def targets_import(request, pk):
    """Upload the filled-in template. “Preview” lists every problem by row and
    column, or the changes, and writes nothing; “Apply” writes every row in one
    transaction, and only when the file has no problem at all."""

    term = term_in_reach(request, pk)
    pledge = _pledge(term)
    units = _target_units(request, term)
    return workbook_import_page(
        request,
        form=TargetsImportForm(request.POST or None, request.FILES or None),
        refusal=None
        if pledge.is_editable
        else _("The pledge is not a draft; nothing was imported."),
        read=lambda data: read_targets(pledge, data, units),
        apply=lambda rows: services.targets_apply(
            pledge=pledge,
            rows=rows,
            actor=request.user,
            reason=_("Imported from Excel"),
        ),
        updated=lambda count: (
            ngettext(
                "%(count)s target was updated.",
                "%(count)s targets were updated.",
                count,
            )
            % {"count": count}
        ),
        next_url=reverse("targets_grid", args=[term.pk]),
        template="pledges/targets_import.html",
        context={"term": term, "pledge": pledge},
    )
