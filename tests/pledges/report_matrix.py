"""Permission-matrix rows of the report URLs, in the format of
`tests.test_permission_matrix.MATRIX` (name → (method, kwargs from the world,
data, expected statuses by role in `tests.conftest.ROLES` order)).

Report URLs need the world's term to have a pledge and to be in the reporting
state; evidence URLs need a file. Both are made on first use and cached on the
world object."""

from django.core.files.uploadedfile import SimpleUploadedFile

from clusters.models import Term, TermState
from pledges import services
from tests.pledges.conftest import world_pledge

LOGIN = "login-redirect"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin.
# The unit's officers and the reviewers (chair officers, staff, admins).
READ_REPORT = [LOGIN, 200, 404, 200, 200, 200, 404]
# Only the unit's own officers change the report.
EDIT_REPORT = [LOGIN, 200, 404, 403, 403, 403, 404]
EDIT_POST = [LOGIN, 302, 404, 403, 403, 403, 404]
# A member's officer is sent on to the unit's own report.
REPORT_LIST = [LOGIN, 302, 404, 200, 200, 200, 404]
EXTEND = [LOGIN, 403, 404, 403, 403, 302, 404]


def reporting_term(world):
    """The world's term with a pledge, moved to the reporting state."""
    if not hasattr(world, "_reporting"):
        world_pledge(world)
        Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
        world.term.refresh_from_db()
        world._reporting = True
    return world.term


def _assessed(world):
    reporting_term(world)
    return world_pledge(world).criteria.get(code="II.1")


def report_evidence(world):
    """An evidence file of unit A's report."""
    if not hasattr(world, "_evidence"):
        term = reporting_term(world)
        officer = world.users["officer"]
        report = services.report_start(term=term, unit=world.unit_a, actor=officer)
        world._evidence = services.evidence_add(
            report=report,
            criterion=_assessed(world),
            upload=SimpleUploadedFile("ke-hoach.pdf", PDF),
            actor=officer,
        )
    return world._evidence


def _report_kwargs(world):
    return {"pk": reporting_term(world).pk, "unit_pk": world.unit_a.pk}


MATRIX_ROWS = {
    "report_list": (
        "get",
        lambda w: {"pk": reporting_term(w).pk},
        None,
        REPORT_LIST,
    ),
    "deadline_extend": (
        "post",
        lambda w: {"pk": reporting_term(w).pk},
        lambda w: {
            "unit": w.unit_a.pk,
            "until": "31/12/2099",
            "reason": "Lũ lụt kéo dài",
        },
        EXTEND,
    ),
    "report_edit": ("get", _report_kwargs, None, READ_REPORT),
    "report_preview": (
        "post",
        _report_kwargs,
        lambda w: {
            "indicator": world_pledge(w).indicators.get(code="CT1").pk,
            "value": "1.234,5",
        },
        EDIT_REPORT,
    ),
    "evidence_upload": (
        "post",
        _report_kwargs,
        lambda w: {
            "criterion": _assessed(w).pk,
            "file": SimpleUploadedFile("bao-cao.pdf", PDF),
        },
        EDIT_POST,
    ),
    "evidence_download": (
        "get",
        lambda w: {"pk": report_evidence(w).pk},
        None,
        READ_REPORT,
    ),
    "evidence_delete": (
        "post",
        lambda w: {"pk": report_evidence(w).pk},
        None,
        EDIT_POST,
    ),
}
