"""HTTP only: the award catalogue and the base salary of the user's authority."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clusters.permissions import is_admin
from clusters.views import reaches_authority
from core.errors import DomainError
from core.views import apply_domain_error, form_page, found_or_404, require

from .. import services
from ..forms import AwardFormEditForm, BaseSalaryForm
from ..permissions import can_edit_catalogue
from ..selectors.eligibility import rule_text
from ..selectors.registry import award_form_of, award_forms, base_salaries_of

__all__ = ["award_form_edit", "award_form_list", "base_salaries"]


@require_GET
@require(reaches_authority)
def award_form_list(request):
    """The catalogue: every form with level, recipient, reward, ranking bonus,
    rules and legal source; the base salaries in force."""
    forms = list(award_forms(request.user.authority_id))
    names = {form.code: form.name for form in forms}
    for form in forms:
        form.rule_texts = [rule_text(rule, names) for rule in form.prerequisites]
    salaries = list(base_salaries_of(request.user.authority_id))
    return render(
        request,
        "awards/award_form_list.html",
        {
            "forms": forms,
            "salaries": salaries,
            "can_edit": can_edit_catalogue(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@require(is_admin)
def award_form_edit(request, pk):
    award_form = found_or_404(award_form_of, request.user.authority_id, pk)
    form = AwardFormEditForm(request.POST or None, instance=award_form)

    def save(data):
        reason = data.pop("reason", "")
        services.award_form_update(
            award_form=award_form, actor=request.user, reason=reason, **data
        )
        return reverse("award_form_list")

    if request.method == "POST" and not form.is_valid():
        # ModelForm validation applies the data to the instance; reload it.
        award_form.refresh_from_db()
    return form_page(
        request,
        form,
        save,
        success=_("The award form was saved."),
        template="awards/award_form_edit.html",
        context={"award_form": award_form},
    )


@require_http_methods(["GET", "POST"])
@require(is_admin)
def base_salaries(request):
    """Add a base salary in force from a date; the list is on the catalogue."""
    form = BaseSalaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.base_salary_add(
                authority=request.user.authority,
                actor=request.user,
                **form.cleaned_data,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The base salary was recorded."))
            return redirect("award_form_list")
    salaries = base_salaries_of(request.user.authority_id)
    return render(
        request,
        "awards/base_salary_form.html",
        {"form": form, "salaries": salaries},
    )
