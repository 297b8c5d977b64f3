"""HTTP only: check the role, bind the form, call the service, redirect or re-render."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import health
from core.collation import vi_sorted
from core.errors import DomainError
from core.views import (
    apply_domain_error,
    form_page,
    found_or_404,
    paged,
    post_action,
    post_transition,
    require,
)

from . import links, panels, selectors, services, stages, todo
from .forms import (
    ClusterForm,
    HandoverForm,
    MembershipAddForm,
    PasswordResetForm,
    RolloverForm,
    RotationMoveForm,
    RotationPolicyForm,
    RotationUnitForm,
    TermCreateForm,
    TermForm,
    TermReopenForm,
    TermTransitionForm,
    UnitDeactivateForm,
    UnitForm,
    UserCreateForm,
    UserForm,
)
from .models import (
    ClusterKind,
    Role,
    TermState,
    UnitKind,
)
from .permissions import (
    can_manage,
    can_record_handover,
    is_chair_officer,
    is_unit_officer,
    sees_whole_authority,
)
from .services import TERM_TRANSITIONS

HOME_CLUSTERS = 20  # the first clusters on the home page; the list has all
HOME_TASKS = 10  # the first tasks of each group on the home page; /todo/ has all


def reaches_authority(user):
    return sees_whole_authority(user) or is_unit_officer(user)


def _search_text(request):
    """The `q` filter of a list page, trimmed and safe for every database."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def _found(select, *args):
    return found_or_404(select, *args)


# Public -------------------------------------------------------------------


@login_not_required
@require_GET
def healthz(request):
    """200 "ok" when the database (SELECT 1) and the cache (set/get) work;
    200 "ok; degraded: cache" when only the cache fails (pages are computed
    without it); 503 naming what failed when the database is away, e.g.
    "unavailable: database cache". For monitors and load balancers: plain
    text, not translated, no session touched."""
    failed = health.failed_checks()
    if health.REQUIRED & set(failed):
        return HttpResponse(
            "unavailable: " + " ".join(failed),
            content_type="text/plain",
            status=503,
            headers={"Cache-Control": "no-store", "Retry-After": "30"},
        )
    body = "ok; degraded: " + " ".join(failed) if failed else "ok"
    return HttpResponse(
        body, content_type="text/plain", headers={"Cache-Control": "no-store"}
    )


# Home ---------------------------------------------------------------------


@require_GET
def home(request):
    """“Việc cần làm” for every role the user holds (`clusters.todo`), then
    the user's clusters and the panels other apps add (`clusters.panels`)."""
    user = request.user
    today = timezone.localdate()
    tasks = todo.items_for(user, today)
    context = {
        "today": today,
        "todo_groups": todo.groups(tasks, shown=HOME_TASKS),
        "todo_count": len(tasks),
        "panels": panels.render(panels.HOME, request),
    }
    if sees_whole_authority(user):
        clusters = selectors.cluster_rows(user)
        context["cluster_rows"] = selectors.with_latest_terms(clusters[:HOME_CLUSTERS])
        context["cluster_count"] = clusters.count()
        if can_manage(user):
            context["counts"] = selectors.authority_counts(user)
    elif is_unit_officer(user):
        context["my_memberships"] = selectors.officer_memberships(user)
    return render(request, "clusters/home.html", context)


@require_GET
def todo_list(request):
    """Every task of the user (`clusters.todo`), where the home page shows the
    first `HOME_TASKS` of each group."""
    tasks = todo.items_for(request.user, timezone.localdate())
    return render(
        request,
        "clusters/todo_list.html",
        {"todo_groups": todo.groups(tasks), "todo_count": len(tasks)},
    )


# Clusters -----------------------------------------------------------------


@require_GET
@require(reaches_authority)
def cluster_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in ClusterKind else None
    query = _search_text(request)
    page, query_string = paged(
        request, selectors.cluster_rows(request.user, kind=kind, query=query)
    )
    return render(
        request,
        "clusters/cluster_list.html",
        {
            "clusters": selectors.with_latest_terms(page.object_list),
            "page": page,
            "query_string": query_string,
            "kinds": ClusterKind.choices,
            "kind": kind,
            "q": query,
        },
    )


@require_GET
@require(reaches_authority)
def cluster_detail(request, pk):
    cluster = _found(selectors.cluster_detail, request.user, pk)
    terms = list(cluster.terms.all())
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "terms": terms,
            "current": terms[0] if terms else None,
            "can_manage": can_manage(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def cluster_create(request):
    authority = request.user.authority

    def save(data):
        cluster = services.cluster_create(
            actor=request.user, authority=authority, **data
        )
        return reverse("cluster_detail", args=[cluster.pk])

    return form_page(
        request,
        ClusterForm(request.POST or None, authority=authority),
        save,
        success=_("The cluster was created."),
        template="clusters/cluster_form.html",
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def cluster_edit(request, pk):
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)

    def save(data):
        services.cluster_update(cluster=cluster, actor=request.user, **data)
        return reverse("cluster_detail", args=[cluster.pk])

    return form_page(
        request,
        ClusterForm(
            request.POST or None, instance=cluster, authority=request.user.authority
        ),
        save,
        success=_("The cluster was saved."),
        template="clusters/cluster_form.html",
        context={"cluster": cluster},
    )


# Units --------------------------------------------------------------------


def _next(request, add_view, url):
    """Where a saved form goes: `add_view`'s empty form after “Save and add
    another”, else `url`."""
    return reverse(add_view) if request.POST.get("add_another") else url


@require_GET
@require(reaches_authority)
def unit_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in UnitKind else None
    status = request.GET.get("status")
    active = {"active": True, "inactive": False}.get(status)
    query = _search_text(request)
    page, query_string = paged(
        request,
        selectors.unit_rows(
            request.user, kind=kind, active=active, query=query, on=timezone.localdate()
        ),
    )
    return render(
        request,
        "clusters/unit_list.html",
        {
            "units": page.object_list,
            "page": page,
            "query_string": query_string,
            "kinds": UnitKind.choices,
            "kind": kind,
            "status": status if active is not None else "",
            "q": query,
            "can_manage": can_manage(request.user),
            "today": timezone.localdate(),
        },
    )


@require_GET
@require(reaches_authority)
def unit_detail(request, pk):
    unit = _found(selectors.unit_detail, request.user, pk)
    return render(
        request,
        "clusters/unit_detail.html",
        {
            "unit": unit,
            "can_manage": can_manage(request.user),
            "has_history": services.unit_has_history(unit)
            if can_manage(request.user)
            else True,
            "panels": panels.render(panels.UNIT, request, unit),
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_create(request):
    authority = request.user.authority

    def save(data):
        unit = services.unit_create(actor=request.user, authority=authority, **data)
        return _next(request, "unit_create", reverse("unit_detail", args=[unit.pk]))

    return form_page(
        request,
        UnitForm(request.POST or None, authority=authority),
        save,
        success=_("The unit was created."),
        template="clusters/unit_form.html",
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_edit(request, pk):
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)

    def save(data):
        services.unit_update(unit=unit, actor=request.user, **data)
        return _next(request, "unit_create", reverse("unit_detail", args=[unit.pk]))

    return form_page(
        request,
        UnitForm(request.POST or None, instance=unit, authority=request.user.authority),
        save,
        success=_("The unit was saved."),
        template="clusters/unit_form.html",
        context={"unit": unit},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_deactivate(request, pk):
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)

    def save(data):
        services.unit_deactivate(unit=unit, actor=request.user, **data)
        return reverse("unit_detail", args=[unit.pk])

    return form_page(
        request,
        UnitDeactivateForm(
            request.POST or None, unit=unit, initial={"valid_to": timezone.localdate()}
        ),
        save,
        success=_("The unit was deactivated."),
        template="clusters/unit_deactivate.html",
        context={"unit": unit},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_delete(request, pk):
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.unit_delete(unit=unit, actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The unit was deleted."))
            return redirect("unit_list")
    elif services.unit_has_history(unit):
        error = _(
            "%(unit)s has history (terms, users or successors) and cannot be "
            "deleted. Deactivate it instead."
        ) % {"unit": unit}
    return render(
        request,
        "clusters/unit_delete.html",
        {"unit": unit, "error": error},
        status=409 if error and request.method == "POST" else 200,
    )


# Terms --------------------------------------------------------------------


@require_GET
@require(reaches_authority)
def term_detail(request, pk):
    """The year: its stages as a progress strip with the steps the viewer may
    open now (the current stage's first), its settings and members, and the
    panels other apps add (`clusters.panels`: votes, proposals…)."""
    term = _found(selectors.term_detail, request.user, pk)
    next_states = [TermState(s) for s in TERM_TRANSITIONS[TermState(term.state)]]
    handover_out = selectors.handover_of(term, "handover_out")
    steps = links.term_steps(request.user, term)
    strip = stages.term_stages(term, steps)
    return render(
        request,
        "clusters/term_detail.html",
        {
            "term": term,
            "memberships": vi_sorted(term.memberships.all(), key=lambda m: m.unit.name),
            "handover_in": selectors.handover_of(term, "handover_in"),
            "handover_out": handover_out,
            "next_term": selectors.next_term(term),
            "can_manage": can_manage(request.user),
            "is_chair_officer": is_chair_officer(request.user, term),
            "can_handover": handover_out is None
            and can_record_handover(request.user, term),
            "panels": panels.render(panels.TERM, request, term),
            "next_states": next_states,
            "transition_form": TermTransitionForm(),
            "add_form": MembershipAddForm(term=term)
            if can_manage(request.user)
            else None,
            "is_closed": term.state == TermState.CLOSED,
            "results_final": services.term_results_final(term),
            "reopenings": selectors.term_reopenings(term),
            "steps": steps,
            "stages": strip,
            "current_steps": stages.current_steps(strip),
            "every_stage_steps": stages.every_stage_steps(steps),
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_create(request, cluster_pk):
    cluster = get_object_or_404(
        selectors.clusters_visible_to(request.user), pk=cluster_pk
    )
    latest = selectors.latest_term(cluster)
    initial = {"year": (latest.year + 1) if latest else timezone.localdate().year}
    if latest is None:  # the first year: members, chair and deputy from the order
        units, chair, deputy = selectors.first_year_proposal(cluster, initial["year"])
        if units:
            initial.update(
                units=[u.pk for u in units],
                chair=chair.pk if chair else None,
                deputy=deputy.pk if deputy else None,
            )

    def save(data):
        term = services.term_create(cluster=cluster, actor=request.user, **data)
        return reverse("term_detail", args=[term.pk])

    return form_page(
        request,
        TermCreateForm(request.POST or None, cluster=cluster, initial=initial),
        save,
        success=_("The term was opened."),
        template="clusters/term_create.html",
        context={"cluster": cluster},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_edit(request, pk):
    term = _found(selectors.term_detail, request.user, pk)

    def save(data):
        services.term_update_with_officers(term=term, actor=request.user, **data)
        return reverse("term_detail", args=[term.pk])

    return form_page(
        request,
        TermForm(request.POST or None, instance=term),
        save,
        success=_("The term was saved."),
        template="clusters/term_form.html",
        context={"term": term},
    )


@require_POST
@require(can_manage)
def term_transition(request, pk):
    term = get_object_or_404(selectors.terms_visible_to(request.user), pk=pk)
    return post_transition(
        request,
        TermTransitionForm(request.POST),
        lambda data: services.term_transition(
            term=term,
            to_state=data["to_state"],
            actor=request.user,
            reason=data["reason"],
        ),
        success=_("The term's state was changed."),
        next_url=reverse("term_detail", args=[term.pk]),
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_reopen(request, pk):
    term = _found(selectors.term_detail, request.user, pk)

    def save(data):
        services.term_reopen(term=term, actor=request.user, reason=data["reason"])
        return reverse("term_detail", args=[term.pk])

    return form_page(
        request,
        TermReopenForm(request.POST or None),
        save,
        success=_("The term was re-opened."),
        template="clusters/term_reopen.html",
        context={"term": term, "is_closed": term.state == TermState.CLOSED},
    )


@require_POST
@require(can_manage)
def membership_add(request, pk):
    term = _found(selectors.term_detail, request.user, pk)
    form = MembershipAddForm(request.POST, term=term)
    if form.is_valid():
        try:
            services.membership_add(
                term=term, unit=form.cleaned_data["unit"], actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The member was added."))
    else:
        messages.error(request, _("Choose a unit that is not yet a member."))
    return redirect("term_detail", pk=term.pk)


@require_POST
@require(can_manage)
def membership_remove(request, pk):
    membership = _found(selectors.membership_in_reach, request.user, pk)
    return post_action(
        request,
        lambda: services.membership_remove(membership=membership, actor=request.user),
        success=_("The member was removed."),
        next_url=reverse("term_detail", args=[membership.term_id]),
    )


# Users --------------------------------------------------------------------


@require_GET
@require(can_manage)
def user_list(request):
    role = request.GET.get("role") if request.GET.get("role") in Role else None
    query = _search_text(request)
    page, query_string = paged(
        request, selectors.users_of_authority(request.user, query=query, role=role)
    )
    return render(
        request,
        "clusters/user_list.html",
        {
            "users": page.object_list,
            "page": page,
            "query_string": query_string,
            "roles": Role.choices,
            "role": role,
            "q": query,
        },
    )


def _user_of_authority(request, pk):
    return get_object_or_404(selectors.users_of_authority(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_create(request):
    def save(data):
        password = data.pop("password1")
        data.pop("password2")
        user = services.user_create(actor=request.user, password=password, **data)
        return _next(request, "user_create", reverse("user_edit", args=[user.pk]))

    return form_page(
        request,
        UserCreateForm(
            request.POST or None,
            authority=request.user.authority,
            initial={"is_active": True},
        ),
        save,
        success=_("The user was created."),
        template="clusters/user_form.html",
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_edit(request, pk):
    account = _user_of_authority(request, pk)

    def save(data):
        services.user_update(user=account, actor=request.user, **data)
        return _next(request, "user_create", reverse("user_list"))

    return form_page(
        request,
        UserForm(
            request.POST or None, instance=account, authority=request.user.authority
        ),
        save,
        success=_("The user was saved."),
        template="clusters/user_form.html",
        context={"account": account},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_password(request, pk):
    account = _user_of_authority(request, pk)

    def save(data):
        services.user_set_password(
            user=account, actor=request.user, password=data["password1"]
        )
        return reverse("user_list")

    return form_page(
        request,
        PasswordResetForm(request.POST or None, user=account),
        save,
        success=_("The password was changed."),
        template="clusters/user_password.html",
        context={"account": account},
    )


# Rotation, rollover and handover ------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_manage)
def rotation_settings(request, pk):
    cluster = _found(selectors.cluster_with_authority, request.user, pk)
    rotation = selectors.rotation_settings(cluster)
    slots, in_order, addable = rotation.slots, rotation.in_order, rotation.addable
    policy_form = RotationPolicyForm(
        initial={"policy": cluster.rotation_policy}, cluster=cluster
    )
    add_form = RotationUnitForm(queryset=addable)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "policy":
                policy_form = RotationPolicyForm(request.POST, cluster=cluster)
                if policy_form.is_valid():
                    services.cluster_set_rotation_policy(
                        cluster=cluster,
                        policy=policy_form.cleaned_data["policy"],
                        reason=policy_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                    messages.success(request, _("The rotation policy was changed."))
                    return redirect("rotation_settings", pk=cluster.pk)
            elif action in ("add", "remove", "move"):
                form_class = RotationMoveForm if action == "move" else RotationUnitForm
                form = form_class(
                    request.POST, queryset=addable if action == "add" else in_order
                )
                if form.is_valid():
                    unit = form.cleaned_data["unit"]
                    if action == "add":
                        services.rotation_add(
                            cluster=cluster, unit=unit, actor=request.user
                        )
                    elif action == "remove":
                        services.rotation_remove(
                            cluster=cluster, unit=unit, actor=request.user
                        )
                    else:
                        services.rotation_move(
                            cluster=cluster,
                            unit=unit,
                            offset=form.cleaned_data["offset"],
                            actor=request.user,
                        )
                    messages.success(request, _("The rotation order was saved."))
                    return redirect("rotation_settings", pk=cluster.pk)
                messages.error(request, _("Choose a unit from the list."))
                add_form = form if action == "add" else add_form
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if action == "policy":
                apply_domain_error(policy_form, error)
            else:
                messages.error(request, error.message)
    return render(
        request,
        "clusters/rotation_settings.html",
        {
            "cluster": cluster,
            "slots": slots,
            "policy_form": policy_form,
            "add_form": add_form,
        },
        status=200,
    )


@require_GET
@require(reaches_authority)
def rotation_preview(request, pk):
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)
    try:
        years = min(max(int(request.GET.get("years", 8)), 1), 30)
    except ValueError:
        years = 8
    latest, proposals, missing = selectors.rotation_preview(cluster, years=years)
    return render(
        request,
        "clusters/rotation_preview.html",
        {
            "cluster": cluster,
            "latest": latest,
            "proposals": proposals,
            "missing": missing,
            "years": years,
            "can_manage": can_manage(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_rollover(request, pk):
    term = _found(selectors.term_detail, request.user, pk)
    next_term = selectors.next_term(term)
    if next_term is not None:
        messages.info(
            request,
            _("The year %(year)s of this cluster is already open.")
            % {"year": next_term.year},
        )
        return redirect("term_detail", pk=next_term.pk)
    proposal = selectors.rollover_proposal(term)
    initial = {
        "units": proposal.units,
        "chair": proposal.chair,
        "deputy": proposal.deputy,
    }

    def save(data):
        new_term = services.term_open_next_year(term=term, actor=request.user, **data)
        return reverse("term_detail", args=[new_term.pk])

    return form_page(
        request,
        RolloverForm(request.POST or None, term=term, initial=initial),
        save,
        success=_("The year %(year)s was opened.") % {"year": proposal.year},
        template="clusters/term_rollover.html",
        context={"term": term, "proposal": proposal},
    )


@require_http_methods(["GET", "POST"])
@require(reaches_authority)
def term_handover(request, pk):
    term = _found(selectors.term_detail, request.user, pk)
    if not can_record_handover(request.user, term):
        raise PermissionDenied
    done = selectors.handover_of(term, "handover_out")
    checklist = [
        item
        if not item.url or links.can_open(request.user, item.url_name)
        else dataclasses.replace(item, url="")
        for item in selectors.handover_checklist(term)
    ]
    next_term = selectors.next_term(term)

    def save(data):
        if done is not None:
            raise DomainError(_("The handover of this term is already recorded."))
        services.handover_record(
            from_term=term, to_term=next_term or term, actor=request.user, **data
        )
        return reverse("cluster_detail", args=[term.cluster_id])

    return form_page(
        request,
        HandoverForm(
            request.POST or None,
            can_override=can_manage(request.user),
            initial={"date": timezone.localdate()},
        ),
        save,
        success=_("The handover was recorded."),
        template="clusters/term_handover.html",
        context={
            "term": term,
            "next_term": next_term,
            "checklist": checklist,
            "blocked": any(item.blocks for item in checklist),
            "done": done,
        },
    )
