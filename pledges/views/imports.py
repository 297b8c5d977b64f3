"""The download and upload pages shared by the workbooks (targets, results,
dashboard)."""

import datetime
import hashlib
import re
import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.errors import DomainError

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
STAGED_DIR = "import-previews"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _staged_folder(request):
    # Bound to the user and the page: a token of the targets import cannot
    # apply a file to the results, nor another officer's upload.
    page = hashlib.sha256(request.path.encode()).hexdigest()[:16]
    return f"{STAGED_DIR}/{request.user.pk}/{page}"


def _expired(name):
    try:
        written = default_storage.get_modified_time(name)
    except (OSError, NotImplementedError):
        return True
    return timezone.now() - written > datetime.timedelta(seconds=STAGED_SECONDS)


def _purge(folder):
    """Delete the expired previews of `folder`."""
    try:
        _dirs, files = default_storage.listdir(folder)
    except (OSError, NotImplementedError):
        return
    for name in files:
        if _expired(f"{folder}/{name}"):
            default_storage.delete(f"{folder}/{name}")


def stage_workbook(request, data, name):
    """Keep the uploaded `data` (named `name`) in the private file storage
    every worker shares, for STAGED_SECONDS; returns the token the page
    carries in a hidden field. Expired previews of the page are purged."""
    folder = _staged_folder(request)
    _purge(folder)
    token = secrets.token_urlsafe(24)
    default_storage.save(f"{folder}/{token}.xlsx", ContentFile(data))
    default_storage.save(f"{folder}/{token}.name", ContentFile(name.encode()))
    return token


def staged_workbook(request, token):
    """(name, data) of the workbook staged under `token` for this user and
    page, or None (malformed, unknown, someone else's or expired)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    stem = f"{_staged_folder(request)}/{token}"
    if not default_storage.exists(f"{stem}.xlsx") or _expired(f"{stem}.xlsx"):
        return None
    with default_storage.open(f"{stem}.xlsx", "rb") as handle:
        data = handle.read()
    with default_storage.open(f"{stem}.name", "rb") as handle:
        name = handle.read().decode(errors="replace")
    return name, data


def discard_workbook(request, token):
    """Forget the preview `token` once applied."""
    if TOKEN.fullmatch(token or ""):
        stem = f"{_staged_folder(request)}/{token}"
        default_storage.delete(f"{stem}.xlsx")
        default_storage.delete(f"{stem}.name")


def workbook_import_page(
    request, *, form, refusal, read, apply, updated, next_url, template, context
):
    """A POST checks the uploaded file with `read(data)` and shows every problem
    by row and column, or the changes, writing nothing (`mode=preview`); with
    `mode=apply` it calls `apply(rows)` only when the file has no problem, then
    says `updated(count)` and goes to `next_url`. A `refusal` message refuses
    every POST.

    A preview without problems keeps the file in the private storage
    (`stage_workbook`)
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
                discard_workbook(request, request.POST.get(STAGED_FIELD))
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
