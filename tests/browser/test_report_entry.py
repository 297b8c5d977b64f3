"""An officer enters a report of 40 indicators at 1366×768 and on a
390×844 phone: the column headings stay in view (desktop) or every value is
labelled (phone), Enter moves to the next field, one group saves by itself
without moving the page, the saved message sits next to its button, a
thousands-separator slip is flagged, and nothing is wider than the phone."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from pledges.models import IndicatorResult
from tests.conftest import build_world
from tests.pledges.report_entry_pledge import groups_of, reporting_pledge

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def entry(transactional_db, live_server):
    world = build_world()
    return world, reporting_pledge(world)


def _page_as(browser, live_server, user, viewport, bypass_csp=False):
    client = Client()
    client.force_login(user)
    # The page's own Content Security Policy stays on (no inline script or
    # style may be needed), except for axe, which is injected.
    context = browser.new_context(
        viewport=viewport, locale="vi-VN", bypass_csp=bypass_csp
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


def _where(page, selector):
    """Where `selector` is on the screen, and the table box's own scroll."""
    return page.evaluate(
        "(s) => [document.querySelector(s).getBoundingClientRect().top,"
        " document.querySelector('.report-scroll').scrollTop]",
        selector,
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_forty_indicators_are_entered_group_by_group(
    browser, live_server, entry, viewport, assert_accessible
):
    world, pledge = entry
    groups = groups_of(pledge)
    assert sum(len(rows) for _c, rows in groups) == 40
    (first, rows), (_second, second_rows) = groups[0], groups[1]
    context, page = _page_as(browser, live_server, world.users["officer"], viewport)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    path = reverse("report_edit", args=[world.term.pk, world.unit_a.pk])
    url = live_server.url + path
    page.goto(url)
    phone = viewport is PHONE
    totals_rows = page.locator("#report-totals tbody tr").count()
    assert totals_rows > 0

    if not phone:
        # The headings stay at the top of the table's own scroll box.
        box = page.locator(".report-scroll")
        box.evaluate("el => el.scrollIntoView({behavior: 'instant'})")
        box.evaluate("el => { el.scrollTop = 900; }")
        head = page.locator(".report-indicators thead").bounding_box()
        frame = box.bounding_box()
        assert head["y"] >= 0
        assert frame["y"] <= head["y"] <= frame["y"] + 2, (head, frame)
        covering = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).outerHTML.slice(0, 120)",
            [head["x"] + 20, head["y"] + head["height"] / 2],
        )
        assert covering.startswith("<th"), covering
        box.evaluate("el => { el.scrollTop = 0; }")
    else:
        # Each row labels its figures; the column headings are hidden.
        plan = page.locator(f"#i-{rows[0].pk} td[data-label='Kế hoạch']")
        label = plan.evaluate("el => getComputedStyle(el, '::before').content")
        assert label == '"Kế hoạch"'
        expect(plan).to_contain_text("58.000")
        last = page.locator(f"#i-{rows[0].pk} td[data-label='Thực hiện năm trước']")
        expect(last).to_be_visible()
        expect(last).to_contain_text("55.000")

    # Type the first group; Enter moves on and never sends the form.
    field = page.locator(f"#id_actual_{rows[0].pk}")
    field.fill("12.345.678")
    field.press("Enter")
    expect(page.locator(f"#id_note_{rows[0].pk}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#id_actual_{rows[1].pk}")).to_be_focused()
    assert page.url == url
    for indicator in rows[1:]:
        page.fill(f"#id_actual_{indicator.pk}", "100")
    page.fill(f"#id_actual_{second_rows[0].pk}", "77")  # typed, not saved
    expect(page.locator(f"#pts-{rows[-1].pk}")).to_have_text("2")
    # Each preview also refreshes the running totals below the table: they keep
    # their rows and follow what is typed.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.locator("#report-totals tbody tr")).to_have_count(totals_rows)
    expect(page.locator("#indicators-total")).to_have_count(1)
    total = page.locator("#total-so-far").inner_text()
    assert total != "0", total
    expect(page.locator("#total-line")).to_contain_text(f"{total} / 100")

    # Save the first group only: the page stays where it is.
    button = page.locator(f"#save-{first.pk}")
    button.scroll_into_view_if_needed()
    before = _where(page, f"#save-{first.pk}")
    button.click()
    saved = page.locator(f"#saved-{first.pk}")
    expect(saved).to_be_visible()
    expect(saved).to_contain_text("Đã lưu lúc")
    assert page.url == url
    # Content above may grow (the status line); the browser keeps the view
    # anchored, so the button stays where the officer's eyes are.
    after = _where(page, f"#save-{first.pk}")
    assert abs(after[0] - before[0]) <= 2, (before, after)
    assert after[1] == before[1]
    button_box = page.locator(f"#save-{first.pk}").bounding_box()
    saved_box = saved.bounding_box()
    assert abs(saved_box["y"] - button_box["y"]) < button_box["height"], (
        "the message is on the button's line"
    )
    assert saved_box["x"] > button_box["x"] + button_box["width"] - 1
    assert page.locator(".saved-at").count() == 1
    expect(page.locator(f"#id_actual_{second_rows[0].pk}")).to_have_value("77")

    actuals = dict(
        IndicatorResult.objects.filter(report__unit=world.unit_a).values_list(
            "indicator_id", "actual"
        )
    )
    assert actuals == {rows[0].pk: 12345678, **{i.pk: 100 for i in rows[1:]}}

    # The slip is flagged beside the field, in Vietnamese.
    warning = page.locator(f"#warn-{rows[0].pk}")
    expect(warning).to_contain_text("Kiểm tra lại: đạt 21.285,7 % kế hoạch?")
    expect(warning).to_contain_text("Có phải là 12.345,678?")
    expect(page.locator("#cautions")).to_contain_text("CT1")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()

    # The page with its warnings, saved message and totals is accessible.
    context, page = _page_as(
        browser, live_server, world.users["officer"], viewport, bypass_csp=True
    )
    page.goto(f"{url}?saved={first.pk}")
    expect(page.locator(f"#saved-{first.pk}")).to_be_visible()
    assert_accessible(page)
    context.close()
