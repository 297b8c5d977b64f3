"""What was typed in a plain form is not lost: leaving the page asks first, and
a session that ends while the form is open (the idle limit) keeps the page as
typed when it is sent, and says so, instead of trading it for the login page;
after signing in again in another tab the same button sends it. (A save sent in
place by htmx: tests/browser/test_report.py.)"""

import pytest
from playwright.sync_api import expect

from clusters.models import Unit

pytestmark = pytest.mark.browser


def test_a_form_sent_after_the_session_ended_keeps_what_was_typed(
    page, base_url, browser_login
):
    unit = Unit.objects.get(name="Thành phố Ngã Bảy")
    browser_login(page, "admin")
    page.clock.install()
    url = f"{base_url}/units/{unit.pk}/edit/"
    page.goto(url)
    page.fill("#id_short_name", "TP. Ngã Bảy mới")
    page.clock.fast_forward("06:00")  # the form has been open for a while
    page.context.clear_cookies(name="sessionid")
    send = page.locator("main form [type=submit]").last
    send.click()
    alert = page.locator("#request-error")
    expect(alert).to_contain_text("Phiên đăng nhập đã hết: chưa có gì được lưu.")
    expect(page.locator("#id_short_name")).to_have_value("TP. Ngã Bảy mới")
    assert page.url == url

    other = page.context.new_page()
    browser_login(other, "admin")
    other.close()
    saves = unit.history.count()
    send.dblclick()  # the second click, while the page is checked, is dropped
    page.wait_for_url(lambda address: address != url)
    unit.refresh_from_db()
    assert unit.short_name == "TP. Ngã Bảy mới"
    assert unit.history.count() == saves + 1
    expect(page.get_by_text("Biểu mẫu này đã được gửi trước đó")).to_have_count(0)


def test_the_language_switch_needs_no_session(page, base_url, browser_login):
    """Choosing the language is not held back by the check of the session (nor
    is signing out): with the session ended it still switches."""
    browser_login(page, "admin")
    page.clock.install()
    page.goto(f"{base_url}/units/")
    page.clock.fast_forward("06:00")
    page.context.clear_cookies(name="sessionid")
    page.select_option("#language-select", "en")
    page.locator(".lang-switch [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#request-error")).to_have_count(0)


def test_leaving_a_form_with_typed_values_asks_first(page, base_url, browser_login):
    """Every form of the shared form template (unit, user, term, cluster,
    proposal… pages) asks before a link or reload drops what was typed;
    sending it does not ask."""
    unit = Unit.objects.get(name="Thành phố Ngã Bảy")
    browser_login(page, "admin")
    page.goto(f"{base_url}/units/{unit.pk}/edit/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.fill("#id_short_name", "TP. Ngã Bảy mới")
    page.locator("nav.navbar").get_by_role("link", name="Trang chủ").click()
    expect(page.locator("#id_short_name")).to_have_value("TP. Ngã Bảy mới")
    assert asked == ["beforeunload"]
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(lambda address: "/edit/" not in address)
    assert asked == ["beforeunload"]
    unit.refresh_from_db()
    assert unit.short_name == "TP. Ngã Bảy mới"


def test_opening_another_row_of_the_pledge_editor_asks_before_dropping_a_typed_one(
    page, base_url, browser_login
):
    """The pledge editor swaps its rows in place (htmx), where leaving the page
    never asks: opening another row, or moving one, while a row being edited
    holds typed values asks first; declining keeps them."""
    from tests.browser.test_pledge import _open_2025

    term = _open_2025()
    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/pledge/")
    page.get_by_role("button", name="Sao chép giao ước năm 2024").click()
    page.get_by_role("link", name="Sửa tiêu chí và chỉ tiêu").click()
    edits = page.locator("#tree a[hx-get^='?edit=']")
    edits.nth(0).click()
    field = page.locator("#tree form[data-warn-unsaved] input[name$=title]")
    field.fill("Tên mới đang gõ dở")
    asked = []

    def answer(dialog, accept):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    edits.nth(1).click()
    page.wait_for_timeout(300)  # time for a request, had one been sent
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(field).to_have_value("Tên mới đang gõ dở")
    assert asked == [
        (
            "confirm",
            "Biểu mẫu đang mở có nội dung đã nhập nhưng chưa lưu. "
            "Bỏ nội dung đó và tiếp tục?",
        )
    ]
    page.once("dialog", lambda dialog: answer(dialog, True))
    edits.nth(1).click()
    expect(page.get_by_text("Tên mới đang gõ dở")).to_have_count(0)
    expect(page.locator("#tree form[data-warn-unsaved]")).to_have_count(1)
    assert len(asked) == 2
