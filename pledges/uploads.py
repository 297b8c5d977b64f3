"""Private uploaded files (evidence, attachments): checks of type by content as
well as by name, size, and archives that would unpack to far more than they
claim (zip bombs); storing a checked file; serving it to permitted users.

A file is written to storage before its row commits. A service that stores one
is decorated with `removes_files_on_failure`, which deletes the files it wrote
when it fails (its transaction, or savepoint, is then rolled back). Files left
by a crash, or by a rollback further out, are removed by the
`sweep_orphan_files` command (clusters.stored_files). A full disk is told to the
officer plainly, never as a server error."""

import contextvars
import errno
import functools
import logging
import zipfile
from io import BytesIO

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from core.errors import DomainError

logger = logging.getLogger(__name__)

# errno values of a storage that has no room left (disk full, quota exceeded).
STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT}
# The files written by the innermost running `removes_files_on_failure` service.
_written = contextvars.ContextVar("stored_files_written", default=None)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
# extension → (content type, leading bytes, the part an Office file must have)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-", None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        "word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        "xl/workbook.xml",
    ),
}


def check_evidence(upload):
    """The content type of an acceptable evidence file; raises DomainError for a
    file that is too large, of another type, or whose content does not match
    its name (a renamed executable, a zip bomb)."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise DomainError(
            _("Upload a PDF, Word (.docx), Excel (.xlsx), JPG or PNG file."),
            field="file",
        )
    if upload.size > MAX_EVIDENCE_BYTES:
        raise DomainError(
            _("The file is larger than %(size)s MB.")
            % {"size": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            field="file",
        )
    content_type, magic, required_part = ALLOWED[extension]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(magic):
        raise DomainError(
            _("The content of “%(name)s” is not a .%(ext)s file.")
            % {"name": name, "ext": extension},
            field="file",
        )
    if required_part is not None:
        _check_office(data, required_part, name)
    return content_type


def _check_office(data, required_part, name):
    refused = DomainError(
        _("“%(name)s” is damaged or not a real Office document.") % {"name": name},
        field="file",
    )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception as error:  # zipfile raises many kinds of error when damaged
        raise refused from error
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or required_part not in names:
        raise refused
    unpacked = sum(e.file_size for e in entries)
    packed = max(sum(e.compress_size for e in entries), 1)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * packed + 1024 * 1024:
        raise DomainError(
            _("“%(name)s” unpacks to far more data than it holds; it was refused.")
            % {"name": name},
            field="file",
        )


def store_checked(stored, upload, actor):
    """Fill `stored` (an unsaved `clusters.models.StoredFile`) from `upload`
    after `check_evidence` and save the file under a generated name; the row
    itself is left for the caller to save (audited). Raises DomainError for a
    refused file, storing nothing, and for a storage that is full. Call it from
    a service decorated with `removes_files_on_failure`."""
    stored.content_type = check_evidence(upload)
    stored.original_name = (upload.name or "file")[:200]
    stored.size = upload.size
    stored.uploaded_by = actor
    try:
        stored.file.save("upload", upload, save=False)
    except OSError as error:
        if error.errno not in STORAGE_FULL:
            raise
        logger.error("Storage full: %s was not stored", stored.original_name)
        raise DomainError(
            _(
                "The server is out of storage space; the file was not saved. "
                "Please tell the administrator."
            ),
            field="file",
        ) from error
    written = _written.get()
    if written is not None:
        written.append((stored.file.storage, stored.file.name))
    return stored


def removes_files_on_failure(service):
    """Decorate a service that stores files with `store_checked` (outside its
    `transaction.atomic`): when the service raises, its rows are rolled back
    and the files it wrote are deleted from storage too. Files of a service
    that succeeded belong to the caller's transaction; should that one roll
    back, `sweep_orphan_files` removes them later."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        written = []
        token = _written.set(written)
        try:
            result = service(*args, **kwargs)
        except BaseException:
            for storage, name in written:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("Could not delete %s after a failure", name)
            raise
        finally:
            _written.reset(token)
        outer = _written.get()
        if outer is not None:
            outer.extend(written)
        return result

    return wrapper


def private_file_response(stored):
    """The file of `stored` as a download under its original name, never
    cached; 404 when the storage has lost it. The caller checks permission."""
    try:
        handle = stored.file.storage.open(stored.file.name, "rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
