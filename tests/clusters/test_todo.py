"""“Việc cần làm” on the home page and the term page's progress strip,
built from providers and panels the apps register.

On the Hậu Giang demo: each role is asked for what the data says it still has
to do (never a unit that has submitted told to submit), every item links to a
page that answers the viewer, and the term page marks its stage. On a small
world: the home page's queries do not grow with the number of clusters and
years."""

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clusters import todo
from clusters.models import MemberRole, Role, Term, TermState, User
from pledges import services as pledge_services
from pledges.models import (
    Objection,
    Pledge,
    PledgeState,
    Report,
    ReportState,
    ReviewItem,
)
from tests.clusters.factories import (
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
)
from tests.helpers import assert_queries_stable

ROOT = Path(__file__).resolve().parents[2]
TODO_LINK = re.compile(r'href="([^"]+)" data-todo>([^<]+)</a>')


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _todo(client):
    """[(url, label)] of the home page's to-do list."""
    html = client.get(reverse("home")).content.decode()
    return TODO_LINK.findall(html)


def _officer_of(unit):
    return User.objects.filter(unit=unit, is_active=True).order_by("username").first()


def _reporting_term():
    return Term.objects.get(state=TermState.REPORTING)


# The demo ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_unit_that_submitted_is_not_told_to_submit(demo_db):
    term = _reporting_term()
    submitted = Report.objects.filter(term=term, state=ReportState.SUBMITTED).exclude(
        unit=term.chair
    )
    assert submitted.exists()
    for report in submitted:
        urls = [
            url for url, _label in _todo(_client(_officer_of(report.unit).username))
        ]
        assert reverse("report_edit", args=[term.pk, report.unit_id]) not in urls


@pytest.mark.django_db
def test_a_unit_yet_to_submit_is_sent_to_its_report_with_its_deadline(demo_db):
    term = _reporting_term()
    sent = set(
        Report.objects.filter(
            term=term, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
        ).values_list("unit_id", flat=True)
    )
    waiting = [m.unit for m in term.memberships.all() if m.unit_id not in sent]
    assert waiting
    for unit in waiting:
        client = _client(_officer_of(unit).username)
        html = client.get(reverse("home")).content.decode()
        url = reverse("report_edit", args=[term.pk, unit.pk])
        assert f'href="{url}" data-todo' in html, unit
        extension = term.extensions.filter(unit=unit).order_by("-until").first()
        deadline = max(
            d for d in (term.report_deadline, extension and extension.until) if d
        )
        assert deadline.strftime("%d/%m/%Y") in html, (unit, deadline)


@pytest.mark.django_db
def test_a_returned_report_is_flagged(demo_db):
    term = _reporting_term()
    report = (
        Report.objects.filter(term=term, state=ReportState.SUBMITTED)
        .exclude(unit=term.chair)
        .select_related("term")
        .first()
    )
    chair_officer = _officer_of(term.chair)
    pledge_services.report_return(
        report=report,
        actor=chair_officer,
        items=[(ReviewItem.Part.SUMMARY, None, None, "Bổ sung phần tóm tắt")],
    )
    html = _client(_officer_of(report.unit).username).get(reverse("home")).content
    html = html.decode()
    url = reverse("report_edit", args=[term.pk, report.unit_id])
    item = re.search(
        rf'<li[^>]*data-urgency="(\w+)">'
        rf'((?:(?!</li>).)*href="{url}" data-todo.*?)</li>',
        html,
        re.S,
    )
    assert item is not None, "the returned report is not on the to-do list"
    assert item.group(1) == todo.OVERDUE
    assert "trả lại" in item.group(2)


@pytest.mark.django_db
def test_the_chair_sees_the_reports_waiting_for_review(demo_db):
    term = _reporting_term()
    waiting = (
        Report.objects.filter(term=term, state=ReportState.SUBMITTED)
        .exclude(unit=term.chair)
        .count()
    )
    client = _client(_officer_of(term.chair).username)
    html = client.get(reverse("home")).content.decode()
    url = reverse("report_list", args=[term.pk])
    assert f'href="{url}" data-todo' in html
    members = term.memberships.count()
    sent = Report.objects.filter(
        term=term, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
    ).count()
    assert f"{sent}/{members}" in html
    assert re.search(rf">{waiting} báo cáo", html)


@pytest.mark.django_db
def test_the_block_chair_sees_the_objections_waiting(demo_db):
    term = Term.objects.get(state=TermState.REPLY)
    waiting = Objection.objects.filter(report__term=term, answer="").exclude(
        report__unit=term.chair
    )
    assert waiting.exists()
    labels = dict(_todo(_client(_officer_of(term.chair).username)))
    assert reverse("reply", args=[term.pk]) in labels


@pytest.mark.django_db
def test_province_staff_get_a_queue_across_clusters(demo_db):
    term = _reporting_term()
    urls = [url for url, _label in _todo(_client("noivu"))]
    assert reverse("report_list", args=[term.pk]) in urls


@pytest.mark.django_db
def test_the_admin_is_asked_for_years_left_open_and_units_without_an_account(
    demo_db,
):
    accounts = f'href="{reverse("user_list")}?role=unit_officer" data-todo'
    assert accounts not in _client("admin").get(reverse("home")).content.decode()
    term = _reporting_term()
    admin = User.objects.get(username="admin")
    MembershipFactory(term=term, unit=UnitFactory(authority=admin.authority))
    html = _client("admin").get(reverse("home")).content.decode()
    assert accounts in html
    for term in Term.objects.exclude(state=TermState.CLOSED):
        later = Term.objects.filter(cluster=term.cluster, year__gt=term.year)
        url = reverse("term_detail", args=[term.pk])
        assert (f'href="{url}" data-todo' in html) == later.exists()


@pytest.mark.django_db
def test_every_to_do_link_answers_its_viewer(demo_db):
    usernames = ["admin", "noivu"] + list(
        User.objects.filter(role=Role.UNIT_OFFICER).values_list("username", flat=True)
    )
    seen = 0
    for username in usernames:
        client = _client(username)
        for url, label in _todo(client):
            seen += 1
            assert client.get(url).status_code == 200, (username, label, url)
    assert seen >= 5


@pytest.mark.django_db
def test_the_term_page_marks_its_stage_and_puts_the_stage_work_first(demo_db):
    term = _reporting_term()
    for username in ["admin", _officer_of(term.chair).username]:
        html = _client(username).get(reverse("term_detail", args=[term.pk]))
        html = html.content.decode()
        current = re.findall(r'data-stage="(\w+)"[^>]*aria-current="step"', html)
        assert current == [TermState.REPORTING]
        # Every stage is listed, in order, the current one named in text.
        stages = re.findall(r'data-stage="(\w+)"', html)
        assert stages == [state.value for state in TermState]
        assert "Giai đoạn hiện tại" in html
        # The deadline of the stage is shown with it.
        assert term.report_deadline.strftime("%d/%m/%Y") in html
        # The first prominent button is the reporting work, not the next year.
        first = re.search(r'class="btn btn-primary"[^>]*href="([^"]+)"', html)
        assert first is not None
        assert "/reports/" in first.group(1)
        assert reverse("term_rollover", args=[term.pk]) not in re.findall(
            r'class="btn btn-primary" href="([^"]+)"', html
        )


@pytest.mark.django_db
def test_the_term_page_shows_the_panels_of_awards(demo_db):
    term = Term.objects.filter(state=TermState.CLOSED).order_by("year").first()
    html = _client("admin").get(reverse("term_detail", args=[term.pk]))
    html = html.content.decode()
    assert reverse("term_summary_docx", args=[term.pk]) in html
    for vote in term.votes.all():
        assert reverse("vote_detail", args=[vote.pk]) in html


# Layers --------------------------------------------------------------------


def test_the_clusters_app_imports_no_higher_app():
    for path in sorted((ROOT / "clusters").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top not in ("pledges", "campaigns", "awards"), (path, name)


# Unit: ordering and grouping ------------------------------------------------


def test_items_come_most_urgent_first_then_by_deadline():
    today = timezone.localdate()
    later = today.replace(year=today.year + 1)

    def provider(user, day):
        return [
            todo.Item("c", "/c/", group="B", urgency=todo.OPEN, deadline=later),
            todo.Item("a", "/a/", group="A", urgency=todo.OVERDUE),
            todo.Item("b", "/b/", group="B", urgency=todo.OPEN, deadline=today),
            todo.Item("d", "/d/", group="A", urgency=todo.INFO),
        ]

    class Viewer:
        is_authenticated = True
        is_active = True
        role = None
        authority_id = None
        unit_id = None

    saved = list(todo._PROVIDERS)
    todo._PROVIDERS[:] = [provider]
    try:
        items = todo.items_for(Viewer(), today)
    finally:
        todo._PROVIDERS[:] = saved
    assert [i.label for i in items] == ["a", "b", "c", "d"]
    assert [(g.label, [i.label for i in g.items]) for g in todo.groups(items)] == [
        ("A", ["a", "d"]),
        ("B", ["b", "c"]),
    ]


def test_urgency_follows_the_deadline():
    today = timezone.localdate()
    assert todo.urgency_of(None, today) == todo.OPEN
    assert todo.urgency_of(today, today) == todo.DUE
    assert todo.urgency_of(today.replace(year=today.year - 1), today) == todo.OVERDUE
    assert todo.urgency_of(today.replace(year=today.year + 1), today) == todo.OPEN
    assert todo.urgency_of(None, today, overdue=True) == todo.OVERDUE


# Query count: flat in the number of clusters and years -----------------------

WORK_STATES = [
    TermState.PLANNING,
    TermState.PLEDGING,
    TermState.REPORTING,
    TermState.SCORING,
    TermState.REPLY,
    TermState.VOTING,
    TermState.PROPOSING,
]


def _years(world, clusters):
    """`clusters` clusters per stage of the year, each with unit A as member,
    the chair unit and the deputy unit, a pledge and a submitted report."""

    def grow():
        for state in WORK_STATES:
            for _i in range(clusters):
                term = TermFactory(
                    cluster=ClusterFactory(authority=world.authority),
                    state=state,
                    report_deadline=timezone.localdate(),
                )
                MembershipFactory(term=term, unit=world.unit_a)
                MembershipFactory(
                    term=term, unit=world.unit_chair, role=MemberRole.CHAIR
                )
                MembershipFactory(
                    term=term, unit=world.unit_deputy, role=MemberRole.DEPUTY
                )
                Pledge.objects.create(
                    term=term,
                    title="Giao ước",
                    state=PledgeState.SIGNING
                    if state == TermState.PLEDGING
                    else PledgeState.IN_FORCE,
                )
                for unit in (world.unit_a, world.unit_chair):
                    Report.objects.create(
                        term=term, unit=unit, state=ReportState.SUBMITTED
                    )
            unit = UnitFactory(authority=world.authority)
            officer(unit)

    return grow


@pytest.mark.parametrize("role", ["officer", "chair_officer", "staff", "admin"])
@pytest.mark.parametrize("page", ["home", "todo_list"])
def test_home_query_count_is_flat_in_clusters_and_years(world, login, role, page):
    _years(world, 2)()
    client = login(world.users[role])
    assert_queries_stable(client, reverse(page), _years(world, 8))


def test_home_shows_the_first_tasks_of_a_group_and_links_to_all(
    world, login, monkeypatch
):
    """At 480 clusters the staff's home page listed 481 tasks (189 KB): it
    now shows the first of each group and a link to the page of every task."""
    from clusters import views

    _years(world, 2)()
    client = login(world.users["staff"])
    every = TODO_LINK.findall(client.get(reverse("todo_list")).content.decode())
    monkeypatch.setattr(views, "HOME_TASKS", 1)
    home = client.get(reverse("home")).content.decode()
    shown = TODO_LINK.findall(home)
    assert len(every) > len(shown) >= 1
    assert shown == [task for task in every if task in shown]
    assert f'href="{reverse("todo_list")}#todo-group-1"' in home


def test_admin_is_asked_to_open_next_years_and_finish_earlier_ones(world, english):
    """The admin's items read each cluster's latest year (to open the next
    one once its awards are under way) and the open years older than it (to
    finish), not every year of every cluster."""
    cluster = ClusterFactory(authority=world.authority, name="Cụm Z")
    older = TermFactory(cluster=cluster, year=2023, state=TermState.SCORING)
    TermFactory(cluster=cluster, year=2022, state=TermState.CLOSED)
    latest = TermFactory(cluster=cluster, year=2024, state=TermState.DECIDED)
    for term in (older, latest):
        MembershipFactory(term=term, unit=world.unit_a, role=MemberRole.CHAIR)
    urls = {
        item.url: item.label
        for item in todo.items_for(world.users["admin"], timezone.localdate())
    }
    assert "Cụm Z" in urls[reverse("term_rollover", args=[latest.pk])]
    assert urls[reverse("term_detail", args=[older.pk])].startswith("Finish the year")
    assert not any(str(older.pk) in url for url in urls if "rollover" in url)
