#!/usr/bin/env bash
# Deployment smoke test: the production set-up of README “Deploy on PostgreSQL /
# scale out”, for real, on loopback. With production settings unchanged (HTTPS
# redirect, secure cookies, HSTS): check --deploy, migrate,
# collectstatic, create an authority and its admin (create_authority), run the
# task worker once (db_worker --batch), start gunicorn with
# deploy/gunicorn.conf.py and — when nginx is installed — nginx with
# deploy/nginx/thidua.conf in front of it (TLS with a throwaway self-signed
# certificate). Then, like a browser: log in through the real login form (CSRF
# token, secure cookies), open the home page and check that it is the user's.
# Direct to gunicorn the client sends X-Forwarded-Proto: https as nginx does.
# Fails loudly (non-zero exit, the server logs printed) on any deviation; stops
# every server it started.
#
#   scripts/smoke-deploy.sh                        # a throwaway PostgreSQL
#   DATABASE_URL=postgres://… scripts/smoke-deploy.sh   # an empty database
#   SMOKE_NGINX=0 scripts/smoke-deploy.sh          # gunicorn only
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
PY=.venv/bin/python
free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [ -z "${DATABASE_URL:-}" ]; then
  # shellcheck source=scripts/throwaway-postgres.sh
  source scripts/throwaway-postgres.sh
fi

SMOKE_TMP=$(mktemp -d /tmp/smoke-deploy.XXXXXX)
GUNICORN_PID=""
NGINX_PID=""
smoke_cleanup() {
  status=$?
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ]; then
    echo "!! smoke-deploy FAILED (exit $status); server logs follow" >&2
    for log in "$SMOKE_TMP"/gunicorn.log "$SMOKE_TMP"/nginx/error.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 60 "$log" >&2; }
    done
  fi
  rm -rf "$SMOKE_TMP"
  if declare -F stop_pg >/dev/null; then stop_pg; fi
}
trap smoke_cleanup EXIT

APP_PORT=$(free_port)
export DJANGO_SETTINGS_MODULE=config.settings.production
DJANGO_SECRET_KEY="smoke-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export MEDIA_ROOT="$SMOKE_TMP/media"
export GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=2
unset DJANGO_SECURE_SSL_REDIRECT DJANGO_S3_BUCKET
export SMOKE_USER="smoke-admin-$$"
SMOKE_PASSWORD="Smoke-$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')"
export SMOKE_PASSWORD
export SMOKE_AUTHORITY="UBND tỉnh Kiểm thử $$"

USE_NGINX=0
if [ "${SMOKE_NGINX:-1}" = "1" ] && command -v nginx >/dev/null 2>&1; then
  USE_NGINX=1
  TLS_PORT=$(free_port)
  HTTP_PORT=$(free_port)
  # The address the browser sees; Django accepts its Referer (CSRF) through the
  # variable a real site sets too.
  export DJANGO_CSRF_TRUSTED_ORIGINS="https://localhost:$TLS_PORT"
fi

echo "== production settings: check --deploy"
$PY manage.py check --deploy --fail-level WARNING
echo "== migrate (also creates the cache table), collectstatic"
$PY manage.py migrate --no-input -v0
$PY manage.py collectstatic --no-input -v0
echo "== create_authority with its admin"
DJANGO_ADMIN_PASSWORD="$SMOKE_PASSWORD" \
  $PY manage.py create_authority "$SMOKE_AUTHORITY" --place "Kiểm thử" --admin "$SMOKE_USER"
echo "== task worker (django-tasks-db) drains the queue and exits"
$PY manage.py db_worker --batch --no-startup-delay -v 1

echo "== gunicorn (deploy/gunicorn.conf.py) on $GUNICORN_BIND"
.venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py \
  >"$SMOKE_TMP/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

if [ "$USE_NGINX" = "1" ]; then
  echo "== nginx (deploy/nginx/thidua.conf) on https://localhost:$TLS_PORT"
  NGX="$SMOKE_TMP/nginx"
  mkdir -p "$NGX/tls" "$NGX/acme"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost \
    -keyout "$NGX/tls/key.pem" -out "$NGX/tls/cert.pem" 2>/dev/null
  # The site file as shipped, with this machine's ports, paths and certificate.
  sed -e "s#server 127.0.0.1:8000#server 127.0.0.1:$APP_PORT#" \
      -e '/\[::\]/d' \
      -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
      -e "s#listen 443 ssl http2;#listen 127.0.0.1:$TLS_PORT ssl http2;#" \
      -e "s#server_name thidua.example.gov.vn;#server_name localhost;#" \
      -e "s#/etc/letsencrypt/live/thidua.example.gov.vn/fullchain.pem#$NGX/tls/cert.pem#" \
      -e "s#/etc/letsencrypt/live/thidua.example.gov.vn/privkey.pem#$NGX/tls/key.pem#" \
      -e "s#ssl_stapling on;#ssl_stapling off;#; s#ssl_stapling_verify on;#ssl_stapling_verify off;#" \
      -e "s#/var/log/nginx/thidua#$NGX/thidua#" \
      -e "s#/var/www/letsencrypt#$NGX/acme#" \
      -e "s#/srv/thidua/app/staticfiles/#$PWD/staticfiles/#" \
      -e "s#/srv/thidua/app/deploy/nginx/errors/#$PWD/deploy/nginx/errors/#" \
      -e "s#/etc/nginx/snippets/thidua-proxy.conf#$PWD/deploy/nginx/thidua-proxy.conf#" \
      deploy/nginx/thidua.conf >"$NGX/site.conf"
  if grep -vE '^\s*#' "$NGX/site.conf" |
    grep -nE 'example\.gov\.vn|/etc/letsencrypt|/srv/thidua|/var/log|:8000|\[::\]'; then
    echo "smoke-deploy: deploy/nginx/thidua.conf changed; adapt the substitutions above." >&2
    exit 1
  fi
  {
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    cat <<EOF
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $NGX/body;
    proxy_temp_path $NGX/proxy;
    fastcgi_temp_path $NGX/fastcgi;
    uwsgi_temp_path $NGX/uwsgi;
    scgi_temp_path $NGX/scgi;
    include $NGX/site.conf;
}
EOF
  } >"$NGX/nginx.conf"
  nginx -t -q -p "$NGX" -e "$NGX/error.log" -c "$NGX/nginx.conf"
  nginx -p "$NGX" -e "$NGX/error.log" -c "$NGX/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  export SMOKE_TLS_PORT=$TLS_PORT SMOKE_HTTP_PORT=$HTTP_PORT SMOKE_CA="$NGX/tls/cert.pem"
fi

echo "== log in through the login form, open the home page"
SMOKE_APP_PORT=$APP_PORT $PY - <<'PYTHON'
"""A browser's journey: login form (CSRF), secure cookies, the home page."""

import http.client
import os
import re
import ssl
import sys
import time

USER, PASSWORD = os.environ["SMOKE_USER"], os.environ["SMOKE_PASSWORD"]
failures = []


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message)
    if not condition:
        failures.append(message)
    return condition


class Browser:
    """Cookies by hand (http.client has no jar): Secure cookies are sent back
    because, to the app, the connection is HTTPS."""

    def __init__(self, host, port, *, tls=None, headers=None):
        self.host, self.port, self.tls = host, port, tls
        self.headers = headers or {}
        self.cookies = {}
        self.set_cookies = {}
        proxied = self.headers.get("X-Forwarded-Proto") == "https"
        scheme = "https" if tls or proxied else "http"
        self.origin = f"{scheme}://{host}:{port}"

    def request(self, method, path, body=None, headers=None):
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=30)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"Host": f"{self.host}:{self.port}", "Accept-Language": "vi", **self.headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
            self.set_cookies[name.strip()] = value
        return response, data.decode("utf-8", "replace")


def wait_until_up(browser, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            response, _ = browser.request("GET", "/accounts/login/")
            if response.status in (200, 301):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{browser.origin} did not answer within {seconds} s")
        time.sleep(0.3)


def journey(label, browser):
    print(f"-- {label} ({browser.origin})")
    response, html = browser.request("GET", "/accounts/login/")
    check(response.status == 200, f"login page: status {response.status}")
    check(
        "max-age=" in (response.getheader("Strict-Transport-Security") or ""),
        "HSTS header on the login page",
    )
    check(
        "default-src 'self'" in (response.getheader("Content-Security-Policy") or ""),
        "Content-Security-Policy header",
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not check(token is not None, "CSRF token in the login form"):
        return
    csrf_cookie = browser.set_cookies.get("csrftoken", "")
    check("Secure" in csrf_cookie and "HttpOnly" in csrf_cookie, "csrftoken cookie is Secure and HttpOnly")
    static = re.search(r'href="(/static/[^"]+\.css)"', html)
    if check(static is not None, "a stylesheet under /static/"):
        check(
            re.search(r"\.[0-9a-f]{12}\.css$", static.group(1)) is not None,
            f"hashed static name (manifest storage): {static.group(1)}",
        )
        response, css = browser.request("GET", static.group(1))
        check(response.status == 200 and len(css) > 1000, f"stylesheet served: status {response.status}")
        check(
            "max-age=" in (response.getheader("Cache-Control") or ""),
            f"stylesheet cached: {response.getheader('Cache-Control')}",
        )
    from urllib.parse import urlencode

    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": USER, "password": PASSWORD}
    )
    response, _ = browser.request(
        "POST", "/accounts/login/", form, {"Referer": f"{browser.origin}/accounts/login/"}
    )
    check(
        response.status == 302 and response.getheader("Location") == "/",
        f"login accepted: status {response.status}, Location {response.getheader('Location')}",
    )
    session = browser.set_cookies.get("sessionid", "")
    check("Secure" in session and "HttpOnly" in session, "sessionid cookie is Secure and HttpOnly")
    response, html = browser.request("GET", "/")
    check(response.status == 200, f"home page: status {response.status}")
    check(USER in html, f"home page greets {USER}")
    check('action="/accounts/logout/"' in html, "home page has the logout form")
    check(html.rstrip().endswith("</html>"), "the whole page was rendered")


direct = Browser("127.0.0.1", int(os.environ["SMOKE_APP_PORT"]), headers={"X-Forwarded-Proto": "https"})
wait_until_up(direct)
plain = Browser("127.0.0.1", int(os.environ["SMOKE_APP_PORT"]), headers={})
response, _ = plain.request("GET", "/accounts/login/")
check(
    response.status == 301 and (response.getheader("Location") or "").startswith("https://"),
    f"plain HTTP is redirected to HTTPS: {response.status} {response.getheader('Location')}",
)
journey("gunicorn, as nginx forwards it", direct)

if os.environ.get("SMOKE_TLS_PORT"):
    context = ssl.create_default_context(cafile=os.environ["SMOKE_CA"])
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    browser = Browser("localhost", int(os.environ["SMOKE_TLS_PORT"]), tls=context)
    wait_until_up(browser)
    journey("nginx with TLS in front of gunicorn", browser)
    response, _ = browser.request("GET", "/media/evidence/1/anything")
    check(response.status == 404, f"/media/ is not served by nginx: {response.status}")
    response, _ = Browser("localhost", int(os.environ["SMOKE_HTTP_PORT"]), headers={}).request("GET", "/accounts/login/")
    check(
        response.status == 301 and (response.getheader("Location") or "").startswith("https://localhost"),
        f"nginx redirects port 80 to HTTPS: {response.status} {response.getheader('Location')}",
    )

if failures:
    sys.exit(f"smoke-deploy: {len(failures)} check(s) failed: " + "; ".join(failures))
print("smoke-deploy: every check passed")
PYTHON

grep -q '" 302 ' "$SMOKE_TMP/gunicorn.log" || { echo "smoke-deploy: no access log lines from gunicorn" >&2; exit 1; }
if grep -E ' (ERROR|CRITICAL) |Traceback' "$SMOKE_TMP/gunicorn.log"; then
  echo "smoke-deploy: errors in the gunicorn log" >&2
  exit 1
fi
echo "== deploy smoke test passed"
