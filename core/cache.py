"""Derived reads (standings, dashboard rows) cached by the version of their data.

`derived(key, compute, version=…)` stores `compute()` under a key holding the
version of the data it was computed from, read from the database by the caller
(`core.versions`: raised in the same transaction as every write of that data).
A reader therefore never sees a value computed before the last committed write
of its own data, even when a cache write was lost, and a write elsewhere (another
term, another authority) leaves the value alone. Inside an atomic block the cache
is bypassed, so a service always reads its own uncommitted writes.

One computation per change (single flight): the first reader that misses takes
a short lock (`cache.add`) and computes; the others meanwhile serve the last
value computed for an older version of the same key if there is one
(stale-while-recompute: a versionless key names the last version computed),
or poll for the new value for up to `WAIT_SECONDS` and then compute themselves.

The cache is shared by every app server (production: Redis or the database
cache table; the test settings use a dummy cache). A cache that fails or is
empty only costs a computation, never an error. A value is stored as the bytes
of its pickle, so that an entry of any other shape (one written by an earlier
release, say) counts as missing."""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

log = logging.getLogger(__name__)

TIMEOUT = 24 * 3600
LOCK_SECONDS = 30
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
_MISSING = object()


def _cached(key: str) -> Any:
    """The cached value under `key`, or _MISSING (also when the cache fails)."""
    try:
        return cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - a failing cache degrades to computing
        log.warning("cache get failed", exc_info=True)
        return _MISSING


def _thaw(blob: object) -> Any:
    """The value pickled in `blob` by `_compute_and_store`, or _MISSING."""
    if type(blob) is not bytes:
        return _MISSING
    return pickle.loads(blob)  # noqa: S301 - bytes this module pickled


def _set(key: str, value: object) -> None:
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:  # noqa: BLE001
        log.warning("cache set failed", exc_info=True)


def _lock(key: str) -> bool:
    """True when this reader may compute: it holds the lock, or the cache
    cannot tell."""
    try:
        return cache.add(key, 1, LOCK_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("cache add failed", exc_info=True)
        return True


def _unlock(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001
        log.warning("cache delete failed", exc_info=True)


def derived[T](key: str, compute: Callable[[], T], *, version: object) -> T:
    """`compute()`, cached under `key` for `version` of its data and the active
    language (computed values may hold translated labels). `version` is any
    picklable value that changes whenever the data changes (an integer, or a
    tuple of them), or a function returning it (not called inside an atomic
    block, where nothing is cached). Computed at most once per version by all
    readers together as long as the cache works; see the module docstring."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    if callable(version):
        version = version()
    base = f"derived:{get_language()}:{key}"
    full_key = f"{base}:v{version}"
    value = _thaw(_cached(full_key))
    if value is not _MISSING:
        return value
    lock_key = f"{full_key}:computing"
    if not _lock(lock_key):
        last = _cached(f"{base}:last")
        if last is not _MISSING and last != version:
            stale = _thaw(_cached(f"{base}:v{last}"))
            if stale is not _MISSING:
                return stale
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            value = _thaw(_cached(full_key))
            if value is not _MISSING:
                return value
        return _compute_and_store(base, full_key, version, compute)
    try:
        return _compute_and_store(base, full_key, version, compute)
    finally:
        _unlock(lock_key)


def _compute_and_store[T](
    base: str, full_key: str, version: object, compute: Callable[[], T]
) -> T:
    value = compute()
    blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    _set(full_key, blob)
    _set(f"{base}:last", version)
    return value
