"""Stored files and their rows stay together: a rollback after the file was
written leaves no file, a full storage is told plainly with nothing saved, and
the sweep removes files no row references while keeping the others."""

import datetime
import errno
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from clusters.models import Term, TermState
from clusters.stored_files import _walk, sweep_orphan_files
from core.errors import DomainError
from pledges import services
from pledges.models import Evidence
from pledges.services import reports as report_services
from tests.pledges.conftest import set_all_targets

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
FULL = "Máy chủ hết dung lượng lưu trữ, tệp chưa được lưu. Vui lòng báo quản trị viên."


@pytest.fixture
def reporting(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    return pledge


def _storage():
    return Evidence._meta.get_field("file").storage


def _files():
    return set(_walk(_storage()))


def _add(world, pledge, name="ke-hoach.pdf"):
    report = services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )
    return services.evidence_add(
        report=report,
        criterion=pledge.criteria.get(code="II.1"),
        upload=SimpleUploadedFile(name, PDF),
        actor=world.users["officer"],
    )


def test_a_rollback_after_the_file_was_written_leaves_no_file(
    world, reporting, monkeypatch
):
    before = _files()

    def broken_bump(*args, **kwargs):
        raise DomainError("the database went away after the file was written")

    monkeypatch.setattr(report_services, "_bump", broken_bump)
    with pytest.raises(DomainError):
        _add(world, reporting)
    assert not Evidence.objects.exists()
    assert _files() == before


def test_a_stored_file_is_kept_when_the_service_succeeds(world, reporting):
    before = _files()
    evidence = _add(world, reporting)
    assert _files() - before == {evidence.file.name}


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_storage_gives_a_plain_message_and_no_row(world, reporting, monkeypatch):
    before = _files()
    monkeypatch.setattr(InMemoryStorage, "_save", _full_disk)
    with translation.override("vi"), pytest.raises(DomainError) as refused:
        _add(world, reporting)
    assert refused.value.message == FULL
    assert not Evidence.objects.exists()
    assert _files() == before


def test_a_full_storage_on_the_upload_page_is_no_server_error(
    world, login, reporting, monkeypatch
):
    monkeypatch.setattr(InMemoryStorage, "_save", _full_disk)
    client = login(world.users["officer"])
    response = client.post(
        reverse("evidence_upload", args=[world.term.pk, world.unit_a.pk]),
        {
            "criterion": reporting.criteria.get(code="II.1").pk,
            "file": SimpleUploadedFile("ke-hoach.pdf", PDF),
        },
    )
    assert response.status_code == 200
    assert FULL in response.content.decode()
    assert not Evidence.objects.exists()


def test_other_storage_errors_are_not_hidden(world, reporting, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(InMemoryStorage, "_save", denied)
    with pytest.raises(PermissionError):
        _add(world, reporting)
    assert not Evidence.objects.exists()


# The sweep ---------------------------------------------------------------------

LATER = datetime.timedelta(days=2)


def test_the_sweep_removes_an_orphan_and_keeps_referenced_files(world, reporting):
    kept = _add(world, reporting).file.name
    orphan = _storage().save("evidence/0/orphan", ContentFile(PDF))
    removed = sweep_orphan_files(now=timezone.now() + LATER)
    assert orphan in {o.name for o in removed}
    assert kept not in {o.name for o in removed}
    assert orphan not in _files()
    assert kept in _files()
    assert _storage().open(kept).read() == PDF


def test_the_sweep_keeps_files_younger_than_the_grace_period(world, reporting):
    young = _storage().save("evidence/0/young", ContentFile(PDF))
    assert young not in {o.name for o in sweep_orphan_files()}
    assert young in _files()
    _storage().delete(young)


def test_the_sweep_command_dry_run_lists_and_removes_nothing(world, reporting):
    orphan = _storage().save("evidence/0/dry", ContentFile(PDF))
    old = timezone.now() - LATER
    _storage()._wrapped._resolve(orphan).modified_time = old
    out = io.StringIO()
    call_command("sweep_orphan_files", "--dry-run", stdout=out)
    assert f"Would remove {orphan}" in out.getvalue()
    assert orphan in _files()
    call_command("sweep_orphan_files", stdout=io.StringIO())
    assert orphan not in _files()
