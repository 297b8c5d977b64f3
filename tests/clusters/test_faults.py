"""Faults of the deployment (issue #13): /healthz/ checks the database and the
cache, and every failure while the database is away gives the standalone
Vietnamese error page with status 503 — the session write after a committed
save included (a bare English "Bad Request (400)" before)."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, override_settings

from clusters.errors import database_away

AWAY = "server closed the connection unexpectedly"
# Production's cache: in the database, shared by every app server.
DATABASE_CACHE = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
)


def _database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError(AWAY)

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@DATABASE_CACHE
def test_healthz_answers_ok_when_database_and_cache_work(db, client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


@DATABASE_CACHE
def test_healthz_answers_503_naming_the_database_and_cache_when_database_is_down(
    db, quiet_client, monkeypatch
):
    _database_down(monkeypatch)
    response = quiet_client.get("/healthz/")
    assert response.status_code == 503
    assert response.content == b"unavailable: database cache"
    assert response["Retry-After"] == "30"


@DATABASE_CACHE
def test_healthz_answers_503_naming_the_cache_alone_when_only_it_fails(
    db, quiet_client, monkeypatch
):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    response = quiet_client.get("/healthz/")
    assert response.status_code == 503
    assert response.content == b"unavailable: cache"


def test_page_while_database_is_down_gives_vietnamese_503(
    world, quiet_client, monkeypatch
):
    quiet_client.force_login(world.users["officer"])
    _database_down(monkeypatch)
    response = quiet_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in text
    assert "Vui lòng thử lại sau." in text


def test_missing_page_while_database_is_down_gives_503_not_a_second_failure(
    world, quiet_client, monkeypatch
):
    quiet_client.force_login(world.users["officer"])
    _database_down(monkeypatch)
    response = quiet_client.get("/no-such-page/")
    assert response.status_code == 503
    assert "thử lại sau" in response.content.decode()


def test_session_write_failing_after_the_view_gives_503_not_bare_400(
    world, quiet_client, monkeypatch
):
    # The view has run (and committed); the database goes away before the
    # session — saved on every request — is written back.
    quiet_client.force_login(world.users["officer"])

    def refuse(*args, **kwargs):
        raise OperationalError(AWAY)

    monkeypatch.setattr(Session, "save", refuse)
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
    try:
        try:
            raise OperationalError(AWAY)
        except OperationalError as error:
            raise ValueError("wrapped") from error
    except ValueError as wrapped:
        assert database_away(wrapped)
    assert not database_away(ValueError("a bug"))
    assert not database_away(None)
