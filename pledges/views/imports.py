"""The download and upload pages shared by the workbooks (targets, results,
dashboard)."""

import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from clusters.services import DomainError

from ..xlsx import XLSX_TYPE


def workbook_response(data, filename):
    """An .xlsx download of `data` named `filename`."""
    return HttpResponse(
        data,
        content_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=filename
            )
        },
    )


# How long a previewed workbook is kept for “Apply” without choosing it again.
STAGED_SECONDS = 60 * 60
STAGED_FIELD = "preview_token"


def _staged_key(request, token):
    # Bound to the user and the page: a token of the targets import cannot
    # apply a file to the results, nor another officer's upload.
    return f"workbook-preview:{request.user.pk}:{request.path}:{token}"


def stage_workbook(request, data, name):
    """Keep the uploaded `data` (named `name`) on the server for
    STAGED_SECONDS, in the shared cache every worker reads; returns the token
    the page carries in a hidden field."""
    token = secrets.token_urlsafe(24)
    cache.set(_staged_key(request, token), (name, data), STAGED_SECONDS)
    return token


def staged_workbook(request, token):
    """(name, data) of the workbook staged under `token` for this user and
    page, or None (unknown, someone else's or expired)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    return cache.get(_staged_key(request, token))


def workbook_import_page(
    request, *, form, refusal, read, apply, updated, next_url, template, context
):
    """A POST checks the uploaded file with `read(data)` and shows every problem
    by row and column, or the changes, writing nothing (`mode=preview`); with
    `mode=apply` it calls `apply(rows)` only when the file has no problem, then
    says `updated(count)` and goes to `next_url`. A `refusal` message refuses
    every POST.

    A preview without problems keeps the file on the server (`stage_workbook`)
    and the page carries its token, so “Apply” needs no second upload; a file
    chosen again replaces it."""
    result, token, staged = None, "", None
    if request.method == "POST":
        staged = staged_workbook(request, request.POST.get(STAGED_FIELD, ""))
        if staged is not None and not request.FILES.get("file"):
            form.fields["file"].required = False
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        name, data = (upload.name, upload.read()) if upload else staged
        result = read(data)
        for error in result.errors:
            if error.row is None:
                form.add_error("file", error.message)
        mode = request.POST.get("mode")
        if not result.errors and mode == "apply":
            try:
                changed = apply(result.changed_rows)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                cache.delete(_staged_key(request, request.POST.get(STAGED_FIELD)))
                messages.success(request, updated(changed))
                return redirect(next_url)
        if not result.errors:
            token = (
                request.POST.get(STAGED_FIELD)
                if upload is None
                else stage_workbook(request, data, name)
            )
            staged = (name, data)
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "result": result,
            "preview_token": token,
            "preview_name": staged[0] if token and staged else "",
            "cell_errors": [e for e in result.errors if e.row is not None]
            if result
            else [],
        },
    )
