"""Input hygiene in the pledges app: raw-read comments and reasons
arrive without control characters; documents and workbooks written from legacy
data holding them (or formula-like names) neither crash nor run formulas."""

import io

import docx
import openpyxl
from django.urls import reverse

from clusters.models import Cluster, TermState, Unit
from pledges import documents, results_excel, services
from pledges.excel import targets_workbook
from pledges.models import Indicator, Objection, Pledge, Report, ReportState
from tests.pledges.conftest import set_all_targets, term_to

HOSTILE = "Xem\x0b lại\x00 điểm\x1f"


def _submitted(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    term_to(world, TermState.REPORTING)
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        services.report_start(term=world.term, unit=unit, actor=world.users["admin"])
    Report.objects.update(state=ReportState.SUBMITTED)


def test_objection_text_and_reason_read_raw_are_stored_clean(world, login, pledge):
    _submitted(world, pledge)
    term_to(world, TermState.REPLY)
    criterion = pledge.criteria.get(code="II.1")
    url = reverse("reply", args=[world.term.pk])
    member = login(world.users["officer"])
    response = member.post(
        url, {"action": "object", "criterion": criterion.pk, "text": HOSTILE}
    )
    assert response.status_code < 500
    objection = Objection.objects.get()
    assert objection.text == "Xem lại điểm"
    chair = login(world.users["chair_officer"])
    response = chair.post(
        url,
        {
            "action": "accept",
            "objection": objection.pk,
            "points": "36",
            "reason": "Đúng\x00 rồi\x0b",
        },
    )
    assert response.status_code < 500
    objection.refresh_from_db()
    assert objection.answer == "accepted"
    assert "\x00" not in str(objection.__dict__)
    assert "\x0b" not in str(objection.__dict__)


def test_oversized_objection_id_is_not_a_server_error(world, login, pledge):
    _submitted(world, pledge)
    term_to(world, TermState.REPLY)
    chair = login(world.users["chair_officer"])
    response = chair.post(
        reverse("reply", args=[world.term.pk]),
        {"action": "accept", "objection": "9" * 5000, "points": "1", "reason": "x"},
    )
    assert response.status_code == 404


def test_dashboard_workbook_writes_formula_names_as_text(world, login, pledge):
    Cluster.objects.filter(pk=world.cluster.pk).update(
        name='=HYPERLINK("http://evil.example","Cụm A")'
    )
    client = login(world.users["staff"])
    response = client.get(reverse("dashboard_xlsx"), {"year": "2024"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    names = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in names] == [
        ('\'=HYPERLINK("http://evil.example","Cụm A")', "s")
    ]
    assert all(c.data_type != "f" for c in cells)
    members = [c for c in sheet[2] if c.column == 3]
    assert members[0].data_type == "n"


def docx_text(content):
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def test_workbooks_and_pledge_document_survive_legacy_control_characters(world, pledge):
    Indicator.objects.filter(pledge=pledge).update(title="Chỉ tiêu\x0b cũ\x1f")
    Unit.objects.filter(pk=world.unit_a.pk).update(name="-Huyện A\x1f")
    Cluster.objects.filter(pk=world.cluster.pk).update(name="Cụm\x0b A")
    pledge = Pledge.objects.get(pk=pledge.pk)
    units = [m.unit for m in world.term.memberships.select_related("unit")]

    targets = openpyxl.load_workbook(io.BytesIO(targets_workbook(pledge, units)))
    results = openpyxl.load_workbook(
        io.BytesIO(results_excel.results_workbook(world.term, units))
    )
    for book in (targets, results):
        texts = [
            c.value
            for row in book.active.iter_rows()
            for c in row
            if isinstance(c.value, str)
        ]
        assert "Chỉ tiêu cũ" in texts
        assert "'-Huyện A" in texts

    text = docx_text(documents.pledge_docx(pledge))
    assert "Cụm A" in text
    assert "Chỉ tiêu cũ" in text
