"""Hostile input in every field of every form never gives a server error."""

import pytest
from django.urls import reverse

from tests.helpers import fuzz_form

FORMS = [
    ("cluster_create", None, "admin"),
    ("cluster_edit", lambda w: {"pk": w.cluster.pk}, "admin"),
    ("term_create", lambda w: {"cluster_pk": w.cluster.pk}, "admin"),
    ("term_edit", lambda w: {"pk": w.term.pk}, "admin"),
    ("unit_create", None, "admin"),
    ("unit_edit", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("unit_deactivate", lambda w: {"pk": w.unit_a.pk}, "admin"),
    ("user_create", None, "admin"),
    ("user_edit", lambda w: {"pk": w.users["officer"].pk}, "admin"),
    ("user_password", lambda w: {"pk": w.users["officer"].pk}, "admin"),
    ("password_change", None, "officer"),
    ("rotation_settings", lambda w: {"pk": w.cluster.pk}, "admin"),
    ("term_rollover", lambda w: {"pk": w.term.pk}, "admin"),
    ("term_handover", lambda w: {"pk": w.term.pk}, "admin"),
]
# Forms posted from another page: their fields are given explicitly.
POSTED_FROM_ELSEWHERE = [
    ("term_transition", lambda w: {"pk": w.term.pk}, ["to_state", "reason"]),
    ("membership_add", lambda w: {"pk": w.term.pk}, ["unit"]),
    ("set_language", None, ["language", "next"]),
]
FILTERS = [
    ("cluster_list", ["q", "kind"]),
    ("unit_list", ["q", "kind", "status"]),
    ("user_list", ["q", "role"]),
]


@pytest.mark.parametrize(("name", "kwargs", "role"), FORMS, ids=[f[0] for f in FORMS])
def test_form_survives_hostile_input(world, login, name, kwargs, role):
    client = login(world.users[role])
    fuzz_form(client, reverse(name, kwargs=kwargs(world) if kwargs else None))


@pytest.mark.parametrize(
    ("name", "kwargs", "fields"),
    POSTED_FROM_ELSEWHERE,
    ids=[f[0] for f in POSTED_FROM_ELSEWHERE],
)
def test_posted_form_survives_hostile_input(world, login, name, kwargs, fields):
    client = login(world.users["admin"])
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    fuzz_form(client, url, fields=fields)


@pytest.mark.parametrize(("name", "fields"), FILTERS, ids=[f[0] for f in FILTERS])
def test_list_filters_survive_hostile_input(world, login, name, fields):
    client = login(world.users["admin"])
    fuzz_form(client, reverse(name), fields=fields, method="get")


def test_login_form_survives_hostile_input(db, client):
    fuzz_form(client, reverse("login"))
