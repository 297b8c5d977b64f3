"""Orphan stored files: files in the storage of `StoredFile` rows that no row
references. A file is written before its row commits, so a killed worker or a
transaction rolled back after the service returned leaves one behind
(`pledges.uploads.removes_files_on_failure` already removes those of a failing
service). Only files older than a grace period are orphans, so that a file
whose row is about to commit is never taken. The storage holds nothing but
stored files (they are written only through `pledges.uploads.store_checked`)."""

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from .models import StoredFile

logger = logging.getLogger(__name__)

DEFAULT_GRACE = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class Orphan:
    storage: object
    name: str
    modified: datetime.datetime


def stored_file_models():
    """Every concrete model that keeps a stored file."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, StoredFile) and not model._meta.abstract
    ]


def _storages():
    """{storage: set of names its rows reference}, one entry per storage."""
    found = {}
    for model in stored_file_models():
        storage = model._meta.get_field("file").storage
        names = found.setdefault(id(storage), (storage, set()))[1]
        names.update(model.objects.values_list("file", flat=True))
    return list(found.values())


def _walk(storage, directory=""):
    directories, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        yield from _walk(storage, f"{directory}/{sub}" if directory else sub)


def orphan_files(*, grace=DEFAULT_GRACE, now=None):
    """The files no row references, last changed more than `grace` ago."""
    cutoff = (now or timezone.now()) - grace
    orphans = []
    for storage, referenced in _storages():
        for name in _walk(storage):
            if name in referenced:
                continue
            modified = storage.get_modified_time(name)
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified)
            if modified < cutoff:
                orphans.append(Orphan(storage, name, modified))
    return sorted(orphans, key=lambda orphan: orphan.name)


def sweep_orphan_files(*, grace=DEFAULT_GRACE, dry_run=False, now=None):
    """Delete the orphan files (see `orphan_files`) unless `dry_run`; returns
    them. A file referenced again in the meantime is kept."""
    orphans = orphan_files(grace=grace, now=now)
    if dry_run:
        return orphans
    referenced = {id(storage): names for storage, names in _storages()}
    removed = []
    for orphan in orphans:
        if orphan.name in referenced.get(id(orphan.storage), set()):
            continue
        orphan.storage.delete(orphan.name)
        logger.info("Removed orphan file %s", orphan.name)
        removed.append(orphan)
    return removed
