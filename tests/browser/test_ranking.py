"""Journey: peers score, a member objects, the chair answers, staff
publish, and the public page shows the ranking."""

import datetime

import pytest

from clusters.models import Term, TermState, User
from pledges.models import Objection, RankingSnapshot, Report, ReportState

pytestmark = pytest.mark.browser


def _to(term, state):
    Term.objects.filter(pk=term.pk).update(state=state)


def test_peers_score_member_objects_chair_answers_staff_publish(
    page, base_url, browser_login, assert_accessible
):
    term = Term.objects.get(cluster__is_sample=False, year=2024)
    Report.objects.filter(term=term).update(state=ReportState.SUBMITTED)
    _to(term, TermState.SCORING)

    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/scoring/")
    assert_accessible(page)
    ngabay = Report.objects.get(term=term, unit__name="Thành phố Ngã Bảy")
    field = page.locator(f"input[name^='p-{ngabay.pk}-']").first
    field.fill("7,5")
    page.get_by_role("button", name="Lưu điểm chấm").click()
    assert page.locator(".alert-success").count() == 1

    _to(term, TermState.REPLY)
    page.goto(f"{base_url}/terms/{term.pk}/reply/")
    assert_accessible(page)
    page.fill("#id_text", "Đơn vị đã bổ sung minh chứng.")
    page.get_by_role("button", name="Gửi phản hồi").click()

    page.context.clear_cookies()
    browser_login(page, "chauthanh")
    page.goto(f"{base_url}/terms/{term.pk}/reply/")
    page.locator("input[name=points]").first.fill("8")
    page.locator("input[name=reason]").first.fill("Minh chứng hợp lệ")
    page.get_by_role("button", name="Chấp nhận").first.click()
    assert_accessible(page)

    # Publishing waits for the end of the right of reply and accepted reports.
    Report.objects.filter(term=term).update(state=ReportState.ACCEPTED)
    Term.objects.filter(pk=term.pk).update(
        reply_deadline=datetime.date(term.year + 1, 1, 10)
    )
    Objection.objects.filter(report__term=term, answer="").update(
        answer="rejected",
        answer_reason="Không có cơ sở",
        answered_by=User.objects.get(username="noivu"),
    )
    page.context.clear_cookies()
    browser_login(page, "noivu")
    page.goto(f"{base_url}/terms/{term.pk}/ranking/")
    assert_accessible(page)
    page.get_by_role("link", name="Công bố kết quả xếp hạng").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Công bố kết quả xếp hạng").click()
    page.wait_for_load_state()
    assert RankingSnapshot.objects.filter(term=term).count() == 1
    page.goto(f"{base_url}/dashboard/?year=2024")
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"{base_url}/public/rankings/{term.pk}/")
    assert_accessible(page)
    assert page.locator("tbody tr").count() >= 8
    assert "Thành phố Vị Thanh" in page.locator("main").inner_text()
