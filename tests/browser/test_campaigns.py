"""Journey: province staff launch a themed campaign for the cluster of
districts, two member units file their final reports, staff accept them, write
the final summary and close the campaign, and the pledge criterion that counts
themed campaigns shows the points on the member's ranking page."""

import pytest

from campaigns.models import Campaign, CampaignRule, CampaignState, ReportState
from clusters.models import Cluster, Term, Unit
from pledges.models import Criterion

pytestmark = pytest.mark.browser

CLUSTER = "Cụm thi đua các huyện, thị xã, thành phố"
TITLE = "Thi đua chuyển đổi số trong cơ quan hành chính năm 2024"


def _submit(page, form_selector):
    page.locator(f"{form_selector} button[type=submit]").first.click()


def test_staff_launch_units_report_staff_review_close_and_points_count(
    page, base_url, browser_login, assert_accessible
):
    cluster = Cluster.objects.get(name=CLUSTER)
    term = Term.objects.get(cluster=cluster, year=2024)
    criterion = Criterion.objects.get(pledge__term=term, code="II.2")
    # The 2024 pledge is in force, so the rule is set up directly (the rule page
    # refuses changes to a signed pledge).
    CampaignRule.objects.create(
        criterion=criterion, points_per_campaign=6, kinds=["themed"]
    )

    browser_login(page, "noivu")
    page.goto(f"{base_url}/campaigns/new/")
    assert_accessible(page)
    page.select_option("#id_kind", "themed")
    page.fill("#id_title", TITLE)
    page.fill("#id_decision_number", "25/QĐ-UBND")
    page.fill("#id_decision_date", "01/02/2024")
    page.fill("#id_decision_signer", "Chủ tịch UBND tỉnh")
    page.fill("#id_start_date", "01/02/2024")
    page.fill("#id_end_date", "31/12/2024")
    page.check("input[name=scope][value=clusters]")
    page.check(f"input[name=clusters][value='{cluster.pk}']")
    page.fill("#id_metrics", "Số thủ tục trực tuyến | thủ tục")
    _submit(page, "main form[method=post]")
    campaign = Campaign.objects.get(title=TITLE)
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")
    assert_accessible(page)
    page.select_option("#id_to_state", "launched")
    _submit(page, "form:has(#id_to_state)")
    page.wait_for_selector(".alert-success")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED

    metric = campaign.metrics.get()
    for username, figure in (("vithanh", "12"), ("ngabay", "1.250")):
        unit = Unit.objects.get(officers__username=username)
        page.context.clear_cookies()
        browser_login(page, username)
        page.goto(f"{base_url}/")
        assert page.locator("#home-campaigns").get_by_text(TITLE).count() == 1
        page.goto(f"{base_url}/campaigns/{campaign.pk}/reports/{unit.pk}/final/")
        assert_accessible(page)
        page.fill("#id_activities", "Triển khai dịch vụ công trực tuyến toàn trình.")
        page.fill(f"#id_m{metric.pk}", figure)
        page.fill("#id_ex-0-name", "Tổ một cửa")
        page.fill("#id_ex-0-achievement", "Giải quyết hồ sơ trước hạn")
        page.locator("button[name=action][value=submit]").click()
        page.wait_for_selector(".alert-success")

    page.context.clear_cookies()
    browser_login(page, "noivu")
    for username in ("vithanh", "ngabay"):
        unit = Unit.objects.get(officers__username=username)
        page.goto(f"{base_url}/campaigns/{campaign.pk}/reports/{unit.pk}/final/")
        page.locator("button[name=action][value=accept]").click()
        page.wait_for_selector(".alert-success")
    assert (
        campaign.reports.filter(state=ReportState.ACCEPTED, kind="final").count() == 2
    )
    page.goto(f"{base_url}/campaigns/{campaign.pk}/")
    page.select_option("#id_to_state", "final_review")
    _submit(page, "form:has(#id_to_state)")
    page.wait_for_selector(".alert-success")

    page.goto(f"{base_url}/campaigns/{campaign.pk}/review/final/")
    assert page.locator("#sums tbody td").first.inner_text() == "1.262"
    page.fill("#id_summary", "Hai đơn vị hoàn thành tốt phong trào.")
    _submit(page, "form:has(#id_summary)")
    page.wait_for_selector(".alert-success")
    assert_accessible(page)
    page.select_option("#next-state", "closed")
    _submit(page, "form:has(#next-state)")
    page.wait_for_selector(".alert-success")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED

    vithanh = Unit.objects.get(officers__username="vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/ranking/{vithanh.pk}/")
    assert_accessible(page)
    row = page.locator("tr", has=page.locator("th", has_text="II.2"))
    assert row.locator("td").nth(2).inner_text() == "6"
    page.goto(f"{base_url}/terms/{term.pk}/pledge/criteria/{criterion.pk}/campaigns/")
    assert_accessible(page)
    assert (
        page.locator(
            f"#counted tr[data-unit='{vithanh.pk}'] td[data-points]"
        ).inner_text()
        == "6"
    )

    page.goto(f"{base_url}/campaigns/statistics/?year=2024")
    assert_accessible(page)
    assert "2024" in page.locator("#headline").inner_text()
