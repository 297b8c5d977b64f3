"""Language choice, session lifetime, server timing and input hygiene."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import QueryDict
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect

from .hygiene import CONTROL_CHARACTERS, strip_control

SESSION_STARTED_KEY = "session_started_at"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the switch (its
    cookie); the browser's Accept-Language is not consulted."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class SessionLifetimeMiddleware:
    """Log out a session older than SESSION_ABSOLUTE_SECONDS, however active it is.
    (The idle timeout is SESSION_COOKIE_AGE renewed on every request.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>`: the time the application spent on the
    request (middleware, view, template), as browsers' developer tools and the
    benchmark (`manage.py bench`) read it. Outermost, so it counts everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response


def without_control_characters(query):
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.GET = without_control_characters(request.GET)
        if request.method == "POST":
            request.POST = without_control_characters(request.POST)
