"""Report pages: the journey of a report through the browser-less client, stale
saves, hostile uploads and input, scoping, live points, query counts and the
who-has-not-submitted panel."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clusters.models import Term, TermState
from core.formatting import format_number
from pledges import scoring
from pledges.models import (
    CommendationFigure,
    Criterion,
    DeadlineExtension,
    Evidence,
    Indicator,
    IndicatorResult,
    Report,
    ReportState,
    ReviewItem,
    Target,
)
from pledges.uploads import MAX_EVIDENCE_BYTES
from tests.clusters.factories import MembershipFactory, UnitFactory, officer
from tests.helpers import assert_queries_stable, fuzz_form
from tests.pledges.conftest import set_all_targets

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def reporting(world, pledge):
    """The world's pledge with targets of 100, its term in the reporting state."""
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    return pledge


def _url(world, name="report_edit", unit=None):
    return reverse(name, args=[world.term.pk, (unit or world.unit_a).pk])


def _codes(pledge):
    indicators = {i.code: i for i in pledge.indicators.all()}
    criteria = {c.code: c for c in pledge.criteria.all()}
    return indicators, criteria


def _version(world, unit=None):
    report = Report.objects.filter(term=world.term, unit=unit or world.unit_a).first()
    return report.version if report else 1


def _save(client, world, section, data, version=None, **extra):
    payload = {
        "section": section,
        "version": _version(world) if version is None else version,
        **data,
    }
    return client.post(_url(world), payload, **extra)


def _indicators(pledge, ct1="105", ct2="90"):
    ind, _crit = _codes(pledge)
    return {
        f"actual_{ind['CT1'].pk}": ct1,
        f"note_{ind['CT1'].pk}": "Theo niên giám thống kê",
        f"actual_{ind['CT2'].pk}": ct2,
        f"note_{ind['CT2'].pk}": "",
    }


def _criteria(pledge, points="35"):
    _ind, crit = _codes(pledge)
    return {
        f"points_{crit['II.1'].pk}": points,
        f"explanation_{crit['II.1'].pk}": "Chỉ số cải cách hành chính đạt khá",
        f"points_{crit['III.1'].pk}": "",
        f"explanation_{crit['III.1'].pk}": "",
    }


def _commendations(rows):
    data = {
        "comm-TOTAL_FORMS": str(max(len(rows), 3)),
        "comm-INITIAL_FORMS": "0",
        "comm-MIN_NUM_FORMS": "0",
        "comm-MAX_NUM_FORMS": "100",
    }
    for n, (title, collectives, individuals) in enumerate(rows):
        data[f"comm-{n}-title"] = title
        data[f"comm-{n}-collectives"] = collectives
        data[f"comm-{n}-individuals"] = individuals
    return data


def _upload(client, world, criterion, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        _url(world, "evidence_upload"),
        {"criterion": criterion.pk, "file": SimpleUploadedFile(name, content)},
    )


def _fill_everything(client, world, pledge):
    _ind, crit = _codes(pledge)
    assert _save(client, world, "indicators", _indicators(pledge)).status_code == 302
    assert _save(client, world, "criteria", _criteria(pledge)).status_code == 302
    assert _upload(client, world, crit["II.1"], "ke-hoach.pdf", PDF).status_code == 302


def _submit(client, world):
    return client.post(_url(world), {"action": "submit", "version": _version(world)})


def _report(world, unit=None):
    return Report.objects.get(term=world.term, unit=unit or world.unit_a)


# The journey -----------------------------------------------------------------------


def test_report_journey_fill_submit_return_resubmit_accept(world, login, reporting):
    pledge = reporting
    ind, crit = _codes(pledge)
    client = login(world.users["officer"])

    page = client.get(_url(world))
    assert page.status_code == 200
    assert f'name="actual_{ind["CT1"].pk}"' in page.content.decode()
    assert not Report.objects.exists(), "opening the page creates nothing"

    response = _save(client, world, "indicators", _indicators(pledge, ct1="1.234,5"))
    assert response.status_code == 302
    assert response["Location"].endswith("#sec-indicators")
    report = _report(world)
    assert report.version == 2
    assert report.results.get(indicator=ind["CT1"]).actual == Decimal("1234.5")

    assert _save(client, world, "criteria", _criteria(pledge)).status_code == 302
    response = _save(
        client,
        world,
        "commendations",
        _commendations(
            [("Giấy khen của Chủ tịch UBND", "5.099", "22.569"), ("", "", "")]
        ),
    )
    assert response.status_code == 302
    assert (
        _save(client, world, "summary", {"summary": "Tóm tắt năm"}).status_code == 302
    )
    report = _report(world)
    assert report.results.count() == 2, "other sections kept"
    assert report.self_scores.get(criterion=crit["II.1"]).points == Decimal(35)
    figure = report.commendations.get()
    assert (figure.form, figure.collectives, figure.individuals) == (
        "Giấy khen của Chủ tịch UBND",
        5099,
        22569,
    )
    assert report.summary == "Tóm tắt năm"

    page = client.get(_url(world)).content.decode()
    assert 'id="missing"' in page
    assert f'href="#c-{crit["II.1"].pk}"' in page, "the missing file is linked"
    refused = _submit(client, world)
    assert refused.status_code == 200
    assert 'id="submit-error"' in refused.content.decode()
    assert _report(world).state == ReportState.DRAFT

    response = _upload(client, world, crit["II.1"], "ke-hoach.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    response = _submit(client, world)
    assert response.status_code == 302
    report = _report(world)
    assert (report.state, report.late) == (ReportState.SUBMITTED, False)
    page = client.get(_url(world)).content.decode()
    assert f'name="actual_{ind["CT1"].pk}"' not in page, "read-only after submit"
    assert 'id="submit-report"' not in page

    chair = login(world.users["chair_officer"])
    page = chair.get(_url(world)).content.decode()
    assert 'id="accept-report"' in page
    assert f'name="reason_i{ind["CT1"].pk}"' in page
    response = chair.post(
        _url(world),
        {
            "action": "return",
            f"reason_i{ind['CT1'].pk}": "Số liệu chưa khớp niên giám",
            "reason_summary": "",
        },
    )
    assert response.status_code == 302
    assert _report(world).state == ReportState.RETURNED
    item = ReviewItem.objects.get()
    assert (item.part, item.indicator, item.created_by) == (
        "indicator",
        ind["CT1"],
        world.users["chair_officer"],
    )

    client = login(world.users["officer"])
    page = client.get(_url(world)).content.decode()
    assert 'id="returned-items"' in page
    assert f'id="returned-i-{ind["CT1"].pk}"' in page
    assert "Số liệu chưa khớp niên giám" in page
    assert re.search(
        rf'<tr id="i-{ind["CT1"].pk}" class="[^"]*border border-2 border-warning">',
        page,
    ), "the returned row is highlighted"

    assert _save(client, world, "indicators", _indicators(pledge)).status_code == 302
    assert _submit(client, world).status_code == 302
    assert _report(world).state == ReportState.SUBMITTED
    assert ReviewItem.objects.get().resolved_at is not None

    chair = login(world.users["chair_officer"])
    assert chair.post(_url(world), {"action": "accept"}).status_code == 302
    assert _report(world).state == ReportState.ACCEPTED
    page = chair.get(_url(world)).content.decode()
    assert 'id="review-items"' in page
    assert "Số liệu chưa khớp niên giám" in page, "the exchange is kept"
    assert re.findall(r'<li data-state="(\w+)">', page) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ], "every step of the exchange is in the history"


# Optimistic locking --------------------------------------------------------------


def test_stale_save_gives_409_names_who_and_saves_nothing(world, login, reporting):
    first = world.users["officer"]
    second = officer(world.unit_a, username="officer_a2", full_name="Lê Thị Hai")
    client = login(first)
    assert (
        _save(client, world, "summary", {"summary": "Bản của A"}, 1).status_code == 302
    )
    report = _report(world)

    client = login(second)
    response = _save(client, world, "summary", {"summary": "Bản của B"}, 1)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="stale-alert"' in page
    assert 'id="reload-link"' in page
    assert first.display_name in page
    assert "Bản của B" in page, "the stale form keeps what was typed"
    after = _report(world)
    assert (after.summary, after.version) == ("Bản của A", report.version)

    response = _save(
        client, world, "indicators", _indicators(reporting), 1, HTTP_HX_REQUEST="true"
    )
    assert 'id="stale-indicators"' in response.content.decode()
    assert not IndicatorResult.objects.exists()
    assert _report(world).version == report.version


def test_second_section_saved_from_the_same_page_is_not_a_conflict(
    world, login, reporting
):
    """The page still carries version 1 after saving a section;
    saving another section with it is the officer's own change, not a
    conflict with “someone else”."""
    client = login(world.users["officer"])
    figures = {
        "comm-TOTAL_FORMS": "1",
        "comm-INITIAL_FORMS": "0",
        "comm-0-title": "Giấy khen",
        "comm-0-collectives": "12",
        "comm-0-individuals": "40",
    }
    assert _save(client, world, "commendations", figures, 1).status_code == 302
    response = _save(client, world, "summary", {"summary": "Tóm tắt"}, 1)
    assert response.status_code == 302
    after = _report(world)
    assert (after.summary, after.version) == ("Tóm tắt", 3)
    assert after.commendations.get().collectives == 12
    response = client.post(_url(world), {"action": "submit", "version": 1})
    assert response.status_code != 409


def test_another_officers_save_in_between_answers_409_naming_them(
    world, login, reporting
):
    first = world.users["officer"]
    second = officer(world.unit_a, username="officer_a2", full_name="Lê Thị Hai")
    client = login(first)
    assert _save(client, world, "summary", {"summary": "A"}, 1).status_code == 302
    other = login(second)
    assert _save(other, world, "summary", {"summary": "B"}, 2).status_code == 302
    client = login(first)
    response = _save(client, world, "indicators", _indicators(reporting), 1)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Lê Thị Hai" in page
    assert first.display_name not in page.split('id="stale-alert"')[1][:400]
    assert not IndicatorResult.objects.exists()
    assert _report(world).version == 3


def test_htmx_save_swaps_the_section_and_refreshes_the_versions(
    world, login, reporting
):
    client = login(world.users["officer"])
    response = _save(
        client, world, "summary", {"summary": "Tóm tắt"}, 1, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _report(world).version == 2
    for section in ("indicators", "criteria", "commendations", "summary"):
        assert f'value="2" id="version-{section}"' in page
    assert 'hx-select="#sec-summary"' in page


def test_first_save_that_fails_creates_no_report(world, login, reporting):
    client = login(world.users["officer"])
    response = _save(client, world, "indicators", _indicators(reporting, ct1="-5"))
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Report.objects.exists()


# Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field_error"),
    [
        ("mười hai", True),
        ("-1", True),
        ("99999999999999999999", True),
        ("1e400", True),
        ("NaN", True),
        ("1.234,5", False),
    ],
)
def test_number_fields_refuse_text_negative_and_huge(
    world, login, reporting, text, field_error
):
    client = login(world.users["officer"])
    response = _save(client, world, "indicators", _indicators(reporting, ct1=text))
    assert response.status_code == (200 if field_error else 302)
    if field_error:
        assert "invalid-feedback" in response.content.decode()
        assert not IndicatorResult.objects.exists(), "nothing is half-saved"


def test_points_above_the_criterion_maximum_are_refused(world, login, reporting):
    client = login(world.users["officer"])
    response = _save(client, world, "criteria", _criteria(reporting, points="41"))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Report.objects.exists()


def test_duplicate_commendation_forms_are_refused(world, login, reporting):
    client = login(world.users["officer"])
    rows = [("Giấy khen", "1", "2"), ("giấy khen", "3", "4")]
    response = _save(client, world, "commendations", _commendations(rows))
    assert response.status_code == 200
    assert not CommendationFigure.objects.exists()


def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/zeros.bin", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("x.pdf", EXE, "x.pdf"),
        ("chuong-trinh.exe", EXE, ".docx"),
        ("lon.pdf", b"%PDF-1.4\n" + b"0" * MAX_EVIDENCE_BYTES, "10 MB"),
        ("bom.docx", None, "bom.docx"),
    ],
    ids=["renamed-executable", "executable", "oversize", "zip-bomb"],
)
def test_refused_uploads_say_why_and_save_nothing(
    world, login, reporting, name, content, needle
):
    _ind, crit = _codes(reporting)
    client = login(world.users["officer"])
    response = _upload(client, world, crit["II.1"], name, content or _zip_bomb())
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(
        rf'id="evidence-error-{crit["II.1"].pk}" role="alert">([^<]+)<', page
    )
    assert match, "the error is shown next to the criterion's file field"
    assert needle in match.group(1)
    assert not Evidence.objects.exists()
    assert not Report.objects.exists(), "nothing is half-saved"


def test_missing_file_is_refused_with_a_message(world, login, reporting):
    _ind, crit = _codes(reporting)
    client = login(world.users["officer"])
    response = client.post(
        _url(world, "evidence_upload"), {"criterion": crit["II.1"].pk}
    )
    assert response.status_code == 200
    assert f'id="evidence-error-{crit["II.1"].pk}"' in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_is_stored_under_a_generated_name_and_served_as_uploaded(
    world, login, reporting
):
    _ind, crit = _codes(reporting)
    client = login(world.users["officer"])
    _upload(client, world, crit["II.1"], "Kế hoạch 2024.pdf", PDF)
    evidence = Evidence.objects.get()
    assert "Kế hoạch" not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{world.term.pk}/")
    for role in ("officer", "chair_officer", "staff", "admin"):
        response = login(world.users[role]).get(
            reverse("evidence_download", args=[evidence.pk])
        )
        assert response.status_code == 200, role
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            "K%E1%BA%BF%20ho%E1%BA%A1ch%202024.pdf" in response["Content-Disposition"]
        )


def test_evidence_delete_only_while_editable(world, login, reporting):
    _ind, crit = _codes(reporting)
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    evidence = Evidence.objects.get()
    url = reverse("evidence_delete", args=[evidence.pk])
    assert login(world.users["chair_officer"]).post(url).status_code == 403
    client = login(world.users["officer"])
    assert _submit(client, world).status_code == 302
    assert client.post(url).status_code == 302
    assert Evidence.objects.filter(pk=evidence.pk).exists(), "locked after submit"
    Report.objects.filter(pk=evidence.report_id).update(state=ReportState.RETURNED)
    assert client.post(url).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


# Scope ----------------------------------------------------------------------------


def test_officer_of_another_unit_gets_404(world, login, reporting):
    _ind, crit = _codes(reporting)
    _upload(login(world.users["officer"]), world, crit["II.1"], "a.pdf", PDF)
    evidence = Evidence.objects.get()
    client = login(world.users["other_officer"])
    assert client.get(_url(world)).status_code == 404
    assert (
        client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    )
    assert (
        client.post(_url(world, "report_preview"), {"indicator": 1}).status_code == 404
    )

    deputy = officer(world.unit_deputy, username="officer_deputy")
    client = login(deputy)
    assert client.get(_url(world)).status_code == 403
    assert (
        client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    )
    before = _report(world).version
    response = _save(client, world, "summary", {"summary": "x"})
    assert response.status_code == 403
    assert _report(world).version == before


def test_a_unit_that_is_not_a_member_gives_404(world, login, reporting):
    client = login(world.users["admin"])
    assert client.get(_url(world, unit=world.unit_other)).status_code == 404
    assert client.get(
        reverse("report_edit", args=[world.term.pk, 10**9])
    ).status_code == (404)


def test_save_after_submission_is_refused_and_changes_nothing(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    assert _submit(client, world).status_code == 302
    before = _report(world)
    response = _save(client, world, "summary", {"summary": "Sửa sau khi gửi"})
    assert response.status_code == 302
    after = _report(world)
    assert (after.summary, after.version) == (before.summary, before.version)
    page = client.get(response["Location"]).content.decode()
    assert 'class="alert alert-danger"' in page


def test_reviewer_cannot_save_and_officer_cannot_review(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    assert _submit(client, world).status_code == 302
    assert client.post(_url(world), {"action": "accept"}).status_code == 403
    staff = login(world.users["staff"])
    assert _save(staff, world, "summary", {"summary": "x"}).status_code == 403
    assert _report(world).state == ReportState.SUBMITTED


def test_return_needs_at_least_one_reason(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    _submit(client, world)
    chair = login(world.users["chair_officer"])
    response = chair.post(_url(world), {"action": "return", "reason_summary": "  "})
    assert response.status_code == 200
    assert 'id="return-form"' in response.content.decode()
    assert _report(world).state == ReportState.SUBMITTED
    assert not ReviewItem.objects.exists()


# Live points ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["75,5", "1.234,5", "0", "50"])
def test_preview_fragment_gives_the_points_of_the_scoring_module(
    world, login, reporting, typed
):
    ind, _crit = _codes(reporting)
    ct1 = ind["CT1"]
    client = login(world.users["officer"])
    response = client.post(
        _url(world, "report_preview"),
        {"indicator": ct1.pk, f"actual_{ct1.pk}": typed},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    # Its cells come in a table of their own (htmx drops the tables after a
    # fragment's leading cell).
    assert fragment.lstrip().startswith(
        f'<table><tr><td class="text-end" id="ach-{ct1.pk}"'
    )
    value = Decimal(typed.replace(".", "").replace(",", "."))
    share = scoring.indicator_share(ct1.criterion, 1)
    _achieved, points = scoring.indicator_points(ct1, share, Decimal(100), value)
    with translation.override("vi"):
        expected = format_number(points, 2)
    cell = re.search(rf'id="pts-{ct1.pk}"[^>]*>([^<]*)<', fragment).group(1)
    assert cell == expected
    assert not Report.objects.exists(), "the preview writes nothing"


def test_preview_of_bad_text_explains_and_writes_nothing(world, login, reporting):
    ind, _crit = _codes(reporting)
    client = login(world.users["officer"])
    response = client.post(
        _url(world, "report_preview"), {"indicator": ind["CT1"].pk, "value": "abc"}
    )
    assert response.status_code == 200
    assert 'class="text-danger small"' in response.content.decode()
    assert client.post(
        _url(world, "report_preview"), {"indicator": "x", "value": "1"}
    ).status_code == (404)
    assert not Report.objects.exists()


# Deadlines ------------------------------------------------------------------------


def test_after_the_deadline_submission_needs_an_extension_and_is_late(
    world, login, reporting
):
    Term.objects.filter(pk=world.term.pk).update(
        report_deadline=datetime.date(2020, 1, 1)
    )
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    page = client.get(_url(world)).content.decode()
    assert 'id="deadline"' in page
    assert re.search(r'data-days="-\d+"', page), "overdue days are shown"
    refused = _submit(client, world)
    assert refused.status_code == 200
    assert 'id="submit-error"' in refused.content.decode()
    assert _report(world).state == ReportState.DRAFT

    admin = login(world.users["admin"])
    response = admin.post(
        reverse("deadline_extend", args=[world.term.pk]),
        {"unit": world.unit_a.pk, "until": "31/12/2099", "reason": "Lũ lụt"},
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (extension.until, extension.granted_by) == (
        datetime.date(2099, 12, 31),
        world.users["admin"],
    )
    client = login(world.users["officer"])
    assert _submit(client, world).status_code == 302
    report = _report(world)
    assert (report.state, report.late) == (ReportState.SUBMITTED, True)


def test_extension_form_errors_are_shown_and_nothing_is_granted(
    world, login, reporting
):
    Term.objects.filter(pk=world.term.pk).update(
        report_deadline=datetime.date(2024, 12, 31)
    )
    admin = login(world.users["admin"])
    response = admin.post(
        reverse("deadline_extend", args=[world.term.pk]),
        {"unit": world.unit_a.pk, "until": "01/12/2024", "reason": "x"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = admin.post(
        reverse("deadline_extend", args=[world.term.pk]),
        {"unit": world.unit_other.pk, "until": "31/01/2025", "reason": "x"},
    )
    assert response.status_code == 200
    assert not DeadlineExtension.objects.exists()


def test_countdown_is_shown_in_whole_days(world, login, reporting):
    from django.utils import timezone

    Term.objects.filter(pk=world.term.pk).update(
        report_deadline=timezone.localdate() + datetime.timedelta(days=12)
    )
    page = login(world.users["officer"]).get(_url(world)).content.decode()
    assert 'data-days="12"' in page


# Who has not submitted -----------------------------------------------------------


def test_panel_lists_every_member_with_state_and_counts(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    _submit(client, world)
    response = login(world.users["chair_officer"]).get(
        reverse("report_list", args=[world.term.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<tr id="unit-{world.unit_a.pk}" data-state="submitted">' in page
    assert f'<tr id="unit-{world.unit_deputy.pk}" data-state="none">' in page
    assert '<strong data-count="submitted">1</strong>' in page
    assert '<strong data-count="pending">2</strong>' in page
    assert 'name="until"' not in page, "only admins extend the deadline"
    pending = login(world.users["staff"]).get(
        reverse("report_list", args=[world.term.pk]), {"state": "pending"}
    )
    assert f'id="unit-{world.unit_a.pk}"' not in pending.content.decode()
    by_state = login(world.users["staff"]).get(
        reverse("report_list", args=[world.term.pk]), {"sort": "state"}
    )
    units = re.findall(r'<tr id="unit-(\d+)"', by_state.content.decode())
    assert units[-1] == str(world.unit_a.pk), "submitted after not started"
    admin_page = login(world.users["admin"]).get(
        reverse("report_list", args=[world.term.pk])
    )
    assert 'name="until"' in admin_page.content.decode()


def test_member_officer_is_sent_to_the_own_report(world, login, reporting):
    response = login(world.users["officer"]).get(
        reverse("report_list", args=[world.term.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world)


# Query counts ---------------------------------------------------------------------


def test_report_page_query_count_is_stable(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    report = _report(world)
    section = reporting.sections.get(code="I")

    def grow():
        criterion = Criterion.objects.create(
            pledge=reporting,
            section=section,
            code="I.9",
            title="Thêm",
            kind="indicator",
            max_points=5,
        )
        for n in range(45):
            indicator = Indicator.objects.create(
                pledge=reporting,
                criterion=criterion,
                code=f"CTX{n}",
                title=f"Chỉ tiêu thêm {n}",
                unit_of_measure="%",
            )
            Target.objects.create(
                indicator=indicator, unit=world.unit_a, planned=100, last_actual=90
            )
            IndicatorResult.objects.create(report=report, indicator=indicator, actual=n)

    assert_queries_stable(client, _url(world), grow)


def test_report_list_query_count_is_stable(world, login, reporting):
    def grow():
        for _n in range(45):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            Report.objects.create(
                term=world.term, unit=unit, updated_by=world.users["admin"]
            )
            DeadlineExtension.objects.create(
                term=world.term,
                unit=unit,
                until=datetime.date(2099, 1, 1),
                reason="x",
                granted_by=world.users["admin"],
            )

    client = login(world.users["admin"])
    assert_queries_stable(client, reverse("report_list", args=[world.term.pk]), grow)


# Hostile input ---------------------------------------------------------------------


class _Posting:
    """A client that adds fixed fields (callables are called each time) to every
    POST and runs `before()` first."""

    def __init__(self, client, fixed, before=None):
        self.client, self.fixed, self.before = client, fixed, before

    def post(self, url, data):
        if self.before:
            self.before()
        fixed = {k: v() if callable(v) else v for k, v in self.fixed.items()}
        return self.client.post(url, {**data, **fixed})


def _section_fields(pledge, section):
    ind, crit = _codes(pledge)
    if section == "indicators":
        return [f"{k}_{i.pk}" for i in ind.values() for k in ("actual", "note")]
    if section == "criteria":
        return [
            f"{k}_{c.pk}"
            for c in crit.values()
            if c.kind != "indicator"
            for k in ("points", "explanation")
        ]
    if section == "commendations":
        return [
            *(
                f"comm-{n}-{k}"
                for n in range(3)
                for k in ("title", "collectives", "individuals")
            ),
            "comm-TOTAL_FORMS",
            "comm-INITIAL_FORMS",
        ]
    return ["summary"]


@pytest.mark.parametrize(
    "section", ["indicators", "criteria", "commendations", "summary"]
)
def test_section_forms_survive_hostile_input(world, login, reporting, section):
    client = login(world.users["officer"])
    fields = _section_fields(reporting, section)
    fixed = {"section": section, "version": lambda: _version(world)}
    fuzz_form(_Posting(client, fixed), _url(world), fields=fields)


def test_section_and_action_fields_survive_hostile_input(world, login, reporting):
    client = login(world.users["officer"])
    fuzz_form(
        client,
        _url(world),
        fields=["section", "action", "version", "summary"],
        examples=100,
    )


def test_submit_form_survives_hostile_input(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    report = _report(world)

    def reset():
        Report.objects.filter(pk=report.pk).update(state=ReportState.DRAFT)

    fuzz_form(
        _Posting(client, {"action": "submit"}, reset), _url(world), fields=["version"]
    )


def test_return_form_survives_hostile_input(world, login, reporting):
    client = login(world.users["officer"])
    _fill_everything(client, world, reporting)
    _submit(client, world)
    report = _report(world)
    ind, crit = _codes(reporting)
    fields = [
        *(f"reason_i{i.pk}" for i in ind.values()),
        *(f"reason_c{c.pk}" for c in crit.values() if c.kind != "indicator"),
        "reason_commendations",
        "reason_summary",
    ]

    def reset():
        Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)

    chair = login(world.users["chair_officer"])
    fuzz_form(_Posting(chair, {"action": "return"}, reset), _url(world), fields=fields)


def test_extension_form_survives_hostile_input(world, login, reporting):
    client = login(world.users["admin"])
    fuzz_form(
        client,
        reverse("deadline_extend", args=[world.term.pk]),
        fields=["unit", "until", "reason"],
    )


def test_preview_survives_hostile_input(world, login, reporting):
    ind, _crit = _codes(reporting)
    client = login(world.users["officer"])
    fuzz_form(
        client,
        _url(world, "report_preview"),
        fields=["indicator", "value", f"actual_{ind['CT1'].pk}"],
    )
    fuzz_form(
        _Posting(client, {"indicator": ind["CT1"].pk}),
        _url(world, "report_preview"),
        fields=[f"actual_{ind['CT1'].pk}"],
    )
    assert not Report.objects.exists()


def test_upload_form_survives_hostile_input(world, login, reporting):
    client = login(world.users["officer"])
    fuzz_form(client, _url(world, "evidence_upload"), fields=["criterion"], examples=50)


def test_list_filter_survives_hostile_input(world, login, reporting):
    client = login(world.users["staff"])
    fuzz_form(
        client,
        reverse("report_list", args=[world.term.pk]),
        fields=["state", "sort"],
        method="get",
        examples=50,
    )


# Evidence uploads keep what was typed --------------------------------


def _upload_from_the_form(client, world, pledge, name, points="30", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _ind, crit = _codes(pledge)
    criterion = crit["II.1"]
    return client.post(
        _url(world, "evidence_upload"),
        {
            "section": "criteria",
            "version": _version(world),
            **_criteria(pledge, points),
            "upload": criterion.pk,
            f"file_{criterion.pk}": SimpleUploadedFile(name, PDF),
        },
        **extra,
    )


def test_upload_button_sits_in_the_self_score_form(world, login, reporting):
    client = login(world.users["officer"])
    page = client.get(_url(world)).content.decode()
    form = page.split('id="version-criteria"')[1].split("</form>")[0]
    _ind, crit = _codes(reporting)
    pk = crit["II.1"].pk
    assert f'name="file_{pk}"' in form
    assert 'formenctype="multipart/form-data"' in form
    assert 'hx-encoding="multipart/form-data"' in form
    assert f'hx-target="#evidence-{pk}"' in form
    assert 'id="evidence-upload-' not in page, "no separate full-page upload form"
    assert "js/unsaved.js" in page
    assert page.count("data-warn-unsaved") == 4


def test_upload_without_javascript_saves_the_typed_self_scores_first(
    world, login, reporting
):
    client = login(world.users["officer"])
    response = _upload_from_the_form(client, world, reporting, "minh-chung.pdf")
    assert response.status_code == 302
    report = _report(world)
    assert report.self_scores.get(criterion__code="II.1").points == 30
    assert report.evidence.get().original_name == "minh-chung.pdf"


def test_upload_without_javascript_with_a_bad_score_attaches_nothing(
    world, login, reporting
):
    client = login(world.users["officer"])
    response = _upload_from_the_form(client, world, reporting, "a.pdf", points="99")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp chưa được đính kèm" in page
    assert 'value="99"' in page, "the typed value is kept"
    assert not Evidence.objects.exists()


def test_htmx_upload_swaps_the_file_list_and_leaves_the_typed_values(
    world, login, reporting
):
    client = login(world.users["officer"])
    assert _save(client, world, "criteria", _criteria(reporting, "20")).status_code
    response = _upload_from_the_form(
        client, world, reporting, "bien-ban.pdf", points="30", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    _ind, crit = _codes(reporting)
    cell = page.split(f'id="evidence-{crit["II.1"].pk}"')[1].split("</td>")[0]
    assert "bien-ban.pdf" in cell
    report = _report(world)
    assert report.self_scores.get(criterion__code="II.1").points == 20, (
        "typed values stay on the page, unsaved, not overwritten by the upload"
    )
    assert f'value="{report.version}" id="version-criteria"' in page
    assert report.evidence.get().original_name == "bien-ban.pdf"
