"""Permission-matrix rows of the campaign URLs, in the format of
`tests.test_permission_matrix.MATRIX` (name → (method, kwargs from the world,
data, expected statuses by role in `tests.conftest.ROLES` order)).

The campaign is launched for the world's cluster (unit A, the chair and the
deputy; not the other cluster's unit), created once per world and cached."""

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns import services
from campaigns.models import CampaignAttachment, CampaignState, ReportEvidence
from tests.campaigns.conftest import file_final, make_campaign
from tests.pledges.conftest import world_pledge

LOGIN = "login-redirect"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin.
READ_ALL = [LOGIN, 200, 200, 200, 200, 200, 200]
MANAGE = [LOGIN, 403, 403, 403, 200, 200, 200]
MANAGE_OBJECT = [LOGIN, 403, 403, 403, 200, 200, 404]
MANAGE_POST = [LOGIN, 403, 403, 403, 302, 302, 404]
# Campaign pages: officers of units it reaches, staff and admins.
READ_CAMPAIGN = [LOGIN, 200, 404, 200, 200, 200, 404]
# Unit A's report: its officers, staff and admins.
READ_REPORT = [LOGIN, 200, 404, 404, 200, 200, 404]
# The report's file: only its officers may delete it.
DELETE_EVIDENCE = [LOGIN, 302, 404, 404, 403, 403, 404]
READ_TERM = [LOGIN, 200, 404, 200, 200, 200, 404]


def _campaign(world):
    campaign = getattr(world, "_campaign", None)
    if campaign is None:
        campaign = make_campaign(world, CampaignState.LAUNCHED)
        world._campaign = campaign
    return campaign


def _attachment(world):
    attachment = getattr(world, "_campaign_attachment", None)
    if attachment is None:
        attachment = services.attachment_add(
            campaign=_campaign(world),
            upload=SimpleUploadedFile("qd.pdf", PDF, "application/pdf"),
            actor=world.users["staff"],
        )
        world._campaign_attachment = attachment
    return attachment


def _submitted(world):
    report = getattr(world, "_campaign_report", None)
    if report is None:
        report = file_final(_campaign(world), world.unit_a, world.users["officer"])
        world._campaign_report = report
    return report


def _evidence(world):
    evidence = getattr(world, "_campaign_evidence", None)
    if evidence is None:
        campaign = _campaign(world)
        report = services.report_start(
            campaign=campaign,
            unit=world.unit_a,
            kind="registration",
            actor=world.users["officer"],
        )
        evidence = services.evidence_add(
            report=report,
            upload=SimpleUploadedFile("anh.pdf", PDF, "application/pdf"),
            actor=world.users["officer"],
        )
        world._campaign_evidence = evidence
    return evidence


def _criterion(world):
    return world_pledge(world).criteria.get(code="II.1")


MATRIX_ROWS = {
    "campaign_list": ("get", None, None, READ_ALL),
    "campaign_create": ("get", None, None, MANAGE),
    "campaign_statistics": ("get", None, None, MANAGE),
    "campaign_statistics_xlsx": ("get", None, None, MANAGE),
    "campaign_detail": (
        "get",
        lambda w: {"pk": _campaign(w).pk},
        None,
        READ_CAMPAIGN,
    ),
    "campaign_edit": (
        "get",
        lambda w: {"pk": _campaign(w).pk},
        None,
        MANAGE_OBJECT,
    ),
    "campaign_transition": (
        "post",
        lambda w: {"pk": _campaign(w).pk},
        {"to_state": "final_review"},
        MANAGE_POST,
    ),
    "campaign_attachment_upload": (
        "post",
        lambda w: {"pk": _campaign(w).pk},
        None,
        MANAGE_POST,
    ),
    "campaign_attachment_download": (
        "get",
        lambda w: {"pk": _attachment(w).pk},
        None,
        READ_CAMPAIGN,
    ),
    "campaign_attachment_delete": (
        "post",
        lambda w: {"pk": _attachment(w).pk},
        None,
        MANAGE_POST,
    ),
    "campaign_report": (
        "get",
        lambda w: {"pk": _campaign(w).pk, "unit_pk": w.unit_a.pk, "kind": "final"},
        None,
        READ_REPORT,
    ),
    "campaign_report_review": (
        "post",
        lambda w: {
            "pk": _submitted(w).campaign_id,
            "unit_pk": w.unit_a.pk,
            "kind": "final",
        },
        {"action": "accept"},
        [LOGIN, 403, 403, 403, 302, 302, 404],
    ),
    "campaign_evidence_download": (
        "get",
        lambda w: {"pk": _evidence(w).pk},
        None,
        READ_REPORT,
    ),
    "campaign_evidence_delete": (
        "post",
        lambda w: {"pk": _evidence(w).pk},
        None,
        DELETE_EVIDENCE,
    ),
    "campaign_review": (
        "get",
        lambda w: {"pk": _campaign(w).pk, "stage": "final"},
        None,
        MANAGE_OBJECT,
    ),
    "campaign_review_docx": (
        "get",
        lambda w: {"pk": _campaign(w).pk, "stage": "final"},
        None,
        MANAGE_OBJECT,
    ),
    "criterion_campaigns": (
        "get",
        lambda w: {"pk": w.term.pk, "criterion_pk": _criterion(w).pk},
        None,
        READ_TERM,
    ),
}


def snapshot():
    """Counts that a refused campaign request must leave unchanged."""
    from campaigns.models import Campaign, CampaignReport

    return (
        list(Campaign.objects.order_by("pk").values_list("pk", "state", "version")),
        list(CampaignReport.objects.order_by("pk").values_list("pk", "state")),
        CampaignAttachment.objects.count(),
        ReportEvidence.objects.count(),
    )
