"""Browser test harness: headless Chromium via Playwright, pytest-django's
live_server, the Hậu Giang demo data and an axe-core accessibility check.

Everything here is a fixture, so test modules never import from this file
(that keeps them working whether or not ``tests/`` is itself a package).

Environment:
    CHROMIUM_PATH     path to a Chromium binary (default: Debian's
                      ``chromium-headless-shell``, then ``chromium``, on PATH)
    REQUIRE_BROWSER=1 fail instead of skip when no Chromium is found
"""

import contextlib
import hashlib
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an asyncio event loop in the test thread; Django
# would otherwise refuse ORM calls made from that thread (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time when its request threads
    share the test's one in-memory SQLite connection (production gives each
    request its own): sqlite3 refuses concurrent use of one connection ("bad
    parameter or other API misuse"), which answered 503 to one of several htmx
    previews typed at once. A request waits for the one before it has been
    answered in full, its body included; connections still stay open side by
    side, so a browser waiting on one never holds up another."""

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()
            return [body]

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATime

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DEMO_PASSWORD = "demo"
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
# Generous enough for a loaded CI machine, short enough to fail fast: the
# actions' and navigations' timeout (each context) and the `expect` assertions'
# (Playwright's own default is 5 s, which a page changed by htmx on a loaded
# 2-core CI machine could miss).
DEFAULT_TIMEOUT_MS = 10_000


def _chromium_path():
    """CHROMIUM_PATH if set (and only that), else Debian's old headless shell,
    else its full browser. The headless shell renders the same pages with the
    same Blink without the browser's UI layers: the browser tests took 116 s
    of CPU with it against 167 s with ``chromium`` (2 cores)."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = (
        [configured]
        if configured
        else [shutil.which(name) for name in ("chromium-headless-shell", "chromium")]
    )
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _no_browser(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra not installed
        _no_browser("playwright is not installed (pip install -e '.[dev]')")

    executable = _chromium_path()
    if executable is None:
        _no_browser(
            "chromium not installed (set CHROMIUM_PATH or install Debian's "
            "chromium-headless-shell package; REQUIRE_BROWSER=1 turns this "
            "skip into a failure)"
        )

    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item so fixtures can see failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class _ServerErrors(logging.Handler):
    """Keeps the errors Django logs while answering a request (``django.request``),
    each with its traceback."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.seen = []

    def emit(self, record):
        self.seen.append(self.format(record))


@pytest.fixture(autouse=True)
def no_server_errors():
    """A browser test fails when the live server answered any request with an
    error, and shows its traceback: an htmx request answered 500 changes
    nothing on the page, so the test would otherwise only wait and time out."""
    handler = _ServerErrors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.seen:
        pytest.fail(
            "The live server answered with an error:\n" + "\n\n".join(handler.seen),
            pytrace=False,
        )


@pytest.fixture
def new_context(browser, request):
    """``new_context(**options)``: a fresh browser context (own cookies,
    Vietnamese locale, `options` for Playwright's ``new_context``), closed after
    the test. ``bypass_csp`` lets axe be injected despite the app's strict CSP.
    On failure a full-page screenshot of every open page goes to test-artifacts/.
    """
    opened = []

    def _new_context(**options):
        ctx = browser.new_context(bypass_csp=True, locale="vi-VN", **options)
        ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
        opened.append(ctx)
        return ctx

    yield _new_context
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
    for number, page in enumerate(p for ctx in opened for p in ctx.pages):
        if failed:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            with contextlib.suppress(Exception):  # best effort only
                page.screenshot(
                    path=str(ARTIFACTS_DIR / f"{stem}-{number}.png"), full_page=True
                )
    for ctx in opened:
        ctx.close()


@pytest.fixture
def context(new_context):
    """A fresh browser context for the test (see ``new_context``)."""
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def demo(demo_db, transactional_db):
    """The Hậu Giang demo (authority, 8 units, one cluster, 2023/2024 terms),
    loaded once per session (tests.conftest.demo_db) and whole again at the start
    of every test: what a test commits through the live server is undone before
    the next one."""
    return demo_db


@pytest.fixture
def base_url(live_server, demo):
    """Root URL of the live server, with the demo data loaded."""
    return live_server.url


@pytest.fixture
def browser_login(base_url):
    """``browser_login(page, username, password="demo")``: sign in through the form and
    wait until the browser has left the login page."""

    def _login(page, username, password=DEMO_PASSWORD):
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.locator("form:has(#id_username) [type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return _login


def _format_violations(url, violations, max_targets=3):
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        nodes = violation.get("nodes", [])
        targets = [
            " ".join(map(str, node.get("target", []))) for node in nodes[:max_targets]
        ]
        hidden = len(nodes) - max_targets
        more = f" (+{hidden} more)" if hidden > 0 else ""
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}] {violation.get('help')}"
            f"\n    {violation.get('helpUrl', '')}"
            f"\n    targets: {'; '.join(targets)}{more}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    """``axe(page)``: axe-core's violations on the page as it is now.
    The script (570 kB, the package's copy) is sent only to a document that
    does not hold it yet: a page changed in place by htmx keeps it."""
    from axe_playwright_python.base import AXE_SCRIPT

    def _run(page):
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SCRIPT)
        return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)[
            "violations"
        ]

    return _run


# The shape of a page for the accessibility check: its view (ids and query
# taken out), the viewport width, and the distinct kinds of landmarks, headings,
# controls and labels it holds (a field's name with its ids taken out too, so
# that the row of one unit or indicator counts as the row of another). Two
# pages of one shape differ only in data (rows, names, numbers), which axe
# judges the same way; a state that shows another form, button or table is
# another shape and is checked again.
PAGE_SHAPE = r"""() => {
  const kinds = new Set();
  for (const el of document.querySelectorAll(
      'a,button,input,select,textarea,label,table,th,img,svg,iframe,'
      + 'h1,h2,h3,h4,h5,h6,nav,main,header,footer,aside,form,dialog,'
      + '[role],[aria-label],[aria-labelledby],[aria-describedby],[tabindex]')) {
    kinds.add([el.tagName, el.getAttribute('type') || '',
               el.getAttribute('role') || '',
               (el.getAttribute('name') || '').replace(/\d+/g, '#'),
               el.hasAttribute('aria-label') ? 'L' : '',
               el.hasAttribute('aria-describedby') ? 'D' : ''].join('|'));
  }
  return [window.innerWidth, Array.from(kinds).sort().join(';')];
}"""


class _CheckedShapes:
    """Page shapes (see PAGE_SHAPE) that passed axe in this run: in memory, and
    with xdist also as empty files named by the shape's digest in a directory
    the workers share, so that a shape one worker checked is not checked again
    by another."""

    def __init__(self, shared):
        self.seen = set()
        self.shared = shared
        if shared is not None:
            shared.mkdir(exist_ok=True)

    def _file(self, shape):
        return self.shared / hashlib.sha256(repr(shape).encode()).hexdigest()

    def __contains__(self, shape):
        if shape in self.seen:
            return True
        if self.shared is not None and self._file(shape).exists():
            self.seen.add(shape)
            return True
        return False

    def add(self, shape):
        self.seen.add(shape)
        if self.shared is not None:
            self._file(shape).touch()


@pytest.fixture(scope="session")
def checked_shapes(request, tmp_path_factory):
    """Page shapes that passed axe in this run (`_CheckedShapes`)."""
    worker = hasattr(request.config, "workerinput")
    base = tmp_path_factory.getbasetemp().parent
    return _CheckedShapes(base / "axe-shapes" if worker else None)


def _page_shape(page):
    path = re.sub(r"/\d+(?=/|$)", "/<id>", urlsplit(page.url).path)
    width, kinds = page.evaluate(PAGE_SHAPE)
    return path, width, kinds


@pytest.fixture
def assert_accessible(axe, checked_shapes):
    """``assert_accessible(page)``: run axe (WCAG 2.0/2.1 A and AA) on the
    current page and fail with a readable list of violations. A page whose
    shape (see PAGE_SHAPE) already passed in this run, on any worker, is not
    run again: axe costs about a second a page, and the journeys pass the same
    pages many times."""

    def _assert_accessible(page):
        shape = _page_shape(page)
        if shape in checked_shapes:
            return
        violations = axe(page)
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)
        checked_shapes.add(shape)

    return _assert_accessible
