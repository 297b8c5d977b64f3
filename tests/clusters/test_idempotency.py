"""One-time form tokens (clusters.idempotency): a double click acts once, and
every state-changing form of our templates carries a token."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clusters import idempotency
from clusters.idempotency import FIELD, new_token
from clusters.models import FormSubmission, Term, Unit
from tests.once import assert_same_result, page_token, post_twice

UNIT = {
    "name": "Xã Mới",
    "short_name": "XM",
    "kind": "commune",
    "valid_from": "01/07/2025",
}


def _unit_data(**overrides):
    return lambda: {**UNIT, **overrides}


def test_a_double_click_creates_one_row_and_repeats_the_first_result(world, login):
    client = login(world.users["admin"])
    url = reverse("unit_create")
    token = page_token(client, url)
    first, second = post_twice(client, url, _unit_data(), token)
    assert_same_result(first, second)
    unit = Unit.objects.get(short_name="XM")
    assert first["Location"] == reverse("unit_detail", args=[unit.pk])
    assert FormSubmission.objects.get().location == first["Location"]


def test_posts_without_a_token_keep_working(world, login):
    client = login(world.users["admin"])
    url = reverse("unit_create")
    for short_name in ("X1", "X2"):
        response = client.post(
            url, {**UNIT, "name": f"Xã {short_name}", "short_name": short_name}
        )
        assert response.status_code == 302
    assert Unit.objects.filter(short_name__in=["X1", "X2"]).count() == 2
    assert not FormSubmission.objects.exists()


def test_a_form_with_errors_can_be_sent_again_with_its_token(world, login):
    client = login(world.users["admin"])
    url = reverse("unit_create")
    token = new_token()
    refused = client.post(url, {**UNIT, "name": "", FIELD: token})
    assert refused.status_code == 200
    assert not FormSubmission.objects.exists()
    accepted = client.post(url, {**UNIT, FIELD: token})
    assert accepted.status_code == 302
    assert Unit.objects.filter(short_name="XM").count() == 1


def test_a_token_is_claimed_per_user(world, login):
    token = new_token()
    url = reverse("unit_create")
    login(world.users["admin"]).post(url, {**UNIT, FIELD: token})
    other_admin = world.users["admin"].__class__.objects.create_user(
        username="admin2",
        password="x",  # noqa: S106
        authority=world.authority,
        role=world.users["admin"].role,
    )
    response = login(other_admin).post(
        url, {**UNIT, "name": "Xã Khác", "short_name": "XN", FIELD: token}
    )
    assert response.status_code == 302
    assert Unit.objects.filter(short_name__in=["XM", "XN"]).count() == 2


def test_a_repeat_while_the_first_is_still_running_waits_then_gives_409(
    world, login, monkeypatch
):
    """The first POST has claimed the token and not finished: the repeat waits
    for it, then says so plainly instead of acting a second time."""
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    client = login(world.users["admin"])
    token = new_token()
    FormSubmission.objects.create(
        token=token, user_key=str(world.users["admin"].pk), path=reverse("unit_create")
    )
    response = client.post(reverse("unit_create"), {**UNIT, FIELD: token})
    assert response.status_code == 409
    assert not Unit.objects.filter(short_name="XM").exists()


def test_a_claim_left_by_a_dead_request_is_taken_over(world, login):
    client = login(world.users["admin"])
    token = new_token()
    FormSubmission.objects.create(
        token=token,
        user_key=str(world.users["admin"].pk),
        path=reverse("unit_create"),
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    response = client.post(reverse("unit_create"), {**UNIT, FIELD: token})
    assert response.status_code == 302
    assert Unit.objects.filter(short_name="XM").count() == 1


def test_old_claims_are_purged(world, login):
    FormSubmission.objects.create(
        token=new_token(),
        user_key="",
        path="/old/",
        location="/done/",
        created_at=timezone.now() - datetime.timedelta(days=2),
    )
    login(world.users["admin"]).post(
        reverse("unit_create"), {**UNIT, FIELD: new_token()}
    )
    assert list(FormSubmission.objects.values_list("path", flat=True)) == [
        reverse("unit_create")
    ]


def test_term_rollover_twice_with_one_token_opens_one_year(world, login):
    client = login(world.users["admin"])
    url = reverse("term_rollover", args=[world.term.pk])
    token = page_token(client, url)
    data = {
        "units": [world.unit_a.pk, world.unit_chair.pk, world.unit_deputy.pk],
        "chair": world.unit_deputy.pk,
        "deputy": world.unit_a.pk,
    }
    first, second = post_twice(client, url, lambda: data, token)
    assert_same_result(first, second)
    new = Term.objects.get(cluster=world.cluster, year=world.term.year + 1)
    assert first["Location"] == reverse("term_detail", args=[new.pk])
    assert Term.objects.filter(cluster=world.cluster).count() == 2


# Every state-changing form of the templates carries the token -----------------

# Forms that change no business data: logging in and out, the language switch.
WITHOUT_TOKEN = {"registration/login.html", "base.html"}
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*)", re.IGNORECASE)


def test_every_post_form_of_the_templates_carries_a_one_time_token():
    root = Path(settings.BASE_DIR) / "templates"
    missing = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name in WITHOUT_TOKEN:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = POST_FORM.search(line)
            if match and "{% form_token %}" not in match.group(1):
                missing.append(f"{name}:{number}")
    assert missing == [], "add {% form_token %} after {% csrf_token %}"


@pytest.mark.parametrize("name", sorted(WITHOUT_TOKEN))
def test_forms_without_token_exist(name):
    """The exceptions are real templates (the list does not go stale)."""
    assert (Path(settings.BASE_DIR) / "templates" / name).exists()
