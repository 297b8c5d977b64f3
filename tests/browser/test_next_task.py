"""Every role finds the tasks of the current stage from its
home page, by clicking only, at desktop and phone sizes, with axe (WCAG 2.1
A/AA, axe-core bundled with axe-playwright-python) clean on every page reached.

The tasks expected are worked out here from the demo's data, not from the
to-do code: a member yet to report → its report; the chair → the reports to
review and its own report; a block in the right-of-reply stage → the reply
page (the head of the block answers the objections); province staff → the
reports to accept; the admin → the year left open behind a later one. A unit
that has submitted is not sent to its report. Each task is one click from the
home page: two clicks from the login form."""

import re

import pytest

from clusters.models import Term, TermState, User
from pledges.models import Report, ReportState

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ROLES = ["longmy", "chauthanh", "soxaydung", "sotaichinh", "noivu", "admin"]


def _officer(unit):
    return User.objects.filter(unit=unit, is_active=True).order_by("username").first()


def _expected_tasks(username):
    """{path: what} of the current stage's tasks of `username`, from the data."""
    user = User.objects.get(username=username)
    tasks = {}
    for term in Term.objects.exclude(state=TermState.CLOSED).select_related("cluster"):
        members = {m.unit_id: m.role for m in term.memberships.all()}
        later = Term.objects.filter(cluster=term.cluster, year__gt=term.year).exists()
        if user.role == "admin" and later:
            tasks[f"/terms/{term.pk}/"] = "finish the year left open"
        reports = {r.unit_id: r.state for r in Report.objects.filter(term=term)}
        waiting = [
            unit_id
            for unit_id, state in reports.items()
            if state == ReportState.SUBMITTED and members.get(unit_id) != "chair"
        ]
        staff = user.role == "province_staff"
        if staff and term.state == TermState.REPORTING and waiting:
            tasks[f"/terms/{term.pk}/reports/"] = "accept the reports"
        if user.unit_id not in members or later:
            continue
        role = members[user.unit_id]
        if term.state == TermState.REPORTING:
            if reports.get(user.unit_id) in (None, "draft", "returned"):
                tasks[f"/terms/{term.pk}/reports/{user.unit_id}/"] = "write the report"
            if role == "chair":
                tasks[f"/terms/{term.pk}/reports/"] = "review the reports"
        if term.state == TermState.REPLY:
            tasks[f"/terms/{term.pk}/reply/"] = "read the scores, answer objections"
    return tasks


def _submitted_report_paths(username):
    user = User.objects.get(username=username)
    return [
        f"/terms/{r.term_id}/reports/{r.unit_id}/"
        for r in Report.objects.filter(
            unit_id=user.unit_id,
            state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
            term__state=TermState.REPORTING,
        )
    ]


def _path(page, base_url):
    return page.url.removeprefix(base_url).split("?")[0].split("#")[0]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
@pytest.mark.parametrize("username", ROLES)
def test_every_task_of_the_stage_is_one_click_from_home(
    browser, base_url, browser_login, assert_accessible, username, viewport
):
    expected = _expected_tasks(username)
    assert expected, f"the demo gives {username} nothing to do"
    context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        browser_login(page, username)
        assert _path(page, base_url) == "/"
        assert_accessible(page)
        shown = page.locator("a[data-todo]")
        hrefs = [shown.nth(i).get_attribute("href") for i in range(shown.count())]
        for path in _submitted_report_paths(username):
            assert path not in hrefs, f"{username} is told to submit again"
        clicks = {}
        for path, what in expected.items():
            assert path in hrefs, f"{username}: no to-do link for {what} ({path})"
            link = page.locator(f'a[data-todo][href="{path}"]').first
            link.scroll_into_view_if_needed()
            with page.expect_navigation():
                link.click()
            assert _path(page, base_url) == path
            assert_accessible(page)
            clicks[what] = 2  # the login form's button, then the to-do link
            with page.expect_navigation():
                page.locator("a.navbar-brand").click()
            assert _path(page, base_url) == "/"
        # The year's page (with its progress strip) from the home page, too.
        anchors = page.locator('main a[href^="/terms/"]')
        term_page = next(
            anchors.nth(i)
            for i in range(anchors.count())
            if re.fullmatch(r"/terms/\d+/", anchors.nth(i).get_attribute("href"))
        )
        term_page.scroll_into_view_if_needed()
        with page.expect_navigation():
            term_page.click()
        assert page.locator('[aria-current="step"][data-stage]').count() == 1
        assert_accessible(page)
        assert set(clicks) == set(expected.values())
    finally:
        context.close()
