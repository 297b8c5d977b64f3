import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import services
from campaigns.models import (
    Campaign,
    CampaignReport,
    CampaignRule,
    CampaignScope,
    CampaignState,
    ReportKind,
    ReportState,
)
from core.errors import DomainError
from pledges.models import PledgeState
from tests.campaigns.conftest import campaign_fields, file_final, make_campaign
from tests.clusters.factories import AuthorityFactory, ClusterFactory, UnitFactory

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_create_makes_a_draft_with_scope_and_figures(world):
    campaign = make_campaign(world)
    assert campaign.state == CampaignState.DRAFT
    assert list(campaign.clusters.all()) == [world.cluster]
    assert list(campaign.metrics.values_list("title", "unit_of_measure")) == [
        ("Số hoạt động", "hoạt động"),
        ("Số người tham gia", "người"),
    ]
    assert campaign.history.first().history_user == world.users["staff"]


def test_create_refuses_a_period_that_ends_before_it_starts(world):
    fields = campaign_fields(
        world,
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2024, 4, 30),
    )
    with pytest.raises(DomainError) as error:
        services.campaign_create(
            authority=world.authority, actor=world.users["staff"], **fields
        )
    assert error.value.field == "end_date"
    assert error.value.message == "The campaign cannot end before it starts."
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scope": CampaignScope.CLUSTERS, "clusters": []}, "clusters"),
        ({"scope": CampaignScope.UNITS, "units": []}, "units"),
        ({"title": "  "}, "title"),
        ({"final_deadline": datetime.date(2023, 12, 1)}, "final_deadline"),
        (
            {
                "midterm_deadline": datetime.date(2024, 9, 1),
                "final_deadline": datetime.date(2024, 6, 1),
            },
            "midterm_deadline",
        ),
        ({"metrics": [("Số hoạt động", "")]}, "metrics"),
        ({"metrics": [("A", "x"), ("a", "y")]}, "metrics"),
    ],
)
def test_create_refuses_bad_input(world, overrides, field):
    with pytest.raises(DomainError) as error:
        services.campaign_create(
            authority=world.authority,
            actor=world.users["staff"],
            **campaign_fields(world, **overrides),
        )
    assert error.value.field == field
    assert Campaign.objects.count() == 0


def test_create_refuses_a_cluster_of_another_authority(world):
    foreign = ClusterFactory(authority=AuthorityFactory())
    with pytest.raises(DomainError):
        services.campaign_create(
            authority=world.authority,
            actor=world.users["staff"],
            **campaign_fields(world, clusters=[foreign]),
        )
    assert Campaign.objects.count() == 0


def test_editing_a_launched_decision_needs_a_reason(world, launched):
    with pytest.raises(DomainError) as error:
        services.campaign_update(
            campaign=launched, actor=world.users["staff"], decision_number="9/QĐ-UBND"
        )
    assert error.value.field == "reason"
    launched.refresh_from_db()
    assert launched.decision_number == "1450/QĐ-UBND"
    assert launched.version == 2  # created, then launched


def test_editing_a_launched_decision_with_a_reason_is_kept_in_history(world, launched):
    campaign = services.campaign_update(
        campaign=launched,
        actor=world.users["staff"],
        decision_number="9/QĐ-UBND",
        reason="Quyết định đính chính",
    )
    assert campaign.decision_number == "9/QĐ-UBND"
    latest = campaign.history.first()
    assert latest.history_change_reason == "Quyết định đính chính"
    assert latest.history_user == world.users["staff"]


def test_other_fields_of_a_launched_campaign_change_without_a_reason(world, launched):
    campaign = services.campaign_update(
        campaign=launched, actor=world.users["staff"], slogan="Mới"
    )
    assert campaign.slogan == "Mới"


def test_a_stale_edit_is_refused(world, draft):
    services.campaign_update(campaign=draft, actor=world.users["admin"], slogan="A")
    with pytest.raises(services.StaleObject):
        services.campaign_update(
            campaign=draft, actor=world.users["staff"], slogan="B", version=1
        )
    draft.refresh_from_db()
    assert draft.slogan == "A"


def test_a_closed_campaign_cannot_be_edited(world):
    campaign = make_campaign(world, CampaignState.CLOSED)
    with pytest.raises(DomainError):
        services.campaign_update(
            campaign=campaign, actor=world.users["staff"], slogan="x"
        )


def test_launch_needs_the_decision(world):
    campaign = make_campaign(world, decision_number="", decision_date=None)
    with pytest.raises(DomainError) as error:
        services.campaign_transition(
            campaign=campaign, to_state="launched", actor=world.users["staff"]
        )
    assert "decision number" in error.value.message
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_illegal_moves_are_refused(world, draft):
    with pytest.raises(DomainError):
        services.campaign_transition(
            campaign=draft, to_state="closed", actor=world.users["staff"]
        )
    with pytest.raises(DomainError):
        services.campaign_transition(
            campaign=draft, to_state="nonsense", actor=world.users["staff"]
        )
    draft.refresh_from_db()
    assert draft.state == CampaignState.DRAFT


def test_close_needs_the_final_summary_and_no_report_waiting(world, launched):
    staff = world.users["staff"]
    file_final(launched, world.unit_a, world.users["officer"])
    campaign = services.campaign_transition(
        campaign=launched, to_state="final_review", actor=staff
    )
    with pytest.raises(DomainError, match="final review summary"):
        services.campaign_transition(campaign=campaign, to_state="closed", actor=staff)
    services.review_save(campaign=campaign, stage="final", actor=staff, summary="Tốt")
    with pytest.raises(DomainError, match="waiting for review"):
        services.campaign_transition(campaign=campaign, to_state="closed", actor=staff)
    report = CampaignReport.objects.get()
    services.report_accept(report=report, actor=staff)
    campaign = services.campaign_transition(
        campaign=campaign, to_state="closed", actor=staff
    )
    assert campaign.state == CampaignState.CLOSED


def test_removing_a_reported_figure_is_refused(world, launched):
    file_final(launched, world.unit_a, world.users["officer"])
    with pytest.raises(DomainError, match="already reported"):
        services.campaign_update(
            campaign=launched,
            actor=world.users["staff"],
            metrics=[("Số hoạt động", "hoạt động")],
        )
    assert launched.metrics.count() == 2


def test_attachments_are_checked_by_content(world, draft):
    staff = world.users["staff"]
    attachment = services.attachment_add(
        campaign=draft,
        upload=SimpleUploadedFile("qd.pdf", PDF, "application/pdf"),
        actor=staff,
    )
    assert attachment.original_name == "qd.pdf"
    with pytest.raises(DomainError):
        services.attachment_add(
            campaign=draft,
            upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", "application/pdf"),
            actor=staff,
        )
    assert draft.attachments.count() == 1


# Reports -----------------------------------------------------------------------


def test_a_report_for_a_campaign_that_does_not_reach_the_unit_is_refused(
    world, launched
):
    with pytest.raises(DomainError, match="does not reach"):
        services.report_start(
            campaign=launched,
            unit=world.unit_other,
            kind=ReportKind.FINAL,
            actor=world.users["other_officer"],
        )
    assert CampaignReport.objects.count() == 0


def test_a_report_for_a_draft_or_closed_campaign_is_refused(world, draft):
    with pytest.raises(DomainError, match="not been launched"):
        services.report_start(
            campaign=draft,
            unit=world.unit_a,
            kind="final",
            actor=world.users["officer"],
        )
    closed = make_campaign(world, CampaignState.CLOSED, title="Khác")
    with pytest.raises(DomainError, match="closed"):
        services.report_start(
            campaign=closed,
            unit=world.unit_a,
            kind="final",
            actor=world.users["officer"],
        )
    assert CampaignReport.objects.count() == 0


def test_a_report_cannot_be_saved_once_the_campaign_is_closed(world, launched):
    officer, staff = world.users["officer"], world.users["staff"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="registration", actor=officer
    )
    services.campaign_transition(
        campaign=launched, to_state="final_review", actor=staff
    )
    services.review_save(campaign=launched, stage="final", actor=staff, summary="x")
    services.campaign_transition(campaign=launched, to_state="closed", actor=staff)
    with pytest.raises(DomainError, match="closed"):
        services.report_save(report=report, actor=officer, commitment="Cam kết")
    report.refresh_from_db()
    assert report.commitment == ""


def test_submit_refuses_a_report_without_required_fields(world, launched):
    officer = world.users["officer"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="final", actor=officer
    )
    metrics = list(launched.metrics.order_by("position"))
    report = services.report_save(
        report=report, actor=officer, figures={metrics[0]: Decimal(2)}
    )
    with pytest.raises(DomainError) as error:
        services.report_submit(report=report, actor=officer)
    assert "Describe the activities" in error.value.message
    assert "Số người tham gia" in error.value.message
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert report.submitted_at is None


def test_registration_needs_a_commitment(world, launched):
    officer = world.users["officer"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="registration", actor=officer
    )
    with pytest.raises(DomainError, match="commits to"):
        services.report_submit(report=report, actor=officer)
    report = services.report_save(report=report, actor=officer, commitment="3 mô hình")
    assert services.report_submit(report=report, actor=officer).state == "submitted"


def test_submit_accept_and_return_with_reason(world, launched):
    officer, staff = world.users["officer"], world.users["staff"]
    report = file_final(launched, world.unit_a, officer)
    assert report.state == ReportState.SUBMITTED
    assert report.late is False
    with pytest.raises(DomainError, match="why"):
        services.report_return(report=report, actor=staff, reason=" ")
    report = services.report_return(report=report, actor=staff, reason="Thiếu số liệu")
    assert report.state == ReportState.RETURNED
    assert report.return_reason == "Thiếu số liệu"
    assert report.history.first().history_change_reason == "Thiếu số liệu"
    report = services.report_save(report=report, actor=officer, activities="Bổ sung")
    report = services.report_submit(report=report, actor=officer)
    assert report.return_reason == ""
    report = services.report_accept(report=report, actor=staff)
    assert report.state == ReportState.ACCEPTED
    assert report.reviewed_by == staff
    with pytest.raises(DomainError):
        services.report_save(report=report, actor=officer, activities="Sửa")


def test_a_report_after_the_deadline_is_marked_late(world):
    campaign = make_campaign(
        world, CampaignState.LAUNCHED, final_deadline=datetime.date(2024, 2, 1)
    )
    report = file_final(campaign, world.unit_a, world.users["officer"])
    assert report.late is True


def test_a_stale_report_save_is_refused(world, launched):
    officer = world.users["officer"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="final", actor=officer
    )
    services.report_save(report=report, actor=officer, activities="A", version=1)
    with pytest.raises(services.StaleObject):
        services.report_save(report=report, actor=officer, activities="B", version=1)
    report.refresh_from_db()
    assert report.activities == "A"


def test_figures_must_be_of_the_campaign_and_not_negative(world, launched):
    officer = world.users["officer"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="final", actor=officer
    )
    metric = launched.metrics.first()
    with pytest.raises(DomainError, match="negative"):
        services.report_save(
            report=report, actor=officer, figures={metric: Decimal(-1)}
        )
    other = make_campaign(world, CampaignState.LAUNCHED, title="Khác")
    with pytest.raises(DomainError, match="another campaign"):
        services.report_save(
            report=report,
            actor=officer,
            figures={other.metrics.first(): Decimal(1)},
        )
    assert report.figures.count() == 0


def test_exemplars_replace_the_list_and_need_name_and_achievement(world, launched):
    officer = world.users["officer"]
    report = services.report_start(
        campaign=launched, unit=world.unit_a, kind="final", actor=officer
    )
    with pytest.raises(DomainError):
        services.report_save(
            report=report,
            actor=officer,
            exemplars=[{"kind": "individual", "name": "Ông A", "achievement": ""}],
        )
    services.report_save(
        report=report,
        actor=officer,
        exemplars=[
            {"kind": "individual", "name": "Ông A", "achievement": "Sáng kiến"},
            {"kind": "collective", "name": "", "achievement": ""},
        ],
    )
    assert list(report.exemplars.values_list("name", flat=True)) == ["Ông A"]


def test_midterm_reports_are_refused_in_the_final_review(world, launched):
    services.campaign_transition(
        campaign=launched, to_state="final_review", actor=world.users["staff"]
    )
    with pytest.raises(DomainError, match="cannot be filed"):
        services.report_start(
            campaign=launched,
            unit=world.unit_a,
            kind="midterm",
            actor=world.users["officer"],
        )


def test_a_unit_chosen_by_name_is_reached(world):
    campaign = make_campaign(
        world,
        CampaignState.LAUNCHED,
        scope=CampaignScope.UNITS,
        units=[world.unit_other],
        clusters=[],
    )
    report = services.report_start(
        campaign=campaign,
        unit=world.unit_other,
        kind="final",
        actor=world.users["other_officer"],
    )
    assert report.unit == world.unit_other
    with pytest.raises(DomainError):
        services.report_start(
            campaign=campaign,
            unit=world.unit_a,
            kind="final",
            actor=world.users["officer"],
        )


def test_scope_all_reaches_members_of_every_cluster_in_the_period(world):
    campaign = make_campaign(
        world, CampaignState.LAUNCHED, scope=CampaignScope.ALL, clusters=[]
    )
    services.report_start(
        campaign=campaign,
        unit=world.unit_other,
        kind="final",
        actor=world.users["other_officer"],
    )
    loner = UnitFactory(authority=world.authority)
    with pytest.raises(DomainError):
        services.report_start(
            campaign=campaign, unit=loner, kind="final", actor=world.users["staff"]
        )
    later = make_campaign(
        world,
        CampaignState.LAUNCHED,
        scope=CampaignScope.ALL,
        clusters=[],
        title="2026",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        decision_date=datetime.date(2026, 1, 1),
    )
    with pytest.raises(DomainError):
        services.report_start(
            campaign=later,
            unit=world.unit_a,
            kind="final",
            actor=world.users["officer"],
        )


# Reviews and rules -------------------------------------------------------------


def test_summaries_are_written_in_their_stage(world, launched):
    staff = world.users["staff"]
    with pytest.raises(DomainError):
        services.review_save(
            campaign=launched, stage="midterm", actor=staff, summary="x"
        )
    services.campaign_transition(
        campaign=launched, to_state="midterm_review", actor=staff
    )
    review = services.review_save(
        campaign=launched,
        stage="midterm",
        actor=staff,
        summary="Sơ kết",
        held_on=datetime.date(2024, 7, 1),
    )
    assert review.summary == "Sơ kết"
    with pytest.raises(DomainError):
        services.review_save(campaign=launched, stage="final", actor=staff, summary="x")
    with pytest.raises(DomainError, match="Write the summary"):
        services.review_save(
            campaign=launched, stage="midterm", actor=staff, summary=""
        )


def test_rule_counts_only_for_assessed_or_bonus_criteria_of_a_draft_pledge(
    world, pledge
):
    admin = world.users["admin"]
    indicator = pledge.criteria.get(code="I.1")
    with pytest.raises(DomainError):
        services.rule_save(criterion=indicator, actor=admin, points_per_campaign=1)
    assessed = pledge.criteria.get(code="II.1")
    with pytest.raises(DomainError, match="more than 0"):
        services.rule_save(criterion=assessed, actor=admin, points_per_campaign=0)
    with pytest.raises(DomainError, match="cannot earn more"):
        services.rule_save(criterion=assessed, actor=admin, points_per_campaign=41)
    with pytest.raises(DomainError, match="Unknown kind"):
        services.rule_save(
            criterion=assessed, actor=admin, points_per_campaign=5, kinds=["x"]
        )
    rule = services.rule_save(
        criterion=assessed, actor=admin, points_per_campaign=5, kinds=["themed"]
    )
    assert (rule.points_per_campaign, rule.kinds) == (5, ["themed"])
    pledge.state = PledgeState.SIGNING
    pledge.save()
    assessed.refresh_from_db()
    with pytest.raises(DomainError, match="amend it"):
        services.rule_delete(criterion=assessed, actor=admin)
    assert CampaignRule.objects.count() == 1
