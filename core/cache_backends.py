"""Cache backends that degrade to "no cache" instead of failing a request.

`SafeRedisCache` is Django's built-in `RedisCache` (production, when
`REDIS_URL` is set: config/settings/base.py) with every operation guarded:
Django's backend raises `redis.exceptions.ConnectionError` when Redis is away,
which would turn every page that reads a cached value into a server error.
Here a failed operation is logged (at most once a minute per process) and
answered as a miss: `get` returns the default, `get_many` nothing, writes and
deletes store nothing. Every cached value in this project is derived
(core.cache), so a miss means computing it again, never a wrong answer.

`add` answers True when Redis cannot be reached: callers use it as a lock
("only the first one computes"), and with no shared cache every process is on
its own, so each computes rather than waiting for a holder that does not exist.

Short socket timeouts (OPTIONS, set in settings) keep a dead Redis from
holding a request for long; the connection pool retries on the next call, so
the cache comes back by itself when Redis does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("core.cache")

LOG_EVERY = 60  # seconds between two warnings of one process


def _errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class SafeRedisCache(RedisCache):
    """`RedisCache` whose failures are misses (see the module docstring)."""

    _last_warning = 0.0

    def _failed(self, operation: str) -> None:
        now = time.monotonic()
        if now - SafeRedisCache._last_warning >= LOG_EVERY:
            SafeRedisCache._last_warning = now
            logger.warning(
                "cache unavailable (%s): computing instead", operation, exc_info=True
            )

    def _guard(
        self,
        operation: str,
        fallback: Any,
        call: Callable[..., Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        try:
            return call(*args, **kwargs)
        except _errors():
            self._failed(operation)
            return fallback

    def get(
        self, key: Any, default: Any | None = None, version: int | None = None
    ) -> Any:
        return self._guard("get", default, super().get, key, default, version)

    def get_many(
        self, keys: Iterable[Any], version: int | None = None
    ) -> dict[Any, Any]:
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", False, super().has_key, key, version)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._guard("add", True, super().add, key, value, timeout, version)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        return self._guard(
            "set_many", list(data), super().set_many, data, timeout, version
        )

    def touch(
        self,
        key: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _errors():
            self._failed("incr")
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from None

    def clear(self) -> None:
        return self._guard("clear", False, super().clear)
