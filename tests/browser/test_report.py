"""Issue journey: Vị Thanh's officer fills the 2024 report (actuals with live
points, self-scores, a PDF of evidence) and submits it; the chair (Châu Thành)
returns one item; Vị Thanh sees it highlighted, corrects it and resubmits."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clusters import services as cluster_services
from clusters.models import Term, TermState, Unit, User
from pledges.models import Report, ReportState, ReviewItem

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _reporting_2024():
    """The demo's 2024 term in the reporting state with a deadline ahead, and
    no report of Vị Thanh yet (whatever the demo prepared)."""
    admin = User.objects.get(username="admin")
    term = Term.objects.get(cluster__is_sample=False, year=2024)
    if term.state == TermState.IN_PROGRESS:
        term = cluster_services.term_transition(
            term=term, to_state=TermState.REPORTING, actor=admin
        )
    assert term.state == TermState.REPORTING
    Term.objects.filter(pk=term.pk).update(
        report_deadline=timezone.localdate() + datetime.timedelta(days=20)
    )
    unit = Unit.objects.get(name="Thành phố Vị Thanh")
    Report.objects.filter(term=term, unit=unit).delete()
    return term, unit


# The officer lets the preview of the last keystroke finish before saving, as
# a person does.
HTMX_IDLE = "() => !document.querySelector('.htmx-request')"


def _save(page, section):
    page.wait_for_function(HTMX_IDLE)
    if section == "indicators":  # each group of indicators saves by itself
        buttons = page.locator("#sec-indicators button[id^=save-]")
        for index in range(buttons.count()):
            group = buttons.nth(index).get_attribute("id").removeprefix("save-")
            page.locator(f"#save-{group}").click()
            expect(page.locator(f"#saved-{group}")).to_be_visible()
        return
    page.locator(f"#sec-{section} form button[type=submit]").last.click()
    expect(page.locator(f"#sec-{section} .alert-success")).to_be_visible()


def test_officer_reports_chair_returns_officer_resubmits(
    page, base_url, browser_login, assert_accessible
):
    term, unit = _reporting_2024()
    indicators = list(term.pledge.indicators.order_by("code"))
    first = indicators[0]

    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/reports/")
    assert page.url.endswith(f"/terms/{term.pk}/reports/{unit.pk}/")
    expect(page.locator("#deadline")).to_have_attribute("data-days", "20")
    assert_accessible(page)

    for indicator in indicators:
        page.fill(f"#id_actual_{indicator.pk}", "1.234,5")
    # The points of the last typed row are computed while typing (htmx).
    expect(page.locator(f"#pts-{indicators[-1].pk}")).not_to_have_text("—")
    _save(page, "indicators")

    points = page.locator("#sec-criteria input[name^=points_]")
    for index in range(points.count()):
        points.nth(index).fill("1")
    explanations = page.locator("#sec-criteria textarea[name^=explanation_]")
    for index in range(explanations.count()):
        explanations.nth(index).fill("Đã thực hiện đầy đủ theo kế hoạch.")
    _save(page, "criteria")
    page.fill("#id_comm-0-title", "Giấy khen của Chủ tịch UBND thành phố")
    page.fill("#id_comm-0-collectives", "612")
    page.fill("#id_comm-0-individuals", "2.934")
    _save(page, "commendations")
    page.fill("#id_summary", "Năm 2024 thành phố hoàn thành vượt các chỉ tiêu.")
    _save(page, "summary")
    assert_accessible(page)

    required = page.locator("tr[data-evidence=required]")
    ids = [
        required.nth(i).get_attribute("id").removeprefix("c-")
        for i in range(required.count())
    ]
    assert ids, "the demo pledge asks for evidence"
    for criterion_id in ids:
        page.set_input_files(
            f"#evidence-file-{criterion_id}",
            files=[
                {
                    "name": f"minh-chung-{criterion_id}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": PDF,
                }
            ],
        )
        page.locator(f"button[name=upload][value='{criterion_id}']").click()
        expect(page.locator(f"#c-{criterion_id} a[href^='/evidence/']")).to_have_count(
            1
        )
    expect(page.locator("#complete")).to_be_visible()
    page.locator("#submit-report").click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "submitted")
    assert Report.objects.get(term=term, unit=unit).state == ReportState.SUBMITTED
    assert_accessible(page)

    page.context.clear_cookies()
    browser_login(page, "chauthanh")
    page.goto(f"{base_url}/terms/{term.pk}/reports/")
    expect(page.locator(f"#unit-{unit.pk}")).to_have_attribute(
        "data-state", "submitted"
    )
    assert_accessible(page)
    page.locator(f"#unit-{unit.pk} a").click()
    assert_accessible(page)
    page.fill(f"#id_reason_i{first.pk}", "Số liệu chưa khớp với niên giám thống kê.")
    page.locator("#return-report").click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "returned")

    page.context.clear_cookies()
    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/reports/{unit.pk}/")
    expect(page.locator("#returned-items")).to_contain_text(first.code)
    expect(page.locator(f"#returned-i-{first.pk}")).to_contain_text(
        "Số liệu chưa khớp với niên giám thống kê."
    )
    assert_accessible(page)
    page.fill(f"#id_actual_{first.pk}", "1.200")
    page.fill(f"#id_note_{first.pk}", "Theo niên giám thống kê 2024")
    _save(page, "indicators")
    page.locator("#submit-report").click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "submitted")
    assert ReviewItem.objects.get(report__term=term, report__unit=unit).resolved_at
    result = Report.objects.get(term=term, unit=unit).results.get(indicator=first)
    assert (result.actual, result.note) == (1200, "Theo niên giám thống kê 2024")


def test_a_save_after_the_session_ended_keeps_what_was_typed(
    page, base_url, browser_login, assert_accessible
):
    """The officer's session ends while typing (idle timeout); Save says so and
    keeps the typed values instead of swapping them away, and after signing in
    again in another tab the same button saves them."""
    term, unit = _reporting_2024()
    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/reports/{unit.pk}/")
    button = page.locator("#sec-indicators button[id^=save-]").first
    group = button.get_attribute("id").removeprefix("save-")
    fields = page.locator(f"#section-{group} input[name^=actual_]")
    for index in range(fields.count()):
        fields.nth(index).fill("1.234,5")
    page.wait_for_function(HTMX_IDLE)

    page.context.clear_cookies(name="sessionid")
    button.click()
    alert = page.locator("#request-error")
    expect(alert).to_contain_text("Phiên đăng nhập đã hết: chưa có gì được lưu.")
    expect(alert.get_by_role("link", name="Đăng nhập lại (thẻ mới)")).to_have_attribute(
        "target", "_blank"
    )
    expect(fields.first).to_have_value("1.234,5")
    expect(page.locator(f"#saved-{group}")).to_have_count(0)
    assert_accessible(page)
    assert not Report.objects.filter(term=term, unit=unit).exists()

    # Signing in again renews the CSRF token; the page takes the new one.
    other = page.context.new_page()
    browser_login(other, "vithanh")
    other.close()
    button.click()
    expect(page.locator(f"#saved-{group}")).to_be_visible()
    expect(alert).to_have_count(0)
    report = Report.objects.get(term=term, unit=unit)
    assert report.results.count() == fields.count()
    assert {r.actual for r in report.results.all()} == {Decimal("1234.5")}


def test_a_save_the_server_cannot_answer_is_said_and_the_page_kept(
    page, base_url, browser_login
):
    """An error answer or no answer to a Save leaves the typed values and says
    that nothing was saved (htmx alone changes nothing on the page)."""
    term, unit = _reporting_2024()
    browser_login(page, "vithanh")
    url = f"{base_url}/terms/{term.pk}/reports/{unit.pk}/"
    page.goto(url)
    button = page.locator("#sec-indicators button[id^=save-]").first
    group = button.get_attribute("id").removeprefix("save-")
    field = page.locator(f"#section-{group} input[name^=actual_]").first
    field.fill("1.234,5")
    page.wait_for_function(HTMX_IDLE)
    alert = page.locator("#request-error")

    page.route(url, lambda route: route.fulfill(status=503, body="busy"))
    button.click()
    expect(alert).to_contain_text("Máy chủ chưa trả lời được (lỗi 503)")
    page.unroute(url)
    still = "Biểu mẫu này vẫn đang được xử lý."  # the server's own words
    page.route(
        url,
        lambda route: route.fulfill(
            status=409, content_type="text/plain; charset=utf-8", body=still
        ),
    )
    button.click()
    expect(alert).to_have_text(re.compile(f"^{still}"))
    page.unroute(url)
    page.route(url, lambda route: route.fulfill(status=409, body="<p>stale</p>"))
    button.click()
    expect(alert).to_contain_text("Trang này vừa được thay đổi bởi một lần lưu khác")
    page.unroute(url)
    page.route(url, lambda route: route.abort())
    button.click()
    expect(alert).to_contain_text("Không kết nối được với máy chủ")
    expect(field).to_have_value("1.234,5")
    page.unroute(url)
    alert.get_by_role("button", name="Đóng").click()
    expect(alert).to_have_count(0)
    button.click()
    expect(page.locator(f"#saved-{group}")).to_be_visible()
