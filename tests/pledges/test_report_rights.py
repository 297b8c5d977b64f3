"""Evidence files follow the report's own rule in the services: only the
unit's officers (and an admin of the authority, as support) attach or remove
them (`pledges.permissions.report_fill_refusal`); anyone else is refused and
nothing changes. The other report services are in the finality matrix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import services
from pledges.models import Evidence, Report
from tests.finality import term_rows
from tests.pledges.conftest import set_all_targets

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
REFUSED = ("chair_officer", "staff", "other_admin", "other_officer")


def _pdf():
    return SimpleUploadedFile("minh-chung.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def report(world, pledge):
    """Unit A's draft report, started by its officer, in the reporting stage."""
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    return services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )


def _criterion(pledge):
    return pledge.criteria.get(code="II.1")


@pytest.mark.parametrize("role", REFUSED)
def test_only_the_units_fillers_attach_evidence(world, pledge, report, role):
    before = term_rows(world.term)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.evidence_add(
            report=Report.objects.get(pk=report.pk),
            criterion=_criterion(pledge),
            upload=_pdf(),
            actor=world.users[role],
        )
    assert refused.value.message == "Only the unit's own officers fill in its report."
    assert term_rows(world.term) == before


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_the_units_officer_and_an_admin_attach_evidence(world, pledge, report, role):
    evidence = services.evidence_add(
        report=Report.objects.get(pk=report.pk),
        criterion=_criterion(pledge),
        upload=_pdf(),
        actor=world.users[role],
    )
    assert evidence.history.latest().history_user == world.users[role]


@pytest.mark.parametrize("role", REFUSED)
def test_only_the_units_fillers_remove_evidence(world, pledge, report, role):
    evidence = services.evidence_add(
        report=Report.objects.get(pk=report.pk),
        criterion=_criterion(pledge),
        upload=_pdf(),
        actor=world.users["officer"],
    )
    before = term_rows(world.term)
    with pytest.raises(DomainError):
        services.evidence_delete(
            evidence=Evidence.objects.get(pk=evidence.pk), actor=world.users[role]
        )
    assert term_rows(world.term) == before
    services.evidence_delete(
        evidence=Evidence.objects.get(pk=evidence.pk), actor=world.users["officer"]
    )
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
