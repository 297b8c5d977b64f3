"""The production cache (core.cache_backends.SafeRedisCache): Redis when it is
there, computing instead of failing when it is not."""

import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from pledges import selectors

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_cache(port):
    return {
        "default": {
            "BACKEND": "core.cache_backends.SafeRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def redis_down(settings):
    """The cache points at a loopback port where nothing listens."""
    settings.CACHES = _redis_cache(_free_port())
    return


@pytest.fixture
def redis_up(settings):
    """A private redis-server on a free loopback port (Debian's redis-server,
    installed by .ci/run), stopped after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(  # noqa: S603  (fixed arguments)
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            settings.CACHES = _redis_cache(port)
            cache.clear()
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_a_cache_that_is_down_answers_as_a_miss(redis_down):
    assert cache.get("x", "default") == "default"
    cache.set("x", 1)
    assert cache.get("x") is None
    assert cache.get_many(["x", "y"]) == {}
    # With no shared cache every process is on its own: a lock is "taken".
    assert cache.add("lock", 1, 5) is True
    assert cache.delete("x") is False
    cache.clear()


def test_the_ranking_renders_while_redis_is_down(redis_down, world, scored, login):
    expected = [s.total for s in selectors.term_standings(world.term)]
    assert expected
    response = login(world.users["staff"]).get(
        reverse("term_ranking", args=[world.term.pk])
    )
    assert response.status_code == 200
    assert world.unit_a.name in response.content.decode()
    assert [s.total for s in selectors.term_standings(world.term)] == expected


def test_redis_stores_and_shares_values(redis_up, world, scored):
    cache.set("shared", {"a": 1}, 30)
    assert cache.get("shared") == {"a": 1}
    assert cache.add("shared", 2, 30) is False
    first = [s.total for s in selectors.term_standings(world.term)]
    assert [s.total for s in selectors.term_standings(world.term)] == first
