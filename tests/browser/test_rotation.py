"""Journey: the admin reviews the rotation and rolls 2024 over to 2025;
the chair unit's officer records the handover; powers follow the chair."""

import pytest

from clusters import services
from clusters.models import Term, TermState, User
from pledges.models import RankingSnapshot
from pledges.selectors import snapshot_rows

pytestmark = pytest.mark.browser


def _decide_2024():
    """Take the demo's 2024 term through its cycle to `decided` (the stages are
    built by other journeys)."""
    admin = User.objects.get(username="admin")
    term = Term.objects.get(cluster__is_sample=False, year=2024)
    while term.state != TermState.DECIDED:
        (state,) = services.TERM_TRANSITIONS[TermState(term.state)]
        if state == TermState.RANKED:  # ranked by publishing (set up directly)
            RankingSnapshot.objects.create(
                term=term, number=1, rows=snapshot_rows(term), published_by=admin
            )
        term = services.term_transition(term=term, to_state=state, actor=admin)


def test_admin_rolls_over_and_chair_hands_over(
    page, base_url, browser_login, assert_accessible
):
    _decide_2024()
    cluster_id = Term.objects.get(cluster__is_sample=False, year=2024).cluster_id

    browser_login(page, "admin")
    page.goto(f"{base_url}/clusters/{cluster_id}/rotation/")
    assert_accessible(page)
    page.goto(f"{base_url}/clusters/{cluster_id}/rotation/preview/")
    assert page.locator("tbody tr").count() == 8
    assert_accessible(page)

    page.goto(f"{base_url}/clusters/{cluster_id}/")
    page.get_by_role("link", name="Năm 2024", exact=True).click()
    page.get_by_role("link", name="Mở năm thi đua tiếp theo (Năm 2025)").click()
    assert_accessible(page)
    # Châu Thành chaired 2024 without a deputy: the order proposes the next unit.
    assert page.locator("#id_chair option:checked").inner_text() == "Thành phố Vị Thanh"
    page.get_by_role("button", name="Mở năm thi đua tiếp theo (Năm 2025)").click()
    assert page.locator("h1").inner_text().startswith("Năm thi đua 2025")

    page.context.clear_cookies()
    browser_login(page, "chauthanh")
    page.goto(f"{base_url}/clusters/{cluster_id}/")
    page.get_by_role("link", name="Năm 2024", exact=True).click()
    page.locator("[data-step=handover]").click()
    assert_accessible(page)
    page.fill("#id_date", "20/01/2025")
    page.fill("#id_place", "Huyện Châu Thành")
    page.get_by_role("button", name="Ghi nhận bàn giao").click()
    timeline = page.locator(".timeline").inner_text()
    assert "20/01/2025" in timeline
    assert (
        Term.objects.get(cluster__is_sample=False, year=2024).state == TermState.CLOSED
    )

    page.goto(
        f"{base_url}/terms/{Term.objects.get(cluster__is_sample=False, year=2025).pk}/"
    )
    assert page.locator(".alert-info").count() == 0  # Châu Thành no longer chairs


def test_admin_chooses_members_by_filtering_a_long_list_at_phone_size(
    page, base_url, browser_login, assert_accessible, monkeypatch
):
    """A province of hundreds of units: the members of a new year are found by
    typing part of a name, accents left out; what is ticked stays ticked while
    hidden, and typing in the filter is not work that could be lost."""
    from clusters.models import Cluster
    from core import widgets

    monkeypatch.setattr(widgets, "FILTER_FROM", 3)  # the demo has 14 units
    admin = User.objects.get(username="admin")
    cluster = Cluster.objects.create(
        authority_id=admin.authority_id, name="Cụm thi đua thử nghiệm"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "admin")
    page.goto(f"{base_url}/clusters/{cluster.pk}/")
    page.get_by_role("link", name="Mở năm thi đua", exact=True).click()
    search = page.get_by_role("searchbox", name="Lọc danh sách theo tên")
    assert_accessible(page)
    rows = page.locator("#id_units_list .form-check")
    everyone = rows.count()
    search.fill("vi thanh")
    assert rows.filter(visible=True).count() == 1
    form = page.locator("form[data-warn-unsaved]")
    assert form.get_attribute("data-dirty") is None  # nothing typed to lose
    page.get_by_label("Thành phố Vị Thanh", exact=True).check()
    search.press("Enter")  # does not send the form
    search.fill("CHAU THANH a")
    assert rows.filter(visible=True).all_inner_texts() == ["Huyện Châu Thành A"]
    page.get_by_label("Huyện Châu Thành A", exact=True).check()
    search.fill("")
    assert rows.filter(visible=True).count() == everyone
    assert page.locator("#id_units_list input:checked").count() == 2
    page.select_option("#id_chair", label="Thành phố Vị Thanh")
    page.select_option("#id_deputy", label="Huyện Châu Thành A")
    page.fill("#id_total_points", "100")
    page.get_by_role("button", name="Mở năm thi đua", exact=True).click()
    term = Term.objects.get(cluster=cluster)
    page.wait_for_url(f"**/terms/{term.pk}/")
    assert sorted(term.memberships.values_list("unit__name", flat=True)) == [
        "Huyện Châu Thành A",
        "Thành phố Vị Thanh",
    ]
    assert term.chair.name == "Thành phố Vị Thanh"
