"""Liveness of what every request needs: the database and the shared cache.

`/healthz/` (clusters.views.healthz) answers 200 only when both work, so that a
load balancer or a monitor takes an app server whose database is away out of
rotation instead of sending users to it."""

import logging
import secrets

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection

logger = logging.getLogger("core.health")

CACHE_KEY = "healthz:probe"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    if isinstance(caches["default"], DummyCache):
        return True  # caching switched off (tests): nothing to reach
    value = secrets.token_hex(8)
    cache.set(CACHE_KEY, value, timeout=30)
    return cache.get(CACHE_KEY) == value


CHECKS = (("database", _database), ("cache", _cache))


def failed_checks():
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
