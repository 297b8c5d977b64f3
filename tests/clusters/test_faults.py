"""Faults of the deployment: /healthz/ checks the database and the
cache, and every failure while the database is away gives the standalone
Vietnamese error page with status 503 — the session write after a committed
save included (a bare English "Bad Request (400)" before)."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, override_settings

from core.error_pages import database_away
from core.middleware import SESSION_RENEWED_KEY

AWAY = "server closed the connection unexpectedly"
# Tests use a dummy cache (which stores nothing); the health check needs one
# that keeps what it is given.
WORKING_CACHE = override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)


def _database_down():
    """Every new cursor fails as on a stopped server (undone on leaving, so
    that the test's own teardown can roll back)."""
    return mock.patch.object(connection, "cursor", side_effect=OperationalError(AWAY))


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@WORKING_CACHE
def test_healthz_answers_ok_when_database_and_cache_work(db, client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


@WORKING_CACHE
def test_healthz_answers_503_naming_the_database_when_it_is_down(db, quiet_client):
    with _database_down():
        response = quiet_client.get("/healthz/")
    assert response.status_code == 503
    assert response.content == b"unavailable: database"
    assert response["Retry-After"] == "30"


@WORKING_CACHE
def test_healthz_stays_in_rotation_reporting_a_failed_cache_as_degraded(
    db, quiet_client
):
    with mock.patch.object(caches["default"], "get", return_value=None):
        response = quiet_client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok; degraded: cache"


def test_page_while_database_is_down_gives_vietnamese_503(world, quiet_client):
    quiet_client.force_login(world.users["officer"])
    with _database_down():
        response = quiet_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in text
    assert "Vui lòng thử lại sau." in text


def test_missing_page_while_database_is_down_gives_503_not_a_second_failure(
    world, quiet_client
):
    quiet_client.force_login(world.users["officer"])
    with _database_down():
        response = quiet_client.get("/no-such-page/")
    assert response.status_code == 503
    assert "thử lại sau" in response.content.decode()


def test_session_write_failing_after_the_view_gives_503_not_bare_400(
    world, quiet_client
):
    # The view has run (and committed); the database goes away before the
    # session — due for renewal of its idle timeout — is written back.
    quiet_client.force_login(world.users["officer"])
    session = quiet_client.session
    session[SESSION_RENEWED_KEY] = 0
    session.save()
    with mock.patch.object(Session, "save", side_effect=OperationalError(AWAY)):
        response = quiet_client.get("/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "Bad Request" not in text
    assert "Vui lòng thử lại sau." in text


def test_other_bad_request_gets_the_vietnamese_400_page(db, quiet_client):
    response = quiet_client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_database_away_follows_the_exception_chain():
    wrapped = ValueError("wrapped")
    wrapped.__cause__ = OperationalError(AWAY)
    assert database_away(wrapped)
    assert not database_away(ValueError("a bug"))
    assert not database_away(None)
