"""Campaign fixtures on the shared `world`: a 2024 campaign of the world's
cluster (reaching unit A, the chair and the deputy, not the other cluster's unit)
with two figures, in the state each test needs."""

import datetime

import pytest

from campaigns import services
from campaigns.models import CampaignScope, CampaignState, ReportKind
from tests.pledges.conftest import pledge  # noqa: F401  (the world's pledge)

METRICS = [("Số hoạt động", "hoạt động"), ("Số người tham gia", "người")]


def campaign_fields(world, **overrides):
    fields = {
        "kind": "themed",
        "title": "Thi đua văn hóa công sở",
        "slogan": "Chuyên nghiệp, vì dân",
        "launched_by": "UBND tỉnh",
        "decision_number": "1450/QĐ-UBND",
        "decision_date": datetime.date(2024, 1, 10),
        "decision_signer": "Chủ tịch Nguyễn Văn A",
        "start_date": datetime.date(2024, 1, 10),
        "end_date": datetime.date(2024, 12, 31),
        "scope": CampaignScope.CLUSTERS,
        "clusters": [world.cluster],
        "metrics": METRICS,
    }
    fields.update(overrides)
    return fields


def make_campaign(world, state=CampaignState.DRAFT, **overrides):
    """A campaign of the world's authority moved on to `state` through the
    services (the final summary is written on the way to closed)."""
    staff = world.users["staff"]
    campaign = services.campaign_create(
        authority=world.authority, actor=staff, **campaign_fields(world, **overrides)
    )
    path = [
        CampaignState.LAUNCHED,
        CampaignState.FINAL_REVIEW,
        CampaignState.CLOSED,
    ]
    for step in path:
        if list(CampaignState).index(campaign.state) >= list(CampaignState).index(
            state
        ):
            break
        if step == CampaignState.CLOSED:
            services.review_save(
                campaign=campaign, stage="final", actor=staff, summary="Tốt"
            )
        campaign = services.campaign_transition(
            campaign=campaign, to_state=step, actor=staff
        )
    return campaign


def file_final(campaign, unit, user, *, accept_by=None, values=(3, 40)):
    """The unit's final report, filled and submitted (and accepted by
    `accept_by` when given)."""
    report = services.report_start(
        campaign=campaign, unit=unit, kind=ReportKind.FINAL, actor=user
    )
    metrics = list(campaign.metrics.order_by("position"))
    report = services.report_save(
        report=report,
        actor=user,
        activities="Tổ chức 3 hội nghị",
        figures=dict(zip(metrics, values, strict=False)),
    )
    report = services.report_submit(report=report, actor=user)
    if accept_by is not None:
        report = services.report_accept(report=report, actor=accept_by)
    return report


@pytest.fixture
def draft(world):
    return make_campaign(world)


@pytest.fixture
def launched(world):
    return make_campaign(world, CampaignState.LAUNCHED)
