"""HTTP only: check the role, bind the form, call the service, redirect or re-render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import (
    ClusterForm,
    MembershipAddForm,
    PasswordResetForm,
    TermCreateForm,
    TermForm,
    TermTransitionForm,
    UnitDeactivateForm,
    UnitForm,
    UserCreateForm,
    UserForm,
)
from .models import (
    Cluster,
    ClusterKind,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
    UnitKind,
)
from .permissions import (
    can_manage,
    is_chair_officer,
    is_unit_officer,
    sees_whole_authority,
)
from .services import TERM_TRANSITIONS, DomainError


def require(predicate):
    """Refuse with 403 unless `predicate(request.user)` holds."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def reaches_authority(user):
    return sees_whole_authority(user) or is_unit_officer(user)


def _search_text(request):
    """The `q` filter of a list page, trimmed and safe for every database."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:100]


def _found(queryset_call, *args):
    try:
        return queryset_call(*args)
    except (Cluster.DoesNotExist, Unit.DoesNotExist, Term.DoesNotExist) as error:
        raise Http404 from error


def _apply_domain_error(form, error):
    """Show a DomainError next to its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# Public -------------------------------------------------------------------


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# Home ---------------------------------------------------------------------


@require_GET
def home(request):
    user = request.user
    context = {"today": timezone.localdate()}
    if sees_whole_authority(user):
        context["cluster_rows"] = selectors.cluster_rows(user)
        if can_manage(user):
            context["counts"] = selectors.authority_counts(user)
    elif is_unit_officer(user):
        context["my_memberships"] = selectors.officer_memberships(user)
    return render(request, "clusters/home.html", context)


# Clusters -----------------------------------------------------------------


@require_GET
@require(reaches_authority)
def cluster_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in ClusterKind else None
    query = _search_text(request)
    rows = selectors.cluster_rows(request.user, kind=kind, query=query)
    return render(
        request,
        "clusters/cluster_list.html",
        {"clusters": rows, "kinds": ClusterKind.choices, "kind": kind, "q": query},
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
    form = ClusterForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            cluster = services.cluster_create(
                actor=request.user, authority=authority, **form.cleaned_data
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The cluster was created."))
            return redirect("cluster_detail", pk=cluster.pk)
    return render(request, "clusters/cluster_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require(can_manage)
def cluster_edit(request, pk):
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)
    form = ClusterForm(
        request.POST or None, instance=cluster, authority=request.user.authority
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_update(
                cluster=cluster, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The cluster was saved."))
            return redirect("cluster_detail", pk=cluster.pk)
    return render(
        request, "clusters/cluster_form.html", {"form": form, "cluster": cluster}
    )


# Units --------------------------------------------------------------------


@require_GET
@require(reaches_authority)
def unit_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in UnitKind else None
    status = request.GET.get("status")
    active = {"active": True, "inactive": False}.get(status)
    query = _search_text(request)
    units = selectors.unit_rows(
        request.user, kind=kind, active=active, query=query, on=timezone.localdate()
    )
    return render(
        request,
        "clusters/unit_list.html",
        {
            "units": units,
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
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_create(request):
    authority = request.user.authority
    form = UnitForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=request.user, authority=authority, **form.cleaned_data
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The unit was created."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "clusters/unit_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_edit(request, pk):
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    form = UnitForm(
        request.POST or None, instance=unit, authority=request.user.authority
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "clusters/unit_form.html", {"form": form, "unit": unit})


@require_http_methods(["GET", "POST"])
@require(can_manage)
def unit_deactivate(request, pk):
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    form = UnitDeactivateForm(
        request.POST or None,
        unit=unit,
        initial={"valid_to": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_deactivate(unit=unit, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The unit was deactivated."))
            return redirect("unit_detail", pk=unit.pk)
    return render(
        request, "clusters/unit_deactivate.html", {"form": form, "unit": unit}
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
    term = _found(selectors.term_detail, request.user, pk)
    next_states = [TermState(s) for s in TERM_TRANSITIONS[TermState(term.state)]]
    return render(
        request,
        "clusters/term_detail.html",
        {
            "term": term,
            "memberships": list(term.memberships.all()),
            "handover_in": selectors.handover_of(term, "handover_in"),
            "handover_out": selectors.handover_of(term, "handover_out"),
            "can_manage": can_manage(request.user),
            "is_chair_officer": is_chair_officer(request.user, term),
            "next_states": next_states,
            "transition_form": TermTransitionForm(),
            "add_form": MembershipAddForm(term=term)
            if can_manage(request.user)
            else None,
            "is_closed": term.state == TermState.CLOSED,
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_create(request, cluster_pk):
    cluster = get_object_or_404(
        selectors.clusters_visible_to(request.user), pk=cluster_pk
    )
    latest = cluster.terms.order_by("-year").first()
    initial = {"year": (latest.year + 1) if latest else timezone.localdate().year}
    form = TermCreateForm(request.POST or None, cluster=cluster, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(
                cluster=cluster, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The term was opened."))
            return redirect("term_detail", pk=term.pk)
    return render(
        request, "clusters/term_create.html", {"form": form, "cluster": cluster}
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def term_edit(request, pk):
    term = _found(selectors.term_detail, request.user, pk)
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chair, deputy = data.pop("chair"), data.pop("deputy")
        try:
            services.term_update(term=term, actor=request.user, **data)
            services.term_set_officers(
                term=term, chair=chair, deputy=deputy, actor=request.user
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The term was saved."))
            return redirect("term_detail", pk=term.pk)
    return render(request, "clusters/term_form.html", {"form": form, "term": term})


@require_POST
@require(can_manage)
def term_transition(request, pk):
    term = get_object_or_404(selectors.terms_visible_to(request.user), pk=pk)
    form = TermTransitionForm(request.POST)
    if form.is_valid():
        try:
            services.term_transition(
                term=term,
                to_state=form.cleaned_data["to_state"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The term's state was changed."))
    else:
        messages.error(request, _("Choose a valid next state."))
    return redirect("term_detail", pk=term.pk)


@require_POST
@require(can_manage)
def membership_add(request, pk):
    term = get_object_or_404(
        selectors.terms_visible_to(request.user).select_related("cluster"), pk=pk
    )
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
    membership = get_object_or_404(
        Membership.objects.select_related("term", "unit").filter(
            term__in=selectors.terms_visible_to(request.user)
        ),
        pk=pk,
    )
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The member was removed."))
    return redirect("term_detail", pk=membership.term_id)


# Users --------------------------------------------------------------------


@require_GET
@require(can_manage)
def user_list(request):
    role = request.GET.get("role") if request.GET.get("role") in Role else None
    query = _search_text(request)
    users = selectors.users_of_authority(request.user, query=query, role=role)
    return render(
        request,
        "clusters/user_list.html",
        {"users": users, "roles": Role.choices, "role": role, "q": query},
    )


def _user_of_authority(request, pk):
    return get_object_or_404(selectors.users_of_authority(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_create(request):
    form = UserCreateForm(
        request.POST or None,
        authority=request.user.authority,
        initial={"is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password1")
        data.pop("password2")
        try:
            user = services.user_create(actor=request.user, password=password, **data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The user was created."))
            return redirect("user_edit", pk=user.pk)
    return render(request, "clusters/user_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_edit(request, pk):
    account = _user_of_authority(request, pk)
    form = UserForm(
        request.POST or None, instance=account, authority=request.user.authority
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=account, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("The user was saved."))
            return redirect("user_list")
    return render(
        request, "clusters/user_form.html", {"form": form, "account": account}
    )


@require_http_methods(["GET", "POST"])
@require(can_manage)
def user_password(request, pk):
    account = _user_of_authority(request, pk)
    form = PasswordResetForm(request.POST or None, user=account)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            user=account, actor=request.user, password=form.cleaned_data["password1"]
        )
        messages.success(request, _("The password was changed."))
        return redirect("user_list")
    return render(
        request, "clusters/user_password.html", {"form": form, "account": account}
    )
