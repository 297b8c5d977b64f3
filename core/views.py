"""View helpers every app uses: a permission decorator, the form page and the
POST buttons (transitions, uploads, removals)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .errors import DomainError


def require(
    predicate: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse with 403 unless `predicate(request.user)` holds."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def read_only[V: Callable[..., HttpResponse]](view: V) -> V:
    """Mark `view` as one that writes nothing, such as an htmx preview: no
    one-time form token is claimed for it (`clusters.idempotency`) and the
    session is not saved after it (`core.middleware.SessionMiddleware`), so
    it runs no write and opens no transaction, and never waits for, nor
    slips into, a save's transaction. The view itself must only read."""
    view.read_only = True  # type: ignore[attr-defined]
    return view


def is_read_only(view: Callable[..., Any] | None) -> bool:
    """Whether `view` is marked with `read_only`."""
    return bool(getattr(view, "read_only", False))


def found_or_404[T](select: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`select(*args, **kwargs)` — a selector that raises the model's
    DoesNotExist — with a missing (or out of reach) row as HTTP 404."""
    try:
        return select(*args, **kwargs)
    except ObjectDoesNotExist as error:
        raise Http404 from error


PAGE_SIZE = 50


def paged(request: HttpRequest, items: Any) -> tuple[Page, str]:
    """The page of `items` (a queryset or a list; `PAGE_SIZE` a page) that
    `?page=` asks for (the first for a missing or wrong number, the last past
    the end), and the query string of the other GET parameters: what
    `includes/pagination.html` needs."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a DomainError next to its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], str],
    *,
    success: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
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


def post_action(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str,
) -> HttpResponse:
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


def post_transition(
    request: HttpRequest,
    form: forms.BaseForm,
    move: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str,
    invalid: str | None = None,
) -> HttpResponse:
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


def post_upload(
    request: HttpRequest,
    form: forms.BaseForm,
    add: Callable[[dict[str, Any]], Any],
    *,
    next_url: str,
    success: str | None = None,
) -> HttpResponse:
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


def post_removal(
    request: HttpRequest,
    attachment: Any,
    remove: Callable[[Any], Any],
    *,
    next_url: str,
) -> HttpResponse:
    """A file-removal button: `remove(attachment)` calls the service that
    removes it (see `post_action`) and the message names the file."""
    return post_action(
        request,
        lambda: remove(attachment),
        success=_("“%(name)s” was removed.") % {"name": attachment.original_name},
        next_url=next_url,
    )
