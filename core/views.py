"""View helpers every app uses: a permission decorator and the form page."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from .errors import DomainError


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


def apply_domain_error(form, error):
    """Show a DomainError next to its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def form_page(request, form, save, *, success, template, context=None):
    """Render `template` with `form`; on a valid POST call `save(cleaned_data)`,
    which writes through a service and returns where to go next. A DomainError
    is shown beside its field and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect(target)
    return render(request, template, {"form": form, **(context or {})})
