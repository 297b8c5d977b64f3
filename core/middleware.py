"""Language choice, session lifetime, htmx requests of an ended session, server
timing and input hygiene."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, resolve_url
from django.utils.cache import patch_vary_headers

from .hygiene import CONTROL_CHARACTERS, strip_control
from .views import is_read_only

SESSION_STARTED_KEY = "session_started_at"
SESSION_RENEWED_KEY = "session_renewed_at"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the switch (its
    cookie); the browser's Accept-Language is not consulted."""

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's session middleware, except that after a GET or HEAD request
    or a read-only view (`core.views.read_only`, resolved for the request) an
    unchanged session is saved only when its idle timeout was last renewed
    more than a quarter of `SESSION_COOKIE_AGE` ago: reading pages writes no
    session row each time, a preview on every keystroke does not write it
    while a save of the same page holds the database's write lock, and an
    officer who types for half an hour without saving stays signed in."""

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        match = getattr(request, "resolver_match", None)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return super().process_response(request, response)
        now = time.time()
        if (
            (
                request.method in ("GET", "HEAD")
                or (match is not None and is_read_only(match.func))
            )
            and not session.modified
            and now - session.get(SESSION_RENEWED_KEY, 0)
            < settings.SESSION_COOKIE_AGE / 4
        ):
            patch_vary_headers(response, ("Cookie",))
            return response
        session[SESSION_RENEWED_KEY] = now
        return super().process_response(request, response)


class SessionLifetimeMiddleware:
    """Log out a session older than SESSION_ABSOLUTE_SECONDS, however active it is.
    (The idle timeout is SESSION_COOKIE_AGE, renewed by `SessionMiddleware`.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class HtmxSessionEndedMiddleware:
    """An htmx request whose session has ended (idle or absolute timeout,
    `SessionLifetimeMiddleware`, `LoginRequiredMiddleware`) is answered 401,
    not redirected to the login page: htmx would follow the redirect and swap
    the login page's missing part over the form being saved, and the values
    typed in it vanished. The page's script (static/js/request_errors.js) says
    that nothing was saved, keeps what was typed and offers to sign in again.
    Sits outside the middleware that redirects to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            return HttpResponse(status=401)
        return response


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>`: the time the application spent on the
    request (middleware, view, template), as browsers' developer tools and the
    benchmark (`manage.py bench`) read it. Outermost, so it counts everything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response


def without_control_characters(query: QueryDict) -> QueryDict:
    """`query` (a QueryDict) itself when no key or value holds a control
    character (`core.hygiene.strip_control`), else an immutable copy with
    them removed."""
    if not any(
        CONTROL_CHARACTERS.search(key)
        or any(CONTROL_CHARACTERS.search(value) for value in values)
        for key, values in query.lists()
    ):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        for value in values:
            cleaned.appendlist(strip_control(key), strip_control(value))
    cleaned._mutable = False
    return cleaned


class InputHygieneMiddleware:
    """Control characters never reach a view: every GET and POST value is
    cleaned before the view runs, whether a form or the view reads it. Uploaded
    files are left as they are. (POST is read after the CSRF check has parsed
    it, so that nothing is parsed earlier than it would be.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        request.GET = without_control_characters(request.GET)  # type: ignore[assignment]
        if request.method == "POST":
            request.POST = without_control_characters(request.POST)  # type: ignore[assignment]
