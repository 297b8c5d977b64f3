"""Crawl the demo as every demo login and as the public.

Breadth-first from the home page (and the public pages for the public), every
same-origin ``<a href>`` is followed by GET with the Django test client. A link is
*dead* when it answers 403 or 404 to the user it was shown to (or, for the public,
sends them to the login page); any 5xx fails too. URLs are deduplicated by pattern
instance (the resolved view and its arguments; query strings do not make a new
page), at most a few instances of one view and a few hundred pages per login, so
the whole crawl stays within about two minutes.
Downloads (.docx, .xlsx, evidence files) are fetched but not parsed. Every POST
form that takes typing must ask before its page is left (data-warn-unsaved).
"""

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

# The public, the admin, the staff and one officer for each position a unit
# holds in the demo (its role and report in each year, its objections and
# ballots): officers in the same position are shown the same links, and
# `test_the_crawled_logins_hold_every_position_of_the_demo` keeps this list
# whole when the demo changes.
LOGINS = [
    None,  # the public
    "admin",
    "noivu",
    "chauthanh",
    "chauthanha",
    "longmy",
    "ngabay",
    "vithanh",
    "sotaichinh",
    "soxaydung",
    "soyte",
    "sogddt",
    "sonnmt",
    "sovhttdl",
]
PAGES_PER_LOGIN = 400
# Pages of one view beyond this many per login add time, not coverage (every
# unit's page, every user's edit form...).
INSTANCES_PER_VIEW = 4
LOGIN_PATH = "/accounts/login/"
PUBLIC_STARTS = [LOGIN_PATH, "/public/rankings/"]
SKIPPED_PREFIXES = ("/django-admin/", "/static/", "/i18n/", "/accounts/logout/")
SKIPPED_QUERY_KEYS = ("lang", "language")


# Fields a person types into: a form that holds one must ask before the page is
# left with its typed values unsent (data-warn-unsaved, static/js/unsaved.js).
TYPED_INPUTS = {"text", "number", "email", "url", "tel", "password", "date"}


class _Links(HTMLParser):
    """The page's links, and the ids (or actions) of its POST forms that take
    typing but do not ask before they are left."""

    def __init__(self):
        super().__init__()
        self.hrefs = []
        self.unguarded = []
        self.form = None  # (attributes, takes typing) of the open POST form

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            href = attrs.get("href")
            if href:
                self.hrefs.append(href)
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.form = [attrs, False]
        elif self.form is not None and (
            tag == "textarea"
            or (tag == "input" and (attrs.get("type") or "text") in TYPED_INPUTS)
        ):
            self.form[1] = True

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            attrs, typed = self.form
            if typed and "data-warn-unsaved" not in attrs:
                self.unguarded.append(
                    attrs.get("id") or attrs.get("action") or "(this page)"
                )
            self.form = None


@dataclass
class CrawlResult:
    login: str
    pages: int = 0
    errors: list = field(default_factory=list)  # (url, status, shown on)
    dead: list = field(default_factory=list)  # (url, status, shown on)
    unguarded: list = field(default_factory=list)  # (url, form)
    capped: bool = False


SUMMARY: dict[str, CrawlResult] = {}


def _local_url(base, href):
    """The same-origin path?query for `href` seen on `base`, or None to skip it."""
    href = href.strip()
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url, _fragment = urldefrag(urljoin("http://testserver" + base, href))
    parts = urlsplit(url)
    if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    query = parts.query
    keys = {pair.split("=", 1)[0] for pair in query.split("&") if pair}
    if keys & set(SKIPPED_QUERY_KEYS):
        return None
    return parts.path + (f"?{query}" if query else "")


def _pattern_instance(url):
    """The page a URL opens: its view and arguments, ignoring the query string."""
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return ("unresolved", path)
    return (match.view_name, tuple(sorted(match.kwargs.items())))


def _is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


def crawl(client, login, starts, limit=PAGES_PER_LOGIN):
    """Breadth-first crawl from `starts`; returns a CrawlResult."""
    result = CrawlResult(login=login or "(public)")
    seen = set()
    per_view = Counter()
    queue = deque()
    for start in starts:
        seen.add(_pattern_instance(start))
        queue.append((start, "(start)"))
    while queue:
        if result.pages >= limit:
            result.capped = True
            break
        url, shown_on = queue.popleft()
        response = client.get(url)
        result.pages += 1
        status = response.status_code
        redirects = 0
        while status in (301, 302, 303, 307, 308) and redirects < 5:
            target = _local_url(url, response["Location"])
            if target is None:
                break
            if urlsplit(target).path == LOGIN_PATH:
                # Sent to the login page: dead for whoever was shown the link.
                status = 401
                break
            url = target
            response = client.get(url)
            redirects += 1
            status = response.status_code
        if status >= 500:
            result.errors.append((url, status, shown_on))
            continue
        if status in (401, 403, 404):
            result.dead.append((url, status, shown_on))
            continue
        if status != 200 or not _is_html(response):
            continue
        parser = _Links()
        parser.feed(response.content.decode(response.charset or "utf-8"))
        result.unguarded.extend((url, form) for form in parser.unguarded)
        for href in parser.hrefs:
            target = _local_url(url, href)
            if target is None:
                continue
            key = _pattern_instance(target)
            if key in seen or per_view[key[0]] >= INSTANCES_PER_VIEW:
                continue
            seen.add(key)
            per_view[key[0]] += 1
            queue.append((target, url))
    return result


@pytest.fixture(scope="module", autouse=True)
def _print_summary(request):
    yield
    if not SUMMARY:
        return
    lines = ["", "Crawl of the demo:"]
    for result in SUMMARY.values():
        lines.append(
            f"  {result.login:<11} pages={result.pages:<4}"
            f"{' (capped)' if result.capped else '':<9}"
            f" 5xx={len(result.errors):<3} dead={len(result.dead)}"
        )
    totals = (
        sum(r.pages for r in SUMMARY.values()),
        len(SUMMARY),
        sum(len(r.errors) for r in SUMMARY.values()),
        sum(len(r.dead) for r in SUMMARY.values()),
    )
    lines.append("  total: pages={} logins={} 5xx={} dead links={}".format(*totals))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\n".join(lines))


@pytest.mark.django_db
@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login or "public")
def test_every_link_shown_to_a_login_answers_without_error(demo_db, login):
    from clusters.models import User

    client = Client(raise_request_exception=False)
    if login is None:
        starts = PUBLIC_STARTS
    else:
        client.force_login(User.objects.get(username=login))
        starts = ["/"]
    started = time.monotonic()
    result = crawl(client, login, starts)
    SUMMARY[result.login] = result
    elapsed = time.monotonic() - started
    print(  # shown with -s or -rP
        f"crawl {result.login}: pages={result.pages} 5xx={len(result.errors)} "
        f"dead={len(result.dead)} in {elapsed:.1f} s"
    )
    problems = [
        f"{status} {url}  (linked from {shown_on})"
        for url, status, shown_on in result.errors + result.dead
    ]
    assert result.pages > 1, "the crawl reached no page beyond its start"
    assert not problems, (
        f"{result.login}: {len(result.errors)} server errors and {len(result.dead)} "
        f"dead links in {result.pages} pages ({elapsed:.1f} s):\n" + "\n".join(problems)
    )
    # What is typed is not dropped by a misclicked link: every form that takes
    # typing asks before its page is left (signed in: the login form asks not).
    unguarded = result.unguarded if login is not None else []
    assert not unguarded, "forms that take typing but do not ask:\n" + (
        "\n".join(f"{url}: {form}" for url, form in unguarded)
    )


def _position(user):
    """What decides the links `user` is shown, apart from names: its role, and
    for its unit, in each year, the year's state, the unit's role, its report's
    state, and how many objections and ballots it has."""
    from awards.models import VoteParticipation
    from clusters.models import Membership
    from pledges.models import Objection, Report

    years = []
    for membership in Membership.objects.filter(unit_id=user.unit_id).select_related(
        "term__cluster"
    ):
        term = membership.term
        report = Report.objects.filter(term=term, unit_id=user.unit_id).first()
        years.append(
            (
                term.cluster.is_sample,
                term.year,
                term.state,
                membership.role,
                report.state if report else None,
                Objection.objects.filter(report=report).count() if report else 0,
                VoteParticipation.objects.filter(
                    vote__term=term, unit_id=user.unit_id
                ).count(),
            )
        )
    return (user.role, tuple(sorted(years)))


@pytest.mark.django_db
def test_the_crawled_logins_hold_every_position_of_the_demo(demo_db):
    from clusters.models import User

    crawled = {login for login in LOGINS if login}
    positions = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        positions.setdefault(_position(user), []).append(user.username)
    missing = [names for names in positions.values() if not crawled & set(names)]
    assert not missing, f"crawl one login of each of {missing} too (LOGINS)"
