"""Headers, brute-force lockout, session lifetime and security logging."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import SecurityEvent
from core.middleware import SESSION_STARTED_KEY

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_on_every_response(world, login):
    for client_user, url in [(None, reverse("login")), ("officer", reverse("home"))]:
        client = login(world.users[client_user] if client_user else None)
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_expires_when_idle(world, client):
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": "correct-horse-battery"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 30 * 60


def test_page_reads_renew_the_idle_timeout_at_most_once_a_quarter(
    world, client, monkeypatch
):
    """A GET writes the session row only when its idle timeout was renewed more
    than a quarter of it ago; a POST always renews it."""
    from django.contrib.sessions.models import Session

    from core import middleware

    now = [time.time()]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    client.force_login(world.users["officer"])
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key

    def expires():
        return Session.objects.get(session_key=key).expire_date

    def session_writes(queries):
        return [q for q in queries if q["sql"].startswith('UPDATE "django_session"')]

    first = expires()
    now[0] += 60
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert expires() == first
    assert not [
        q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]
    ]
    now[0] += settings.SESSION_COOKIE_AGE / 2
    assert client.get(reverse("home")).status_code == 200
    renewed = expires()
    assert renewed > first
    now[0] += 60
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("set_language"), {"language": "vi"})
    assert response.status_code == 302
    assert session_writes(queries)
    assert expires() >= renewed


def test_absolute_session_lifetime_logs_out(world, client):
    client.post(
        reverse("login"), {"username": "officer_a", "password": "correct-horse-battery"}
    )
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = (
        int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    )
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_htmx_requests_of_an_ended_session_are_answered_401(world, client):
    """htmx would follow a redirect to the login page and swap its missing part
    over the form being saved; an ended session answers it 401 instead, and a
    page (not htmx) is still sent to the login page."""
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert client.get(reverse("home"), **htmx).status_code == 401
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.post(
        reverse("login"), {"username": "officer_a", "password": "correct-horse-battery"}
    )
    assert client.get(reverse("home"), **htmx).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = (
        int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    )
    session.save()
    assert client.get(reverse("home"), **htmx).status_code == 401
    assert client.get(reverse("home")).status_code == 302


def test_wrong_passwords_lock_username_and_ip(world, client):
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "officer_a", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = client.post(
        url, {"username": "officer_a", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out.
    response = client.post(
        url,
        {"username": "officer_a", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302


def test_logins_failures_and_refusals_are_logged(world, client, login):
    client.post(reverse("login"), {"username": "officer_a", "password": "nope"})
    client.post(
        reverse("login"), {"username": "officer_a", "password": "correct-horse-battery"}
    )
    client.get(reverse("user_list"))
    client.post(reverse("logout"))
    kinds = list(
        SecurityEvent.objects.order_by("at", "pk").values_list("kind", "username")
    )
    assert kinds == [
        ("login_failed", "officer_a"),
        ("login", "officer_a"),
        ("refused", "officer_a"),
        ("logout", "officer_a"),
    ]


@pytest.mark.parametrize("url_name", ["cluster_create", "unit_create", "user_list"])
def test_refusal_is_logged_with_path(world, login, url_name):
    login(world.users["staff"]).get(reverse(url_name))
    event = SecurityEvent.objects.get(kind="refused")
    assert event.path == reverse(url_name)
    assert event.user == world.users["staff"]


def _run_manage(*args, **env):
    environment = {**os.environ, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-value-for-checks",
        DJANGO_ALLOWED_HOSTS="thidua.example.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_demo_accounts():
    result = _run_manage(
        "load_demo",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="y" * 60,
        DJANGO_ALLOWED_HOSTS="localhost",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode != 0
    assert "DEMO_ALLOWED" in result.stderr


def test_every_response_tells_the_application_time(client):
    response = client.get(reverse("login"))
    assert re.fullmatch(r"app;dur=\d+\.\d", response["Server-Timing"])


def test_production_hashes_new_passwords_with_argon2():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    assert hasher.verify("mật khẩu dài", hasher.encode("mật khẩu dài", hasher.salt()))
