"""Input hygiene: control characters never get in, every form field
has limits, workbooks never carry live formulas, log lines cannot be forged and
the demo answers errors with the Vietnamese pages."""

import contextlib
import copy
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client, override_settings
from django.urls import path, reverse

from clusters.models import SecurityEvent, Unit
from clusters.security import axes_client_str
from core import hygiene
from core.formatting import whole_number
from pledges import xlsx
from tests.test_fuzz_forms import FORMS, POSTED_FROM_ELSEWHERE

HOSTILE = "Tên\x0b có\x00 ký\x1f tự\x7f điều\x85 khiển"
PROJECT_APPS = ("clusters", "pledges", "campaigns", "awards")
BASE_DIR = Path(settings.BASE_DIR)


def control_characters_stored():
    """Every (model, field, pk) whose text holds a control character, across
    every text column of the project's tables."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            for pk, value in model.objects.values_list("pk", field.attname):
                if value and hygiene.CONTROL_CHARACTERS.search(value):
                    found.append((model.__name__, field.name, pk))
    return found


# 1. Control characters ------------------------------------------------------------


def test_strip_control_keeps_tab_and_line_breaks():
    assert hygiene.strip_control("a\x00b\x0bc\x1fd\x7fe\x85f\tg\nh\ri") == (
        "abcdef\tg\nh\ri"
    )
    assert hygiene.strip_control("Huyện Châu Thành") == "Huyện Châu Thành"


def test_form_post_is_stored_without_control_characters(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("unit_create"),
        {
            "name": HOSTILE,
            "short_name": "A\x0b",
            "kind": "district",
            "valid_from": "01/01/2024",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(short_name="A")
    assert unit.name == "Tên có ký tự điều khiển"
    assert control_characters_stored() == []


def test_query_parameters_reach_views_without_control_characters(world, login):
    client = login(world.users["admin"])
    response = client.get(reverse("unit_list"), {"q": "Huyện\x00 A\x0b"})
    assert response.status_code == 200
    assert response.context["request"].GET["q"] == "Huyện A"


def test_uploaded_files_are_left_untouched(rf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.middleware import InputHygieneMiddleware

    content = b"PK\x03\x04\x00\x0b binary"
    request = rf.post(
        "/", {"note": "a\x00b", "file": SimpleUploadedFile("x.xlsx", content)}
    )
    InputHygieneMiddleware(lambda r: None).process_view(request, None, (), {})
    assert request.POST["note"] == "ab"
    assert request.FILES["file"].read() == content


@pytest.mark.parametrize(("name", "kwargs", "role"), FORMS, ids=[f[0] for f in FORMS])
def test_control_characters_in_every_field_never_break_or_get_stored(
    world, login, name, kwargs, role
):
    from tests.helpers import form_field_names

    client = login(world.users[role])
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    fields = form_field_names(client.get(url).content.decode())
    for value in ("\x0b", "\x00", HOSTILE):
        response = client.post(url, dict.fromkeys(fields, value))
        assert response.status_code < 500, (name, value)
    assert control_characters_stored() == []


@pytest.mark.parametrize(
    ("name", "kwargs", "fields"),
    POSTED_FROM_ELSEWHERE,
    ids=[f[0] for f in POSTED_FROM_ELSEWHERE],
)
def test_control_characters_in_posted_forms_are_not_stored(
    world, login, name, kwargs, fields
):
    client = login(world.users["admin"])
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    for value in ("\x0b", "\x00", HOSTILE):
        assert client.post(url, dict.fromkeys(fields, value)).status_code < 500
    assert control_characters_stored() == []


# 2. Numbers, dates and lengths -------------------------------------------------------


def test_whole_number_refuses_more_digits_than_int_reads():
    assert whole_number("9" * 5000) is None
    assert whole_number("0" * 5000 + "42") == 42
    assert whole_number("2147483647") == 2147483647
    assert whole_number("2147483648") is None
    assert whole_number("٤٢") is None


def test_oversized_number_in_a_url_parameter_is_not_a_server_error(world, login):
    client = login(world.users["staff"])
    response = client.get(reverse("province_dashboard"), {"year": "9" * 5000})
    assert response.status_code == 200


def project_form_classes():
    """Every form class of the project's apps (formsets' forms included)."""
    import awards.forms  # noqa: F401
    import campaigns.forms  # noqa: F401
    import clusters.forms  # noqa: F401
    import pledges.forms  # noqa: F401

    found, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS:
                found.add(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def limits_problems(name, field):
    """What `field` (limited) still accepts that it should not."""
    problems = []
    if isinstance(field, forms.CharField):
        # A form may choose a longer limit of its own (a campaign's summary).
        if field.max_length is None or field.max_length > 50_000:
            problems.append(f"{name}: no length limit")
    elif isinstance(field, forms.IntegerField):
        for typed in ("١٢", "１２", "1_000", "1e3"):
            try:
                field.clean(typed)
            except ValidationError:
                continue
            problems.append(f"{name}: accepts {typed!r}")
        with contextlib.suppress(ValidationError):  # anything else fails the test
            field.clean("9" * 5000)
    elif isinstance(field, forms.ModelChoiceField):
        try:
            field.clean(
                ["١"] if isinstance(field, forms.ModelMultipleChoiceField) else "١"
            )
        except ValidationError as error:
            if error.code != "invalid":
                problems.append(f"{name}: reads Arabic-Indic digits as an id")
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        for typed in ("01/01/0001", "31/12/9999"):
            try:
                field.clean(typed)
            except ValidationError:
                continue
            problems.append(f"{name}: accepts {typed}")
    return problems


def test_every_form_of_the_project_applies_the_input_limits():
    classes = project_form_classes()
    assert len(classes) > 40
    missing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, hygiene.InputLimitsMixin)
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_declared_field_of_every_form_has_limits():
    problems = []
    for form_class in project_form_classes():
        for name, field in copy.deepcopy(form_class.base_fields).items():
            hygiene.limit_field(name, field)
            problems += [
                f"{form_class.__qualname__}.{p}" for p in limits_problems(name, field)
            ]
    assert problems == []


def _forms_in_context(response):
    contexts = (
        response.context if isinstance(response.context, list) else [response.context]
    )
    found = []
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, forms.BaseForm):
                    found.append(value)
                elif isinstance(value, forms.BaseFormSet):
                    found += list(value)
    return found


@pytest.mark.parametrize(("name", "kwargs", "role"), FORMS, ids=[f[0] for f in FORMS])
def test_every_field_shown_has_limits(world, login, name, kwargs, role):
    """The fields a form adds in its __init__ too, as the pages show them."""
    client = login(world.users[role])
    response = client.get(reverse(name, kwargs=kwargs(world) if kwargs else None))
    shown = _forms_in_context(response)
    assert shown, name
    problems = []
    for form in shown:
        for field_name, field in form.fields.items():
            problems += limits_problems(field_name, field)
    assert problems == []


def test_arabic_indic_digits_are_refused_next_to_the_field(world, login):
    client = login(world.users["admin"])
    url = reverse("term_create", kwargs={"cluster_pk": world.cluster.pk})
    response = client.post(url, {"year": "٢٠٢٥"})
    assert response.status_code == 200
    assert "Nhập số bằng các chữ số 0–9." in response.content.decode()
    assert world.cluster.terms.count() == 1


def test_a_date_in_year_one_is_refused_next_to_the_field(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("unit_create"),
        {"name": "Huyện Mới", "kind": "district", "valid_from": "01/01/0001"},
    )
    assert response.status_code == 200
    assert (
        "Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2100."
        in response.content.decode()
    )
    assert not Unit.objects.filter(name="Huyện Mới").exists()


def test_a_hundred_thousand_characters_are_refused(world, login):
    client = login(world.users["admin"])
    before = world.term.state
    response = client.post(
        reverse("term_transition", kwargs={"pk": world.term.pk}),
        {"to_state": "pledging", "reason": "x" * 100_000},
    )
    assert response.status_code < 500
    world.term.refresh_from_db()
    assert world.term.state == before


def test_free_text_limits_follow_the_kind_of_text():
    class Sample(hygiene.Form):
        reason = forms.CharField(widget=forms.Textarea)
        summary = forms.CharField(widget=forms.Textarea)
        title = forms.CharField()
        code = forms.CharField(max_length=20)

    form = Sample()
    assert [form.fields[n].max_length for n in form.fields] == [
        hygiene.SHORT_TEXT,
        hygiene.LONG_TEXT,
        hygiene.SHORT_TEXT,
        20,
    ]
    assert form.fields["summary"].widget.attrs["maxlength"] == "20000"
    bound = Sample({"reason": "x" * 4001, "summary": "y", "title": "z", "code": "c"})
    assert list(bound.errors) == ["reason"]


def test_numbers_with_vietnamese_separators_are_still_read():
    class Sample(hygiene.Form):
        amount = forms.DecimalField(localize=True)
        count = forms.IntegerField()

    form = Sample({"amount": "1.234,5", "count": " 12 "})
    assert form.is_valid(), form.errors
    assert (str(form.cleaned_data["amount"]), form.cleaned_data["count"]) == (
        "1234.5",
        12,
    )


# 3. Workbooks ------------------------------------------------------------------------


def test_workbook_texts_are_never_formulas_and_numbers_stay_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\ry", "Huyện", 42, -7])
    sheet.cell(2, 1).value = '=HYPERLINK("http://x","y")'
    data = xlsx.save(book)
    cells = openpyxl.load_workbook(io.BytesIO(data)).active
    first = list(cells[1])
    assert [c.data_type for c in first] == ["s"] * 7 + ["n", "n"]
    assert [c.value for c in first] == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tx",
        "'\ry",
        "Huyện",
        42,
        -7,
    ]
    assert cells.cell(2, 1).data_type == "s"


def test_workbook_rows_drop_control_characters():
    book = openpyxl.Workbook()
    book.active.append(xlsx.row([HOSTILE, 3]))
    cells = openpyxl.load_workbook(io.BytesIO(xlsx.save(book))).active
    assert [c.value for c in cells[1]] == ["Tên có ký tự điều khiển", 3]


def _sources(*words):
    for app in PROJECT_APPS:
        for source in sorted((BASE_DIR / app).rglob("*.py")):
            if "management" in source.parts or "migrations" in source.parts:
                continue
            text = source.read_text(encoding="utf-8")
            if all(word in text for word in words):
                yield source.relative_to(BASE_DIR).as_posix(), text


def test_every_workbook_is_saved_through_the_one_helper():
    """Only `pledges.xlsx.save` saves a workbook (it neutralises every cell);
    every writer calls it."""
    savers = [
        name
        for name, text in _sources("openpyxl")
        if re.search(r"\b(book|workbook)\.save\(", text)
    ]
    assert savers == ["pledges/xlsx.py"]
    writers = [name for name, _text in _sources("Workbook(")]
    assert writers
    for name, text in _sources("Workbook("):
        assert (
            name == "pledges/xlsx.py"
            or "xlsx.save(" in text
            or ("workbook_bytes(" in text)
        ), name


def test_every_word_run_is_written_through_the_one_helper():
    """The domain apps lay out their documents with `core.documents`, whose
    one `write` strips control characters."""
    runs = [name for name, text in _sources("add_run(")]
    assert runs == []
    text = (BASE_DIR / "core/documents.py").read_text(encoding="utf-8")
    assert text.count("add_run(") == 1
    assert "add_run(strip_control(text))" in text


# 4. Security log -------------------------------------------------------------------


def test_log_text_escapes_what_could_forge_a_line():
    assert hygiene.log_text("a\nb\rc\td\x00e\\f\u2028g") == (
        "a\\nb\\rc\\td\\x00e\\\\f\\u2028g"
    )
    assert hygiene.log_text("Nguyễn Văn A") == "Nguyễn Văn A"


def test_newline_in_login_username_cannot_forge_a_log_line(db, client, caplog):
    forged = "ghost\n2026-01-01 INFO clusters.security login user=admin"
    with caplog.at_level(logging.INFO, logger="clusters.security"):
        client.post(reverse("login"), {"username": forged, "password": "wrong-pass"})
    lines = [r.getMessage() for r in caplog.records if r.name == "clusters.security"]
    assert lines, "the failed login was not logged"
    assert all("\n" not in line for line in lines)
    assert any("user=ghost\\n2026-01-01" in line for line in lines)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).exists()


def test_axes_log_lines_escape_the_username():
    text = axes_client_str("a\nb", "127.0.0.1", "agent", ("/login/",), None)
    assert text == '{username: "a\\nb", ip_address: "127.0.0.1", path_info: "/login/"}'
    assert settings.AXES_CLIENT_STR_CALLABLE == "clusters.security.axes_client_str"


# 5. Error pages and the demo's settings --------------------------------------------


@login_not_required
def _broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("hong/", _broken_view)]


def test_missing_page_is_the_vietnamese_404(db, client):
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert "Traceback" not in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_is_the_vietnamese_500(db):
    client = Client(raise_request_exception=False)
    response = client.get("/hong/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in html
    assert "boom" not in html
    assert "Traceback" not in html


def _local_settings(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", **env}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.ALLOWED_HOSTS, "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE, "
        "settings.WHITENOISE_USE_FINDERS)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_demo_settings_run_without_debug_unless_asked():
    assert _local_settings() == ("False ['127.0.0.1', 'localhost', '[::1]'] True True")
    assert _local_settings(DJANGO_DEBUG="1").startswith("True ")


def test_static_files_are_served_with_debug_off(db):
    from config.settings import local

    with override_settings(
        DEBUG=False,
        MIDDLEWARE=local.MIDDLEWARE,
        WHITENOISE_USE_FINDERS=True,
    ):
        response = Client().get("/static/vendor/bootstrap-5.3.9/bootstrap.min.css")
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert body.startswith(b"@charset") or b"bootstrap" in body[:200].lower()
