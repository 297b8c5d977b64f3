"""Journey: the chair drafts 2025's pledge from 2024's, fills the
targets grid, opens it for signing and two members sign."""

import pytest

from clusters import services
from clusters.models import Term, Unit, User
from pledges.models import Pledge, PledgeState

pytestmark = pytest.mark.browser


def _open_2025():
    """2025 opened by hand (not by rollover), so the pledge starts empty."""
    admin = User.objects.get(username="admin")
    term_2024 = Term.objects.get(cluster__is_sample=False, year=2024)
    units = [m.unit for m in term_2024.memberships.select_related("unit")]
    return services.term_create(
        cluster=term_2024.cluster,
        year=2025,
        actor=admin,
        units=units,
        chair=Unit.objects.get(name="Thành phố Vị Thanh"),
        deputy=Unit.objects.get(name="Thị xã Long Mỹ"),
    )


def test_chair_drafts_from_last_year_and_members_sign(
    page, base_url, browser_login, assert_accessible
):
    term = _open_2025()
    browser_login(page, "vithanh")
    page.goto(f"{base_url}/terms/{term.pk}/pledge/")
    assert_accessible(page)
    page.get_by_role("button", name="Sao chép giao ước năm 2024").click()
    assert page.locator("h1").inner_text().startswith("Giao ước thi đua năm 2025")

    page.get_by_role("link", name="Sửa tiêu chí và chỉ tiêu").click()
    assert_accessible(page)
    page.goto(f"{base_url}/terms/{term.pk}/pledge/targets/")
    inputs = page.locator("table.targets-grid input[type=text]")
    for index in range(inputs.count()):
        inputs.nth(index).fill("1.000,5")
    assert_accessible(page)
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    page.goto(f"{base_url}/terms/{term.pk}/pledge/")
    page.get_by_role("button", name="Mở ký giao ước").click()
    assert Pledge.objects.get(term=term).state == PledgeState.SIGNING

    for username, signer in (("vithanh", "Trần Văn A"), ("ngabay", "Lê Thị B")):
        page.context.clear_cookies()
        browser_login(page, username)
        page.goto(f"{base_url}/terms/{term.pk}/pledge/sign/")
        assert_accessible(page)
        page.fill("#id_signer_name", signer)
        page.fill("#id_signer_title", "Phó Chủ tịch UBND")
        page.get_by_role("button", name="Ký", exact=True).click()
        assert page.get_by_text(signer).count() >= 1

    version = Pledge.objects.get(term=term).versions.get()
    assert version.signatures.count() == 2
    assert Pledge.objects.get(term=term).state == PledgeState.SIGNING
