"""Friendly error pages rendered with the site layout (500 without context).

While the database is away (stopped, restarting, unreachable) every request
that needs it fails; those failures get the standalone 500 page with status 503
and a "try again later" text — rendered without touching the database, since
the session, the user and the layout's context all live there. The same holds
for the session write that fails after a view has committed (Django turns it
into a SessionInterrupted, a bare English 400 otherwise)."""

from __future__ import annotations

import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

DATABASE_AWAY = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_away(exception: BaseException | None) -> bool:
    """True when `exception`, or one it was raised from or while handling, says
    the database cannot be reached (as opposed to a bug in a query)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, DATABASE_AWAY):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def service_unavailable() -> HttpResponse:
    """The standalone error page, status 503: no request context, no database."""
    body = loader.get_template("500.html").render({"unavailable": True})
    return HttpResponse(
        body,
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    if database_away(exception):
        return service_unavailable()
    return HttpResponse(loader.get_template("400.html").render(), status=400)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_away(sys.exc_info()[1]):
        return service_unavailable()
    return HttpResponseServerError(loader.get_template("500.html").render())
