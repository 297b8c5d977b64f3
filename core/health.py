"""Liveness of what requests need: the database (required) and the shared
cache (optional: without it pages are computed, core.cache).

`/healthz/` (clusters.views.healthz) answers 503 only when the database is
away, so that a load balancer takes that app server out of rotation; a cache
that is down is reported in the body of a 200 ("ok; degraded: cache"), since
every page still works, only slower."""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection

logger = logging.getLogger("core.health")

CACHE_KEY = "healthz:probe"


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    if isinstance(caches["default"], DummyCache):
        return True  # caching switched off (tests): nothing to reach
    value = secrets.token_hex(8)
    cache.set(CACHE_KEY, value, timeout=30)
    return cache.get(CACHE_KEY) == value


CHECKS = (("database", _database), ("cache", _cache))
REQUIRED = {"database"}


def failed_checks() -> list[str]:
    """Names of the checks that failed (empty when everything works). Never
    raises: a check that raises counts as failed and is logged."""
    failed = []
    for name, check in CHECKS:
        try:
            ok = check()
        except Exception:
            logger.warning("health check %s failed", name, exc_info=True)
            ok = False
        if not ok:
            failed.append(name)
    if failed and connection.connection is not None:
        # A broken connection must not be reused by the next request.
        connection.close_if_unusable_or_obsolete()
    return failed
