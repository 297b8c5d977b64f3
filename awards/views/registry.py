"""HTTP only: decisions, the award registry, statistics and their exports."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font

from clusters.selectors import units_visible_to
from clusters.views import reaches_authority
from core.formatting import whole_number
from core.views import form_page, found_or_404, paged, require
from pledges import xlsx
from pledges.uploads import private_file_response
from pledges.views.imports import workbook_response

from .. import selectors, services
from ..decision_document import DOCX_CONTENT_TYPE, decision_docx, decision_filename
from ..forms import ExternalGrantForm, RemovalForm
from ..models import Decision, ExternalDecision
from ..permissions import handles_awards

__all__ = [
    "award_registry",
    "external_decision_file",
    "external_grant_create",
    "external_grant_remove",
    "award_statistics",
    "award_statistics_xlsx",
    "decision_detail",
    "decision_docx_download",
    "decision_list",
    "public_awards",
]


def _int(value):
    return whole_number(value) or None


def _registry_page(request, authority_id):
    """The registry's context: a page of grants found by the filters of the
    query string. The unit filter offers the units with a grant while they are
    few (`selectors.registry_units`); a unit chosen elsewhere (a link) is named
    beside the search."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    year, form, unit = (
        _int(request.GET.get("year")),
        _int(request.GET.get("form")),
        _int(request.GET.get("unit")),
    )
    grants = selectors.registry_search(
        authority_id, query=query, year=year, form=form, unit=unit
    )
    page, query_string = paged(request, grants)
    units = selectors.registry_units(authority_id)
    chosen = (
        selectors.units_of_authority(authority_id).filter(pk=unit).first()
        if unit and (units is None or all(u.pk != unit for u in units))
        else None
    )
    without_unit = request.GET.copy()
    for name in ("page", "unit"):
        without_unit.pop(name, None)
    return {
        "page": page,
        "grants": page.object_list,
        "q": query,
        "year": year,
        "form": form,
        "unit": unit,
        "years": selectors.registry_years(authority_id),
        "forms": selectors.award_forms(authority_id),
        "units": units,
        "chosen_unit": chosen,
        "without_unit": without_unit.urlencode(),
        "query_string": query_string,
    }


@require_GET
@require(reaches_authority)
def award_registry(request):
    """Every grant of the authority, searchable with or without diacritics by
    unit, person, year and form, 50 a page."""
    context = _registry_page(request, request.user.authority_id)
    context["can_enter_external"] = handles_awards(request.user)
    return render(request, "awards/registry.html", context)


@require_http_methods(["GET", "POST"])
@require(handles_awards)
def external_grant_create(request):
    """Enter an award decided outside the system in the registry (province
    staff and admins)."""
    authority_id = request.user.authority_id

    def save(data):
        services.external_grant_record(actor=request.user, **data)
        return f"{reverse('award_registry')}?q=ngoai+he+thong"

    return form_page(
        request,
        ExternalGrantForm(
            request.POST or None,
            request.FILES or None,
            forms_queryset=selectors.award_forms(authority_id),
            units=selectors.units_of_authority(authority_id),
        ),
        save,
        success=_("The award was entered in the registry."),
        template="awards/external_grant_form.html",
    )


@require_http_methods(["GET", "POST"])
@require(handles_awards)
def external_grant_remove(request, pk):
    """Take an award entered from outside the system out of the registry,
    with a reason (province staff and admins of its authority)."""
    grant = found_or_404(selectors.external_grant_of, request.user.authority_id, pk)

    def save(data):
        services.external_grant_remove(
            actor=request.user, grant=grant, reason=data["reason"]
        )
        return reverse("award_registry")

    return form_page(
        request,
        RemovalForm(request.POST or None),
        save,
        success=_("The entry was removed from the registry."),
        template="awards/external_grant_remove.html",
        context={"grant": grant},
    )


@require_GET
@require(handles_awards)
def external_decision_file(request, pk):
    """The scanned file of a decision taken outside the system, under its
    original name (province staff and admins of its authority)."""
    try:
        act = selectors.external_decision_of(request.user.authority_id, pk)
    except ExternalDecision.DoesNotExist as error:
        raise Http404 from error
    if not act.file:
        raise Http404
    return private_file_response(act)


@login_not_required
@require_GET
def public_awards(request, authority_pk):
    """The public registry of an authority's decided awards (no login)."""
    authority = found_or_404(selectors.authority_by_pk, authority_pk)
    context = _registry_page(request, authority.pk)
    context["authority"] = authority
    return render(request, "awards/public_awards.html", context)


@require_GET
@require(reaches_authority)
def decision_list(request):
    year = _int(request.GET.get("year"))
    page, query_string = paged(
        request, selectors.decision_rows(request.user.authority_id, year)
    )
    return render(
        request,
        "awards/decision_list.html",
        {
            "decisions": page.object_list,
            "page": page,
            "query_string": query_string,
            "visible_proposals": _visible_proposals(request.user),
            "year": year,
            "years": list(
                selectors.decisions_of_authority(request.user.authority_id)
                .order_by("-year")
                .values_list("year", flat=True)
                .distinct()
            ),
        },
    )


def _visible_proposals(user):
    """The proposals `user` may open (a decision links its proposal only then)."""
    return set(selectors.proposals_visible_to(user).values_list("pk", flat=True))


def _decision_or_404(request, pk):
    try:
        return selectors.decision_detail(request.user.authority_id, pk)
    except Decision.DoesNotExist as error:
        raise Http404 from error


@require_GET
@require(reaches_authority)
def decision_detail(request, pk):
    decision = _decision_or_404(request, pk)
    grants = sorted(decision.grants.all(), key=lambda g: (g.award_form.position, g.pk))
    visible_units = set(units_visible_to(request.user).values_list("pk", flat=True))
    return render(
        request,
        "awards/decision_detail.html",
        {
            "decision": decision,
            "grants": grants,
            "total": sum((g.amount for g in grants if g.amount is not None), 0),
            "visible_units": visible_units,
            "visible_proposals": _visible_proposals(request.user),
        },
    )


@require_GET
@require(reaches_authority)
def decision_docx_download(request, pk):
    decision = _decision_or_404(request, pk)
    return HttpResponse(
        decision_docx(decision),
        content_type=DOCX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=decision_filename(decision)
            )
        },
    )


def _statistics(request):
    year, cluster = _int(request.GET.get("year")), _int(request.GET.get("cluster"))
    stats = selectors.award_statistics(
        request.user.authority_id, year=year, cluster=cluster
    )
    return year, cluster, stats


@require_GET
@require(handles_awards)
def award_statistics(request):
    """Awards by form and year, by cluster and by unit, and the units' own
    commendation figures from their reports."""
    year, cluster, stats = _statistics(request)
    all_years = selectors.registry_years(request.user.authority_id)
    return render(
        request,
        "awards/statistics.html",
        {
            "stats": stats,
            "year": year,
            "cluster": cluster,
            "clusters": selectors.clusters_of_authority(request.user.authority_id),
            "all_years": all_years,
            "query_string": request.GET.urlencode(),
        },
    )


def _sheet(book, title, headings, rows):
    sheet = book.create_sheet(title)
    sheet.append(xlsx.row(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx.row(row))
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(headings):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = max(12, min(45, len(heading) + 4))
    return sheet


@require_GET
@require(handles_awards)
def award_statistics_xlsx(request):
    year, _cluster, stats = _statistics(request)
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        _("By form"),
        [
            _("Award form"),
            _("Year"),
            _("Collectives"),
            _("Individuals"),
            _("Reward (VND)"),
        ],
        [
            (
                form.name,
                y,
                stats.by_form[(form.pk, y)].collectives,
                stats.by_form[(form.pk, y)].individuals,
                int(stats.by_form[(form.pk, y)].amount),
            )
            for form in stats.forms
            for y in stats.years
            if (form.pk, y) in stats.by_form
        ],
    )
    _sheet(
        book,
        _("By cluster"),
        [_("Cluster or block"), _("Year"), _("Collectives"), _("Individuals")],
        [
            (name, y, tally.collectives, tally.individuals)
            for name, per_year in stats.clusters
            for y, tally in sorted(per_year.items(), reverse=True)
        ],
    )
    _sheet(
        book,
        _("By unit"),
        [_("Unit"), _("Year"), _("Awards"), _("Reward (VND)")],
        [
            (unit.name, y, tally.collectives, int(tally.amount))
            for unit, per_year, _total in stats.units
            for y, tally in sorted(per_year.items(), reverse=True)
        ],
    )
    _sheet(
        book,
        _("Units' own awards"),
        [_("Form of commendation"), _("Collectives"), _("Individuals")],
        [
            *stats.own_forms,
            (_("Total"), stats.own_total.collectives, stats.own_total.individuals),
        ],
    )
    _sheet(
        book,
        _("Own awards by year"),
        [_("Year"), _("Collectives"), _("Individuals")],
        stats.own_years,
    )
    suffix = f"-{year}" if year else ""
    return workbook_response(xlsx.save(book), f"thong-ke-khen-thuong{suffix}.xlsx")
