"""Driver of scripts/fault-test.sh: two app servers (FAULT_SERVERS, comma-
separated base URLs) against one PostgreSQL that it stops and starts
(FAULT_PG_STOP, FAULT_PG_START: shell commands). Asserts: /healthz/ says 200,
then 503 naming the database while PostgreSQL is down; every page answers the
Vietnamese 503 page then (never a bare 400 or a 500), a login POST included;
after the restart every server answers again with the same session, without a
restart of gunicorn. Exits non-zero on the first deviation."""

import http.cookies
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SERVERS = os.environ["FAULT_SERVERS"].split(",")
USER, PASSWORD = os.environ.get("FAULT_USER", "vithanh"), "demo"
RETRY_TEXT = "thử lại sau"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def check(condition, message):
    if not condition:
        print("FAULT TEST FAILED:", message, file=sys.stderr)
        sys.exit(1)
    print("ok:", message)


class Browser:
    """Cookies kept by hand (the demo's cookies are not Secure, but plain
    http.cookiejar would be fussier than needed)."""

    def __init__(self, base):
        self.base, self.cookies = base, {}

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        if self.cookies:
            request.add_header(
                "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            response = OPENER.open(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode("utf-8", "replace")

    def login(self):
        status, page = self.request("/accounts/login/")
        check(status == 200, f"{self.base}: login page answers 200 ({status})")
        fields = dict(
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        )
        fields.update(username=USER, password=PASSWORD)
        return self.request("/accounts/login/", fields)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    check(False, what)


def main():
    browsers = [Browser(base) for base in SERVERS]
    for browser in browsers:
        check(browser.request("/healthz/") == (200, "ok"), f"{browser.base}: healthy")
        status, _page = browser.login()
        check(status == 302, f"{browser.base}: {USER} logs in ({status})")
        status, page = browser.request("/")
        check(status == 200, f"{browser.base}: home page with the session ({status})")

    print("== stopping PostgreSQL (pg_ctl stop -m fast)")
    subprocess.run(os.environ["FAULT_PG_STOP"], shell=True, check=True)  # noqa: S602
    try:
        for browser in browsers:
            status, body = browser.request("/healthz/")
            check(
                status == 503 and body.startswith("unavailable: database"),
                f"{browser.base}: /healthz/ says 503 while down ({status} {body!r})",
            )
            status, page = browser.request("/")
            check(
                status == 503 and RETRY_TEXT in page,
                f"{browser.base}: a page while down is the Vietnamese 503 ({status})",
            )
            fresh = Browser(browser.base)
            status, page = fresh.request(
                "/accounts/login/", {"username": USER, "password": PASSWORD}
            )
            check(
                status in (403, 503) and "Bad Request" not in page,
                f"{browser.base}: a POST while down is refused politely ({status})",
            )
    finally:
        print("== starting PostgreSQL again")
        subprocess.run(os.environ["FAULT_PG_START"], shell=True, check=True)  # noqa: S602

    for browser in browsers:
        wait_for(
            lambda b=browser: b.request("/healthz/") == (200, "ok"),
            30,
            f"{browser.base}: /healthz/ back to 200 without restarting gunicorn",
        )
        print(f"ok: {browser.base}: healthy again")
        status, page = browser.request("/")
        check(
            status == 200 and RETRY_TEXT not in page,
            f"{browser.base}: the same session works again ({status})",
        )
    print("fault test: every check passed")


if __name__ == "__main__":
    main()
