"""Every page fits a 390 px phone.

The link crawl of tests/test_crawl.py, driven by a real Chromium at 390×844: for
each login (one of every role the demo has, and the public), breadth-first from
its start pages, every same-origin link is opened and the page must not be wider
than the screen (``document.documentElement.scrollWidth <= 390``); wide tables
scroll inside their own box instead. A page of one view looks like another of
the same view, so each view is opened once in the whole crawl (by the first login
that reaches it; the administrator goes first and sees the most), which keeps
the run short.
All offenders are listed in one failure message, with the widest element of each
page to say where to look.
"""

import time
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.test_crawl import LOGIN_PATH, PUBLIC_STARTS, _local_url, _pattern_instance

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# One login of each kind the demo has: the public, the administrator, Home
# Affairs staff, the chair unit of the 2024 district cluster (chauthanh), a
# plain member of it and a member of the sample block of departments.
LOGINS = ["admin", "noivu", "chauthanh", "ngabay", "sotaichinh", None]
PAGES_PER_LOGIN = 120

# The page's width and, when too wide, the element whose right edge sticks out
# furthest (not counting those inside a box that scrolls by itself).
MEASURE = """() => {
  const width = document.documentElement.scrollWidth;
  const links = Array.from(
    document.querySelectorAll('a[href]'), a => a.getAttribute('href'));
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => {
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (cls[0] ? '.' + cls.slice(0, 3).join('.') : '');
  };
  let culprit = null;
  if (width > window.innerWidth) {
    let worst = window.innerWidth;
    for (const el of document.body.querySelectorAll('*')) {
      const right = el.getBoundingClientRect().right;
      if (right <= worst || scrolls(el)) continue;
      worst = right;
      culprit = name(el) + ' ' + Math.round(right) + 'px';
    }
  }
  return {width, links, culprit};
}"""


def _session_cookie(live_server, username):
    from clusters.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies["sessionid"]
    return {
        "name": "sessionid",
        "value": cookie.value,
        "url": live_server.url,
    }


def _crawl_at_phone_width(browser, live_server, login, offenders, seen_views):
    """Open every view reachable by `login` that no earlier login opened (views
    in `seen_views`, which grows); return the number of pages."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(15_000)
    if login is not None:
        context.add_cookies([_session_cookie(live_server, login)])
    page = context.new_page()
    starts = PUBLIC_STARTS if login is None else ["/"]
    seen_views.update(_pattern_instance(start)[0] for start in starts)
    queue = deque(starts)
    pages = 0
    try:
        while queue and pages < PAGES_PER_LOGIN:
            url = queue.popleft()
            try:
                response = page.goto(live_server.url + url, wait_until="load")
            except Exception:  # noqa: BLE001, S112 - a download, not a page
                continue
            if response is not None and response.status >= 500:
                offenders.append(
                    f"{login or 'public'}: {url} answered {response.status}"
                )
                continue
            if response is None or not response.headers.get(
                "content-type", ""
            ).startswith("text/html"):
                continue
            landed = urlsplit(page.url)
            if login is not None and landed.path == LOGIN_PATH:
                continue
            pages += 1
            measured = page.evaluate(MEASURE)
            if measured["width"] > PHONE["width"]:
                offenders.append(
                    f"{login or 'public'}: {url} is {measured['width']} px wide"
                    f" (widest: {measured['culprit']})"
                )
            here = landed.path + (f"?{landed.query}" if landed.query else "")
            for href in measured["links"]:
                target = _local_url(here, href)
                if target is None:
                    continue
                view = _pattern_instance(target)[0]
                if view in seen_views:
                    continue
                seen_views.add(view)
                queue.append(target)
    finally:
        context.close()
    return pages


def test_no_page_is_wider_than_a_phone(browser, live_server, demo):
    offenders = []
    counts = {}
    seen_views = set()
    started = time.monotonic()
    for login in LOGINS:
        counts[login or "public"] = _crawl_at_phone_width(
            browser, live_server, login, offenders, seen_views
        )
    elapsed = time.monotonic() - started
    print(  # shown with -s or -rP
        f"phone width: {sum(counts.values())} pages in {elapsed:.1f} s: {counts}"
    )
    assert all(n >= 1 for n in counts.values()), counts
    assert not offenders, (
        f"{len(offenders)} pages wider than {PHONE['width']} px (or failing):\n"
        + "\n".join(offenders)
    )
