import io
import re
from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from docx import Document

from campaigns import services
from campaigns.models import (
    Campaign,
    CampaignReport,
    CampaignRule,
    CampaignState,
    ReportState,
)
from tests.campaigns.conftest import file_final, make_campaign
from tests.clusters.factories import MembershipFactory, UnitFactory, officer
from tests.helpers import assert_queries_stable

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def vi(message):
    """`message` as the Vietnamese UI shows it."""
    with translation.override("vi"):
        return translation.gettext(message)


def _create_data(world, **overrides):
    data = {
        "kind": "themed",
        "title": "Thi đua chuyển đổi số",
        "slogan": "",
        "launched_by": "UBND tỉnh",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "05/01/2024",
        "decision_signer": "Chủ tịch",
        "start_date": "05/01/2024",
        "end_date": "31/12/2024",
        "scope": "clusters",
        "clusters": [world.cluster.pk],
        "expected_outcomes": "",
        "registration_deadline": "",
        "midterm_deadline": "",
        "final_deadline": "15/12/2024",
        "metrics": "Số hoạt động | hoạt động\nKinh phí | triệu đồng",
    }
    data.update(overrides)
    return data


def test_staff_create_a_campaign_with_dates_typed_day_first(world, login):
    client = login(world.users["staff"])
    response = client.post(reverse("campaign_create"), _create_data(world))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.final_deadline.isoformat() == "2024-12-15"
    assert campaign.metrics.count() == 2
    assert campaign.created_by == world.users["staff"]


def test_a_period_ending_before_it_starts_is_shown_beside_the_field(world, login):
    client = login(world.users["staff"])
    response = client.post(
        reverse("campaign_create"), _create_data(world, end_date="01/01/2024")
    )
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["end_date"]] == [
        vi("The campaign cannot end before it starts.")
    ]
    assert Campaign.objects.count() == 0


def test_changing_a_launched_decision_without_reason_is_refused(world, login, launched):
    client = login(world.users["staff"])
    data = _create_data(
        world,
        title=launched.title,
        decision_number="99/QĐ-UBND",
        start_date="10/01/2024",
        metrics="Số hoạt động | hoạt động\nSố người tham gia | người",
        version=launched.version,
        reason="",
    )
    response = client.post(reverse("campaign_edit", args=[launched.pk]), data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    launched.refresh_from_db()
    assert launched.decision_number == "1450/QĐ-UBND"
    data["reason"] = "Đính chính số quyết định"
    response = client.post(reverse("campaign_edit", args=[launched.pk]), data)
    assert response.status_code == 302
    launched.refresh_from_db()
    assert launched.decision_number == "99/QĐ-UBND"


def test_a_stale_edit_answers_409_and_changes_nothing(world, login, draft):
    client = login(world.users["staff"])
    services.campaign_update(campaign=draft, actor=world.users["admin"], slogan="A")
    data = _create_data(world, title="Đổi tên", version=1)
    response = client.post(reverse("campaign_edit", args=[draft.pk]), data)
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.title == "Thi đua văn hóa công sở"


def test_launch_and_move_through_the_stages(world, login, draft):
    client = login(world.users["staff"])
    url = reverse("campaign_transition", args=[draft.pk])
    client.post(url, {"to_state": "launched"})
    draft.refresh_from_db()
    assert draft.state == CampaignState.LAUNCHED
    response = client.post(url, {"to_state": "closed"}, follow=True)
    assert vi("Choose a valid next state.") in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == CampaignState.LAUNCHED


def test_officer_saves_and_submits_a_final_report_with_an_exemplar(
    world, login, launched
):
    client = login(world.users["officer"])
    url = reverse("campaign_report", args=[launched.pk, world.unit_a.pk, "final"])
    page = client.get(url)
    assert page.status_code == 200
    metrics = list(launched.metrics.order_by("position"))
    data = {
        "version": 0,
        "activities": "Tổ chức hội thi",
        f"m{metrics[0].pk}": "1.234",
        f"m{metrics[1].pk}": "2,5",
        "ex-TOTAL_FORMS": 2,
        "ex-INITIAL_FORMS": 0,
        "ex-0-kind": "individual",
        "ex-0-name": "Nguyễn Văn C",
        "ex-0-position": "Chuyên viên",
        "ex-0-achievement": "Sáng kiến số hóa hồ sơ",
        "ex-1-kind": "collective",
        "action": "submit",
        "file": SimpleUploadedFile("anh.pdf", PDF, "application/pdf"),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    report = CampaignReport.objects.get()
    assert report.state == ReportState.SUBMITTED
    assert {f.metric.title: f.value for f in report.figures.all()} == {
        "Số hoạt động": Decimal(1234),
        "Số người tham gia": Decimal("2.5"),
    }
    assert list(report.exemplars.values_list("name", flat=True)) == ["Nguyễn Văn C"]
    assert report.evidence.get().original_name == "anh.pdf"


def test_submitting_without_required_fields_saves_but_does_not_submit(
    world, login, launched
):
    client = login(world.users["officer"])
    url = reverse("campaign_report", args=[launched.pk, world.unit_a.pk, "final"])
    response = client.post(
        url,
        {
            "version": 0,
            "activities": "",
            "ex-TOTAL_FORMS": 0,
            "ex-INITIAL_FORMS": 0,
            "action": "submit",
        },
        follow=True,
    )
    assert 'id="missing"' in response.content.decode()
    assert vi("Describe the activities and results.") in response.content.decode()
    assert CampaignReport.objects.get().state == ReportState.DRAFT


def test_staff_accept_and_return_reports(world, login, launched):
    report = file_final(launched, world.unit_a, world.users["officer"])
    client = login(world.users["staff"])
    url = reverse(
        "campaign_report_review", args=[launched.pk, world.unit_a.pk, "final"]
    )
    client.post(url, {"action": "return", "reason": ""})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    client.post(url, {"action": "return", "reason": "Thiếu minh chứng"})
    report.refresh_from_db()
    assert (report.state, report.return_reason) == ("returned", "Thiếu minh chứng")
    page = login(world.users["officer"]).get(
        reverse("campaign_report", args=[launched.pk, world.unit_a.pk, "final"])
    )
    assert "Thiếu minh chứng" in page.content.decode()


def test_reports_of_a_closed_campaign_are_refused_and_unchanged(world, login):
    campaign = make_campaign(world, CampaignState.CLOSED)
    client = login(world.users["officer"])
    url = reverse("campaign_report", args=[campaign.pk, world.unit_a.pk, "final"])
    response = client.post(
        url,
        {"version": 0, "activities": "x", "ex-TOTAL_FORMS": 0, "ex-INITIAL_FORMS": 0},
        follow=True,
    )
    assert vi("The campaign is closed; reports can no longer be filed.") in (
        response.content.decode()
    )
    assert CampaignReport.objects.count() == 0


def test_an_officer_cannot_post_a_report_for_another_unit(world, login, launched):
    client = login(world.users["chair_officer"])
    url = reverse("campaign_report", args=[launched.pk, world.unit_a.pk, "final"])
    response = client.post(url, {"version": 0, "activities": "x"})
    assert response.status_code == 404
    assert CampaignReport.objects.count() == 0


def test_campaign_list_filters(world, login):
    make_campaign(world, CampaignState.LAUNCHED, title="Chuyên đề 1")
    make_campaign(world, title="Đột xuất 1", kind="ad_hoc")
    client = login(world.users["staff"])
    page = client.get(reverse("campaign_list"), {"kind": "ad_hoc"})
    assert [c.title for c in page.context["campaigns"]] == ["Đột xuất 1"]
    page = client.get(reverse("campaign_list"), {"state": "launched", "year": "2024"})
    assert [c.title for c in page.context["campaigns"]] == ["Chuyên đề 1"]
    page = client.get(reverse("campaign_list"), {"year": "1999", "kind": "nonsense"})
    assert len(page.context["campaigns"]) == 2  # invalid filters are ignored
    officer_page = login(world.users["officer"]).get(reverse("campaign_list"))
    assert [c.title for c in officer_page.context["campaigns"]] == ["Chuyên đề 1"]


def test_campaign_list_query_count_is_stable(world, login):
    make_campaign(world, CampaignState.LAUNCHED, title="PT 0")
    grown = []

    def grow():
        start = len(grown)
        for n in range(start, start + 45):
            grown.append(n)
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            if n % 5 == 0:
                campaign = make_campaign(
                    world, CampaignState.LAUNCHED, title=f"PT {n + 1}"
                )
                file_final(campaign, world.unit_a, world.users["officer"])

    for role in ("staff", "officer"):
        client = login(world.users[role])
        assert_queries_stable(client, reverse("campaign_list"), grow)
    page = client.get(reverse("campaign_list"))
    assert len(page.context["campaigns"]) == 19


def test_participation_matrix_query_count_is_stable_with_5_and_50_units(
    world, login, launched
):
    staff = world.users["staff"]
    for unit in (UnitFactory(authority=world.authority) for _n in range(2)):
        MembershipFactory(term=world.term, unit=unit)
        file_final(launched, unit, officer(unit), accept_by=staff)
    assert len(launched.clusters.first().terms.first().memberships.all()) == 5

    def grow():
        for n in range(45):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            if n % 3:
                report = file_final(launched, unit, officer(unit))
                services.report_save(
                    report=services.report_return(
                        report=report, actor=staff, reason="x"
                    ),
                    actor=officer(unit),
                    exemplars=[{"kind": "individual", "name": "A", "achievement": "B"}],
                )

    client = login(staff)
    for stage in ("final", "midterm"):
        url = reverse("campaign_review", args=[launched.pk, stage])
        assert_queries_stable(client, url, grow if stage == "final" else lambda: None)
    page = client.get(reverse("campaign_review", args=[launched.pk, "final"]))
    assert len(page.context["data"].rows) == 50


def test_campaign_detail_query_count_is_stable(world, login, launched):
    staff = world.users["staff"]

    def grow():
        for n in range(45):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            if n % 2:
                file_final(launched, unit, officer(unit), accept_by=staff)
            if n % 10 == 0:
                services.attachment_add(
                    campaign=launched,
                    upload=SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf"),
                    actor=staff,
                )

    client = login(staff)
    assert_queries_stable(client, reverse("campaign_detail", args=[launched.pk]), grow)


def test_final_review_word_document(world, login, launched):
    staff = world.users["staff"]
    file_final(launched, world.unit_a, world.users["officer"], accept_by=staff)
    services.campaign_transition(
        campaign=launched, to_state="final_review", actor=staff
    )
    client = login(staff)
    client.post(
        reverse("campaign_review", args=[launched.pk, "final"]),
        {
            "summary": "Phong trào đạt kết quả tốt",
            "highlights": "Cách làm hay",
            "held_on": "20/12/2024",
        },
    )
    response = client.get(reverse("campaign_review_docx", args=[launched.pk, "final"]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO TỔNG KẾT" in text
    assert "Phong trào thi đua “Thi đua văn hóa công sở”" in text
    assert "Phong trào đạt kết quả tốt" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    # Dated the day the review was held, beside the number line.
    assert "Số:      /BC-HĐTĐKT" in cells
    assert any(c.endswith("ngày 20 tháng 12 năm 2024") for c in cells)
    assert "Huyện A" in cells
    assert "Đã chấp nhận" in cells
    assert cells[0].startswith(
        "UBND TỈNH HẬU GIANG THỬ\nHỘI ĐỒNG THI ĐUA – KHEN THƯỞNG"
    )
    assert cells[1].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập")


def test_statistics_page_and_workbook(world, login):
    staff = world.users["staff"]
    for n in range(2):
        campaign = make_campaign(world, CampaignState.LAUNCHED, title=f"CĐ {n}")
        file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    make_campaign(world, CampaignState.LAUNCHED, title="ĐX", kind="ad_hoc")
    client = login(staff)
    page = client.get(reverse("campaign_statistics"), {"year": "2024"})
    assert page.context["stats"]["by_kind"] == {"regular": 0, "themed": 2, "ad_hoc": 1}
    headline = page.content.decode().split('id="headline">')[1].split("<")[0]
    assert [int(n) for n in re.findall(r"\d+", headline)] == [2024, 2, 1, 0]
    response = client.get(reverse("campaign_statistics_xlsx"), {"year": "2024"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Phong trào", "Theo cụm, khối", "Theo đơn vị"]
    assert book["Phong trào"]["A1"].value == (
        "Phong trào thi đua năm 2024: 0 thường xuyên, 2 chuyên đề, 1 đột xuất"
    )
    clusters = {
        row[0].value: row for row in book["Theo cụm, khối"].iter_rows(min_row=3)
    }
    assert [c.value for c in clusters["Cụm A"][2:]] == [0, 2, 1, 3, 2, 9]


def test_statistics_query_count_is_stable(world, login):
    make_campaign(world, CampaignState.LAUNCHED, title="PT")

    def grow():
        for n in range(45):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            if n % 9 == 0:
                make_campaign(world, CampaignState.LAUNCHED, title=f"PT {n}")

    client = login(world.users["staff"])
    assert_queries_stable(client, reverse("campaign_statistics") + "?year=2024", grow)


def test_rule_page_configures_and_shows_points(world, login, pledge):
    staff = world.users["staff"]
    criterion = pledge.criteria.get(code="II.1")
    campaign = make_campaign(world, CampaignState.LAUNCHED)
    file_final(campaign, world.unit_a, world.users["officer"], accept_by=staff)
    url = reverse("criterion_campaigns", args=[world.term.pk, criterion.pk])
    client = login(world.users["chair_officer"])
    response = client.post(url, {"points_per_campaign": "7,5", "kinds": ["themed"]})
    assert response.status_code == 302
    rule = CampaignRule.objects.get()
    assert (rule.points_per_campaign, rule.kinds) == (Decimal("7.5"), ["themed"])
    page = client.get(url)
    rows = {unit.name: points for unit, _found, points in page.context["rows"]}
    assert rows["Huyện A"] == Decimal("7.5")
    editor = client.get(reverse("pledge_editor", args=[world.term.pk]))
    assert f'data-campaign-rule="{criterion.pk}"' in editor.content.decode()
    officer_page = login(world.users["officer"]).get(url)
    assert [u.name for u, _f, _p in officer_page.context["rows"]] == ["Huyện A"]
    assert login(world.users["officer"]).post(
        url, {"action": "delete"}
    ).status_code == (403)
    assert CampaignRule.objects.count() == 1


def test_home_shows_the_units_campaigns_and_the_reports_waiting(world, login, launched):
    file_final(launched, world.unit_a, world.users["officer"])
    page = login(world.users["officer"]).get(reverse("home"))
    assert [c.title for c in page.context["my_campaigns"]] == [launched.title]
    page = login(world.users["staff"]).get(reverse("home"))
    assert [(c.title, c.waiting) for c in page.context["campaigns_waiting"]] == [
        (launched.title, 1)
    ]
    assert page.context["campaigns_running"] == 1
