"""Language choice, session lifetime and refusal logging."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect

from .models import SecurityEvent
from .security import log_event

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


class RefusalLogMiddleware:
    """Record every 403 response (permission, CSRF or lockout) as a security event."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 429):
            user = request.user if request.user.is_authenticated else None
            log_event(
                SecurityEvent.Kind.REFUSED,
                request,
                user=user,
                username=user.username if user else "",
            )
        return response


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
