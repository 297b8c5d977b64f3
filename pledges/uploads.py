"""Private uploaded files (evidence, attachments): checks of type by content as
well as by name, size, and archives that would unpack to far more than they
claim (zip bombs); storing a checked file; serving it to permitted users."""

import zipfile
from io import BytesIO

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from clusters.services import DomainError

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
    refused file, storing nothing."""
    stored.content_type = check_evidence(upload)
    stored.original_name = (upload.name or "file")[:200]
    stored.size = upload.size
    stored.uploaded_by = actor
    stored.file.save("upload", upload, save=False)
    return stored


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
