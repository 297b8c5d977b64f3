"""Campaign URLs × roles (the rows merged into the project's permission matrix),
with campaign data unchanged by every refusal; and the predicates."""

import pytest
from django.urls import reverse

from campaigns import permissions
from tests.campaigns.matrix import LOGIN, MATRIX_ROWS, snapshot
from tests.conftest import ROLES

CASES = [
    pytest.param(name, role, expected, id=f"{name}-{role}")
    for name, (_m, _k, _d, statuses) in MATRIX_ROWS.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "role", "expected"), CASES)
def test_campaign_url_answers_each_role(world, login, name, role, expected):
    method, kwargs, data, _statuses = MATRIX_ROWS[name]
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    client = login(world.users[role])
    before = snapshot()
    response = getattr(client, method)(url, data or {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if expected in (LOGIN, 403, 404):
        assert snapshot() == before, "a refused request changed campaign data"


def test_only_staff_and_admins_manage_campaigns(world):
    users = world.users
    assert permissions.can_manage_campaigns(users["staff"])
    assert permissions.can_manage_campaigns(users["admin"])
    assert not permissions.can_manage_campaigns(users["officer"])
    assert not permissions.can_manage_campaigns(users["chair_officer"])


def test_only_the_units_officers_file_its_reports(world):
    users = world.users
    assert permissions.can_file_report(users["officer"], world.unit_a)
    assert not permissions.can_file_report(users["chair_officer"], world.unit_a)
    assert not permissions.can_file_report(users["staff"], world.unit_a)
    assert permissions.can_view_report(users["staff"], world.unit_a)
    assert not permissions.can_view_report(users["other_officer"], world.unit_a)


def test_rules_are_configured_by_admins_staff_and_the_chair(world):
    users = world.users
    term = world.term
    assert permissions.can_configure_rule(users["admin"], term)
    assert permissions.can_configure_rule(users["staff"], term)
    assert permissions.can_configure_rule(users["chair_officer"], term)
    assert not permissions.can_configure_rule(users["officer"], term)
