"""Every URL × every role has an expected status; a meta-test fails
when a URL is missing. A refusal must leave the data unchanged."""

import copy

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from awards.models import OptionTally, QuestionTally, Vote, VoteParticipation
from clusters.models import Cluster, Membership, Term, Unit, User
from pledges.models import Pledge, RankingSnapshot, Section, Target
from tests.awards.matrix import MATRIX_ROWS as AWARDS_ROWS
from tests.campaigns.matrix import MATRIX_ROWS as CAMPAIGN_ROWS
from tests.conftest import ROLES, copy_world
from tests.pledges.conftest import publish_ranking, world_pledge
from tests.pledges.report_matrix import MATRIX_ROWS as REPORT_ROWS
from tests.pledges.results_matrix import MATRIX_ROWS as RESULTS_EXCEL_ROWS

LOGIN = "login-redirect"
# Column order: anonymous, officer, other_officer, chair_officer, staff, admin,
# other_admin (see tests.conftest.ROLES).
READ_ALL = [LOGIN, 200, 200, 200, 200, 200, 200]
READ_CLUSTER = [LOGIN, 200, 404, 200, 200, 200, 404]
READ_UNIT_A = [LOGIN, 200, 404, 404, 200, 200, 404]
MANAGE_OBJECT = [LOGIN, 403, 403, 403, 403, 200, 404]
MANAGE_POST = [LOGIN, 403, 403, 403, 403, 302, 404]
MANAGE_NEW = [LOGIN, 403, 403, 403, 403, 200, 200]
# The chair unit's officers and admins draft the pledge.
DRAFT = [LOGIN, 403, 404, 200, 403, 200, 404]
DRAFT_POST = [LOGIN, 403, 404, 302, 403, 302, 404]
# Members' officers set their own targets; drafters set everyone's.
TARGETS = [LOGIN, 200, 404, 200, 403, 200, 404]

# name → (method, kwargs from the world, data, expected statuses by role)
MATRIX = {
    "healthz": ("get", None, None, [200] * 7),
    "home": ("get", None, None, READ_ALL),
    "todo_list": ("get", None, None, READ_ALL),
    "login": ("get", None, None, [200, 302, 302, 302, 302, 302, 302]),
    "logout": ("post", None, None, [302] * 7),
    "password_change": ("get", None, None, READ_ALL),
    "password_change_done": ("get", None, None, READ_ALL),
    "set_language": ("post", None, {"language": "en"}, [302] * 7),
    "admin:index": ("get", None, None, [302] * 7),
    "cluster_list": ("get", None, None, READ_ALL),
    "cluster_create": ("get", None, None, MANAGE_NEW),
    "cluster_detail": ("get", lambda w: {"pk": w.cluster.pk}, None, READ_CLUSTER),
    "cluster_edit": ("get", lambda w: {"pk": w.cluster.pk}, None, MANAGE_OBJECT),
    "term_create": ("get", lambda w: {"cluster_pk": w.cluster.pk}, None, MANAGE_OBJECT),
    "term_detail": ("get", lambda w: {"pk": w.term.pk}, None, READ_CLUSTER),
    "term_edit": ("get", lambda w: {"pk": w.term.pk}, None, MANAGE_OBJECT),
    "term_transition": (
        "post",
        lambda w: {"pk": w.term.pk},
        {"to_state": "pledging"},
        MANAGE_POST,
    ),
    "term_reopen": ("get", lambda w: {"pk": w.term.pk}, None, MANAGE_OBJECT),
    "membership_add": (
        "post",
        lambda w: {"pk": w.term.pk},
        lambda w: {"unit": w.unit_other.pk},
        MANAGE_POST,
    ),
    "membership_remove": (
        "post",
        lambda w: {"pk": w.membership_a.pk},
        None,
        MANAGE_POST,
    ),
    "rotation_settings": ("get", lambda w: {"pk": w.cluster.pk}, None, MANAGE_OBJECT),
    "rotation_preview": ("get", lambda w: {"pk": w.cluster.pk}, None, READ_CLUSTER),
    "term_rollover": ("get", lambda w: {"pk": w.term.pk}, None, MANAGE_OBJECT),
    "term_handover": (
        "get",
        lambda w: {"pk": w.term.pk},
        None,
        [LOGIN, 403, 404, 200, 403, 200, 404],
    ),
    "pledge_overview": ("get", lambda w: {"pk": w.term.pk}, None, READ_CLUSTER),
    "pledge_create": (
        "post",
        lambda w: {"pk": w.term.pk},
        {"source": "empty"},
        DRAFT_POST,
    ),
    "pledge_action": (
        "post",
        lambda w: {"pk": world_pledge(w).term_id},
        {"action": "open_signing"},
        DRAFT_POST,
    ),
    "pledge_editor": ("get", lambda w: {"pk": world_pledge(w).term_id}, None, DRAFT),
    "tree_xlsx": ("get", lambda w: {"pk": world_pledge(w).term_id}, None, DRAFT),
    "tree_import": ("get", lambda w: {"pk": world_pledge(w).term_id}, None, DRAFT),
    "targets_grid": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        READ_CLUSTER,
    ),
    "pledge_sign": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        [LOGIN, 200, 404, 200, 403, 403, 404],
    ),
    "pledge_versions": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        READ_CLUSTER,
    ),
    "pledge_docx": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        READ_CLUSTER,
    ),
    "pledge_print": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        READ_CLUSTER,
    ),
    "targets_xlsx": ("get", lambda w: {"pk": world_pledge(w).term_id}, None, TARGETS),
    "targets_import": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        TARGETS,
    ),
    "term_ranking": ("get", lambda w: {"pk": w.term.pk}, None, READ_CLUSTER),
    # Publishing is province staff's act (and admins'), never the chair's.
    "ranking_publish": (
        "post",
        lambda w: {"pk": w.term.pk},
        None,
        [LOGIN, 403, 404, 403, 302, 302, 404],
    ),
    "rank_detail": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id, "unit_pk": w.unit_a.pk},
        None,
        [LOGIN, 200, 404, 200, 200, 200, 404],
    ),
    "cluster_totals": ("get", lambda w: {"pk": w.term.pk}, None, READ_CLUSTER),
    "peer_scoring": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        [LOGIN, 403, 404, 200, 200, 200, 404],
    ),
    "reply": (
        "get",
        lambda w: {"pk": world_pledge(w).term_id},
        None,
        [LOGIN, 200, 404, 200, 200, 200, 404],
    ),
    "public_rankings": ("get", None, None, [200] * 7),
    "province_dashboard": ("get", None, None, [LOGIN, 403, 403, 403, 200, 200, 200]),
    "dashboard_xlsx": ("get", None, None, [LOGIN, 403, 403, 403, 200, 200, 200]),
    "public_ranking": ("get", lambda w: {"pk": published_term(w).pk}, None, [200] * 7),
    "unit_list": ("get", None, None, READ_ALL),
    "unit_create": ("get", None, None, MANAGE_NEW),
    "unit_detail": ("get", lambda w: {"pk": w.unit_a.pk}, None, READ_UNIT_A),
    "unit_edit": ("get", lambda w: {"pk": w.unit_a.pk}, None, MANAGE_OBJECT),
    "unit_deactivate": ("get", lambda w: {"pk": w.unit_a.pk}, None, MANAGE_OBJECT),
    "unit_delete": ("get", lambda w: {"pk": w.unit_a.pk}, None, MANAGE_OBJECT),
    "user_list": ("get", None, None, MANAGE_NEW),
    "user_create": ("get", None, None, MANAGE_NEW),
    "user_edit": (
        "get",
        lambda w: {"pk": w.users["officer"].pk},
        None,
        MANAGE_OBJECT,
    ),
    "user_password": (
        "get",
        lambda w: {"pk": w.users["officer"].pk},
        None,
        MANAGE_OBJECT,
    ),
}


MATRIX.update(AWARDS_ROWS)
MATRIX.update(REPORT_ROWS)
MATRIX.update(RESULTS_EXCEL_ROWS)
MATRIX.update(CAMPAIGN_ROWS)


def published_term(world):
    """The world's term with a published ranking, created on first use."""
    if not hasattr(world, "_published"):
        world._published = publish_ranking(world.term, world.users["admin"])
    return world.term


def _url_names(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner == "admin":
                continue
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver()))
    assert names - set(MATRIX) == set(), "add these URLs to the permission matrix"
    assert set(MATRIX) - names - {"admin:index"} == set(), "stale matrix rows"


def _snapshot():
    return (
        list(Vote.objects.order_by("pk").values_list("pk", "state")),
        VoteParticipation.objects.count(),
        list(OptionTally.objects.values_list("pk", "votes")),
        list(QuestionTally.objects.values_list("pk", "ballots", "abstentions")),
        list(Pledge.objects.order_by("pk").values_list("pk", "state", "version")),
        Section.objects.count(),
        Target.objects.count(),
        RankingSnapshot.objects.count(),
        list(Membership.objects.order_by("pk").values_list("pk", "unit_id", "role")),
        list(Term.objects.order_by("pk").values_list("pk", "state")),
        Unit.objects.count(),
        Cluster.objects.count(),
        User.objects.count(),
    )


@pytest.fixture(scope="module")
def row(name, _module_world, django_db_blocker):
    """The world with the objects the URL `name` needs (its kwargs: a proposal,
    a campaign, a published ranking...) and the URL, built once for the seven
    roles of its row (``name`` is parametrized per module) inside a savepoint
    rolled back after them; each test works on copies."""
    assert _module_world is not None, "every database test here uses the world"
    _method, kwargs, _data, _statuses = MATRIX[name]
    with django_db_blocker.unblock(), transaction.atomic():
        world = copy_world(_module_world)
        url = reverse(name, kwargs=kwargs(world) if kwargs else None)
        yield world, url
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX), scope="module")
def test_permission_matrix(row, login, db, name, role):
    method, _kwargs, data, statuses = MATRIX[name]
    expected = statuses[ROLES.index(role)]
    world, url = copy.deepcopy(row)
    # The payload is built for each test: an uploaded file is read once.
    payload = data(world) if callable(data) else data
    client = login(world.users[role])
    refused = expected in (LOGIN, 403, 404)
    before = _snapshot() if refused else None
    response = getattr(client, method)(url, payload or {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if refused:
        assert _snapshot() == before, "a refused request changed data"


def test_officer_lists_show_only_own_rows(world, login):
    client = login(world.users["officer"])
    units = client.get(reverse("unit_list")).content.decode()
    assert world.unit_a.name in units
    assert world.unit_other.name not in units
    assert world.unit_chair.name not in units
    clusters = client.get(reverse("cluster_list")).content.decode()
    assert world.cluster.name in clusters
    assert "Cụm B" not in clusters


def test_other_authority_lists_are_empty(world, login):
    client = login(world.users["other_admin"])
    assert world.unit_a.name not in client.get(reverse("unit_list")).content.decode()
    assert (
        world.cluster.name not in client.get(reverse("cluster_list")).content.decode()
    )
    assert "officer_a" not in client.get(reverse("user_list")).content.decode()
