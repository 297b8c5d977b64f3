"""One-time form tokens: a double click or a resubmitted form acts once.

Every state-changing form of our templates carries a hidden one-time token
(`{% form_token %}`, a built-in tag; `templates/includes/form.html` has it). The
middleware claims a POST's token for the user before the view runs, in its own
short transaction, so that of two POSTs with one token — a double click sent to
two workers at once included — only the first reaches the view. When the view
answers with a redirect (or an htmx redirect), its target is kept; a repeat
waits for the first to finish and is sent to the same target, acting nothing.
When the view answers otherwise (a form with errors, a refusal), the claim is
dropped, so that the same form can be sent again. POSTs without a token (no
template, tests that post directly) are processed as before."""

import re
import secrets
import time
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from core.views import is_read_only

from .models import FormSubmission

FIELD = "form_token"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# How long a repeat waits for the first POST with its token to finish.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
# A claim this old without a result belongs to a request that died.
STALE = timedelta(minutes=2)
# Claims are kept this long, then purged.
KEEP = timedelta(days=1)


def new_token():
    """A fresh one-time token for a rendered form."""
    return secrets.token_urlsafe(24)


def posted_token(request):
    """The well-formed token of a POST, or None."""
    if request.method != "POST":
        return None
    token = request.POST.get(FIELD, "")
    return token if TOKEN.fullmatch(token) else None


def _user_key(request):
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else ""


def _result_location(response):
    """Where a response sends the browser after a successful POST, or ""."""
    if response.get("HX-Redirect"):
        return response["HX-Redirect"]
    if 300 <= response.status_code < 400 and response.get("Location"):
        return response["Location"]
    return ""


def _replay(request, location):
    messages.info(
        request, _("This form had already been sent; here is the result of it.")
    )
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = location
        return response
    return HttpResponseRedirect(location)


def _still_running():
    return HttpResponse(
        _(
            "This form is still being processed. Wait a moment, then reload the "
            "page to see the result."
        ),
        status=409,
        content_type="text/plain; charset=utf-8",
    )


def claim(request, token):
    """The claim of `token` for this user and path (a `FormSubmission`), or the
    response to a repeat: the first POST's redirect once it has one, 409 when
    it is still running after `WAIT_SECONDS`, or None when the token was used
    on another form (then the POST is processed without a claim)."""
    user_key, deadline = _user_key(request), time.monotonic() + WAIT_SECONDS
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():
                row = FormSubmission.objects.create(
                    token=token, user_key=user_key, path=request.path[:500]
                )
            FormSubmission.objects.filter(created_at__lt=now - KEEP).delete()
            return row
        except IntegrityError:
            pass
        first = FormSubmission.objects.filter(token=token, user_key=user_key).first()
        if first is None:
            continue  # the first POST failed and dropped its claim just now
        if first.path != request.path[:500]:
            return None
        if first.location:
            return _replay(request, first.location)
        if first.created_at < now - STALE:
            FormSubmission.objects.filter(pk=first.pk, location="").delete()
            continue
        if time.monotonic() > deadline:
            return _still_running()
        time.sleep(POLL_SECONDS)


def _read_only(request):
    """Whether the POST goes to a view that writes nothing (an htmx preview,
    `core.views.read_only`): it claims no token, so it writes nothing either."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return is_read_only(match.func)


class OneTimeFormTokenMiddleware:
    """Apply a POST at most once per form token (see the module docstring).
    Placed after the authentication middleware: claims are per user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = posted_token(request)
        if token is None or _read_only(request):
            return self.get_response(request)
        held = claim(request, token)
        if held is None:
            return self.get_response(request)
        if not isinstance(held, FormSubmission):
            return held
        try:
            response = self.get_response(request)
        except BaseException:
            held.delete()
            raise
        location = _result_location(response)
        if location:
            FormSubmission.objects.filter(pk=held.pk).update(location=location[:2000])
        else:
            held.delete()
        return response
