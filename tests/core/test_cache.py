"""core.cache.derived: single flight, stale-while-recompute and a cache that
fails degrading to computing."""

import threading
import time

import pytest
from django.core.cache import cache, caches

from core import cache as derived_cache

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = LOCAL_CACHE
    cache.clear()
    yield
    cache.clear()


def _slow(value, calls, seconds=0.3):
    def compute():
        calls.append(value)
        time.sleep(seconds)
        return value

    return compute


def _read_together(readers):
    """Run `readers` (functions) at once; their results in order."""
    results = [None] * len(readers)

    def run(index):
        results[index] = readers[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(readers))]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # the first reader takes the lock
    for thread in threads:
        thread.join()
    return results


def test_readers_missing_together_compute_once_and_share_the_value():
    calls = []
    compute = _slow("v1", calls)
    results = _read_together(
        [lambda: derived_cache.derived("k", compute, version=1)] * 4
    )
    assert results == ["v1"] * 4
    assert calls == ["v1"]


def test_readers_serve_the_last_value_while_the_new_version_is_computed():
    derived_cache.derived("k", lambda: "old", version=1)
    calls = []
    compute = _slow("new", calls, seconds=0.5)
    began = time.monotonic()
    first, *others = _read_together(
        [lambda: derived_cache.derived("k", compute, version=2)] * 3
    )
    assert first == "new"
    assert others == ["old", "old"]
    assert calls == ["new"]
    assert time.monotonic() - began < 1.5  # nobody waited for a second computation
    assert derived_cache.derived("k", compute, version=2) == "new"
    assert calls == ["new"]


def test_a_reader_waits_for_a_lock_left_by_a_crashed_reader_then_computes(
    monkeypatch,
):
    monkeypatch.setattr(derived_cache, "WAIT_SECONDS", 0.2)
    cache.add(f"derived:{derived_cache.get_language()}:k:v1:computing", 1, 30)
    assert derived_cache.derived("k", lambda: "value", version=1) == "value"


def test_a_failing_cache_degrades_to_computing(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    backend = caches["default"]
    for name in ("get", "set", "add", "delete"):
        monkeypatch.setattr(backend, name, broken)
    calls = []
    assert derived_cache.derived("k", lambda: calls.append(1) or "v", version=1) == "v"
    assert calls == [1]


@pytest.mark.django_db
def test_nothing_is_cached_inside_a_transaction():
    from django.db import transaction

    with transaction.atomic():
        assert derived_cache.derived("k", lambda: "inside", version=1) == "inside"
    assert derived_cache.derived("k", lambda: "outside", version=1) == "outside"


class _Counted:
    """Counts how often it is pickled."""

    pickled = 0

    def __reduce__(self):
        type(self).pickled += 1
        return (_Counted, ())


def test_a_computed_value_is_pickled_once_for_both_keys():
    _Counted.pickled = 0
    value = derived_cache.derived("k", _Counted, version=1)
    assert isinstance(value, _Counted)
    assert _Counted.pickled == 1
    assert isinstance(derived_cache.derived("k", lambda: None, version=1), _Counted)


def test_an_entry_in_another_format_counts_as_missing():
    cache.set(f"derived:{derived_cache.get_language()}:k:v1", "not bytes")
    assert derived_cache.derived("k", lambda: "computed", version=1) == "computed"
