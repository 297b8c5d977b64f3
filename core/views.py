"""View helpers every app uses: a permission decorator, the form page and the
POST buttons (transitions, uploads, removals)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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


def found_or_404(select, *args, **kwargs):
    """`select(*args, **kwargs)` — a selector that raises the model's
    DoesNotExist — with a missing (or out of reach) row as HTTP 404."""
    try:
        return select(*args, **kwargs)
    except ObjectDoesNotExist as error:
        raise Http404 from error


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


def post_action(request, call, *, success, next_url):
    """The end of every POST-button view (a transition, a removal, an upload):
    call the service (`call()`), show `success` — or `success(result)` when it
    is callable — or the refusal's message, and redirect to `next_url`. POST,
    redirect, GET: the button works without JavaScript."""
    try:
        result = call()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(next_url)


def post_transition(request, form, move, *, success, next_url, invalid=None):
    """A state-transition button: with the bound `form` valid, `move(cleaned
    data)` calls the transition service (see `post_action`); an invalid form
    says `invalid` ("Choose a valid next state." by default)."""
    if not form.is_valid():
        messages.error(request, invalid or _("Choose a valid next state."))
        return redirect(next_url)
    return post_action(
        request,
        lambda: move(form.cleaned_data),
        success=success,
        next_url=next_url,
    )


def post_upload(request, form, add, *, next_url, success=None):
    """A file-upload button: with the bound upload `form` valid, `add(cleaned
    data)` stores the file through a service (see `post_action`)."""
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(next_url)
    return post_action(
        request,
        lambda: add(form.cleaned_data),
        success=success or _("The file was attached."),
        next_url=next_url,
    )


def post_removal(request, attachment, remove, *, next_url):
    """A file-removal button: `remove(attachment)` calls the service that
    removes it (see `post_action`) and the message names the file."""
    return post_action(
        request,
        lambda: remove(attachment),
        success=_("“%(name)s” was removed.") % {"name": attachment.original_name},
        next_url=next_url,
    )
