"""The download and upload pages shared by the workbooks (targets, results,
dashboard)."""

from django.contrib import messages
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


def workbook_import_page(
    request, *, form, refusal, read, apply, updated, next_url, template, context
):
    """A POST checks the uploaded file with `read(data)` and shows every problem
    by row and column, or the changes, writing nothing (`mode=preview`); with
    `mode=apply` it calls `apply(rows)` only when the file has no problem, then
    says `updated(count)` and goes to `next_url`. A `refusal` message refuses
    every POST."""
    result = None
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
    elif request.method == "POST" and form.is_valid():
        result = read(form.cleaned_data["file"].read())
        for error in result.errors:
            if error.row is None:
                form.add_error("file", error.message)
        if not result.errors and request.POST.get("mode") == "apply":
            try:
                changed = apply(result.changed_rows)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, updated(changed))
                return redirect(next_url)
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "result": result,
            "cell_errors": [e for e in result.errors if e.row is not None]
            if result
            else [],
        },
    )
