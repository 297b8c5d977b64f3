"""Smoke tests in a real browser: log in, look around as the demo roles, switch
language, and check every page visited with axe (WCAG 2.1 A/AA).

Assertions avoid translated text where translations are still being written:
they use the ``lang`` attribute, form fields, URLs and demo data names.
"""

import re

import pytest

pytestmark = pytest.mark.browser

CLUSTER_NAME = "Cụm thi đua các huyện, thị xã, thành phố"
LOGIN_PATH = "/accounts/login/"


def test_login_page_is_vietnamese_and_accessible(page, base_url, assert_accessible):
    page.goto(f"{base_url}{LOGIN_PATH}")

    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").count() == 1
    assert page.locator("#id_username").is_visible()
    assert page.locator("#id_password").get_attribute("type") == "password"
    assert page.locator("form:has(#id_username) [type=submit]").is_visible()
    assert_accessible(page)


def test_accessibility_check_fails_on_a_violation_every_time(page, assert_accessible):
    """The check itself: an image without a text alternative fails it, also
    the second time on the same document (axe already injected there)."""
    page.set_content('<html lang="vi"><title>x</title><main><img src="x.png"></main>')
    for _ in range(2):
        with pytest.raises(pytest.fail.Exception, match="image-alt"):
            assert_accessible(page)


def test_wrong_password_shows_error_and_stays_on_login(
    page, base_url, assert_accessible
):
    page.goto(f"{base_url}{LOGIN_PATH}")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "not-the-password")
    page.locator("form:has(#id_username) [type=submit]").click()
    page.wait_for_load_state()

    assert LOGIN_PATH in page.url
    error = page.locator(".alert-danger, .invalid-feedback, .errorlist").first
    error.wait_for(state="visible")
    assert error.inner_text().strip()
    # Still the login form, and the error state is accessible too.
    assert page.locator("#id_password").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("username", ["admin", "noivu", "ngabay"])
def test_home_cluster_and_term_pages(
    page, base_url, browser_login, assert_accessible, username
):
    browser_login(page, username)

    assert page.url == f"{base_url}/"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("main h1").count() == 1
    assert page.locator("main h1").inner_text().strip()
    assert page.locator("nav[aria-label]").count() >= 1
    cluster_link = page.get_by_role("link", name=CLUSTER_NAME, exact=True).first
    cluster_link.wait_for(state="visible")
    assert_accessible(page)

    cluster_link.click()
    page.wait_for_url(re.compile(r"/clusters/\d+/$"))
    assert page.locator("main h1").inner_text().strip() == CLUSTER_NAME
    assert_accessible(page)

    page.locator("main").get_by_role("link", name="Năm 2024", exact=True).click()
    page.wait_for_url(re.compile(r"/terms/\d+/$"))
    assert "2024" in page.locator("main h1").inner_text()
    assert_accessible(page)


def test_language_switch_to_english(page, browser_login):
    browser_login(page, "ngabay")
    assert page.locator("html").get_attribute("lang") == "vi"

    form = page.locator("form:has(select[name=language])")
    form.locator("select[name=language]").select_option("en")
    with page.expect_navigation():
        form.locator("[type=submit]").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("select[name=language]").input_value() == "en"


def test_admin_units_and_users(page, base_url, browser_login, assert_accessible):
    browser_login(page, "admin")

    page.goto(f"{base_url}/units/")
    assert page.locator("main h1").inner_text().strip()
    assert_accessible(page)

    unit_name = "Thành phố Ngã Bảy"
    page.locator("main").get_by_role("link", name=unit_name, exact=True).click()
    page.wait_for_url(re.compile(r"/units/\d+/$"))
    assert unit_name in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{base_url}/users/")
    for username in ("admin", "noivu", "ngabay"):
        assert username in page.locator("main").inner_text()
    assert_accessible(page)


def test_home_leads_to_every_task_when_a_group_is_long(
    page, base_url, browser_login, assert_accessible, monkeypatch
):
    """The home page shows the first tasks of each group (a province's staff
    has one per cluster; the demo's chair, two); the rest are one click away,
    on a page of their own, at phone size too."""
    from clusters import views

    monkeypatch.setattr(views, "HOME_TASKS", 1)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "chauthanh")  # the chair: two tasks of one group
    more = page.locator("#todo").get_by_role(
        "link", name=re.compile(r"^Xem thêm \d+ việc")
    )
    more.first.wait_for(state="visible")
    shown = page.locator("#todo [data-todo]").count()
    assert_accessible(page)
    more.first.click()
    page.wait_for_url(re.compile(r"/todo/#todo-group-\d+$"))
    assert page.locator("main h1").inner_text().strip().startswith("Việc cần làm")
    assert page.locator("#todo [data-todo]").count() > shown
    assert_accessible(page)
