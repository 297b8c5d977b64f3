"""A term that is not a calendar year shows its label on every page and in
every document (rule 7), and the award catalogue carries reward multipliers
only with their legal source, flagging to admins what is unconfirmed (rule 10)."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from awards import documents as award_documents
from awards import services as award_services
from awards.catalogue_defaults import (
    DECREE_152,
    DEFAULT_BASE_SALARIES,
    DEFAULT_FORMS,
    MULTIPLIER_UNCONFIRMED,
)
from awards.documents import reward_words
from awards.models import AwardForm, BaseSalary
from clusters import services as cluster_services
from clusters.models import Term, TermState
from pledges import services
from pledges.documents import pledge_document
from pledges.results_excel import results_workbook
from pledges.selectors import members_of
from tests.awards.factories import cast, make_elected
from tests.awards.test_nomination_views import docx_text
from tests.pledges.conftest import CONTENT

LABEL = "Năm học 2024–2025"
# The term named by its year alone (“Năm 2024”, “năm thi đua 2024”), as
# opposed to its label; dates such as 31/12/2024 do not match.
YEAR_ONLY = re.compile(r"\b[Nn]ăm (?:thi đua )?2024\b(?![–-])")


def _school_year(world):
    cluster_services.term_update(
        term=world.term,
        actor=world.users["admin"],
        label=LABEL,
        starts_on=datetime.date(2024, 9, 5),
        ends_on=datetime.date(2025, 5, 31),
    )
    world.term.refresh_from_db()


def _term_routes():
    """(name, route) of every named URL under terms/<int:pk>/ that is a page,
    not a file download."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name, route

    return sorted(
        (name, route)
        for name, route in walk(get_resolver().url_patterns)
        if route.startswith("terms/<int:pk>/")
        and not route.endswith((".docx", ".xlsx"))
        and set(re.findall(r"<\w+:(\w+)>", route)) <= {"pk", "unit_pk"}
    )


def _crawl(world, client, user):
    """The HTML of every term page `user` may GET, by URL name."""
    client.force_login(world.users[user])
    pages = {}
    for name, route in _term_routes():
        kwargs = {"pk": world.term.pk}
        if "<int:unit_pk>" in route:
            kwargs["unit_pk"] = world.unit_a.pk
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code == 200 and "html" in response["Content-Type"]:
            pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("user", ["chair_officer", "staff"])
def test_every_term_page_names_the_term_by_its_label(world, client, user):
    _school_year(world)
    services.pledge_create(term=world.term, actor=world.users["admin"], content=CONTENT)
    pages = _crawl(world, client, user)
    assert {"term_detail", "pledge_overview", "report_list", "term_ranking"} <= set(
        pages
    )
    for name, html in pages.items():
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert LABEL in html or LABEL.lower() in html, name
        assert "2024–2025" in title, (name, title)
        assert not YEAR_ONLY.search(html), (name, YEAR_ONLY.search(html).group(0))


def test_a_calendar_year_term_keeps_its_year_in_the_page_title(world, client):
    client.force_login(world.users["staff"])
    page = client.get(reverse("report_list", args=[world.term.pk])).content.decode()
    assert "Báo cáo kết quả năm 2024" in page
    assert "<title>Báo cáo kết quả · Cụm A Năm 2024 ·" in page


def test_term_lists_link_the_term_by_its_label(world, client):
    _school_year(world)
    client.force_login(world.users["admin"])
    for url in (
        reverse("cluster_detail", args=[world.cluster.pk]),
        reverse("unit_detail", args=[world.unit_a.pk]),
    ):
        html = client.get(url).content.decode()
        assert f">{LABEL}<" in html, url


def test_the_pledge_title_names_the_label(world):
    _school_year(world)
    world.term.refresh_from_db()
    with translation.override("vi"):
        pledge = services.pledge_create(
            term=world.term, actor=world.users["admin"], content=CONTENT
        )
    assert pledge.title == "Giao ước thi đua năm học 2024–2025 của Cụm A"
    assert pledge_document(pledge).title == "GIAO ƯỚC THI ĐUA NĂM HỌC 2024–2025"


def test_results_workbook_title_names_the_label(world):
    _school_year(world)
    world.term.refresh_from_db()
    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=CONTENT
    )
    data = results_workbook(world.term, members_of(pledge))
    title = openpyxl.load_workbook(io.BytesIO(data)).active["A1"].value
    assert title.endswith("– Kết quả thực hiện năm học 2024–2025")


def test_summary_report_names_the_label(world):
    _school_year(world)
    term = Term.objects.get(pk=world.term.pk)
    text = docx_text(award_documents.term_summary_docx(term))
    for expected in (
        "Tổng kết phong trào thi đua năm học 2024–2025",
        "Năm học 2024–2025, Huyện Chủ trì làm Cụm trưởng, Huyện Phó làm Cụm phó.",
        "Cụm trưởng năm học 2025–2026 chưa được xác định.",
    ):
        assert expected in text, expected
    assert not YEAR_ONLY.search(text), YEAR_ONLY.search(text).group(0)


def test_chair_election_minutes_name_the_next_label(world):
    _school_year(world)
    make_elected(world)
    vote = award_services.chair_election_open(
        term=world.term, actor=world.users["admin"]
    )
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        cast(vote, unit, chair=[world.unit_deputy], deputy=[world.unit_a])
    award_services.vote_close(vote=vote, actor=world.users["admin"])
    vote.term.refresh_from_db()
    text = docx_text(award_documents.vote_minutes_docx(vote))
    assert "Kiểm phiếu bầu Cụm trưởng, Cụm phó năm học 2025–2026" in text
    assert "Cụm trưởng năm học 2025–2026: Huyện Phó." in text
    assert "(Cụm trưởng năm học 2024–2025)." in text
    assert not YEAR_ONLY.search(text), YEAR_ONLY.search(text).group(0)


NEXT_LABEL = "Năm học 2025–2026"
NEXT_YEAR_ONLY = re.compile(r"\b[Nn]ăm (?:thi đua )?2025\b(?![–-])")


def test_opening_the_next_year_names_it_by_its_label(world, client):
    """The link to open the next year, the rollover page, the chair election's
    outcome and the to-do item name the next term by the label it will get."""
    _school_year(world)
    make_elected(world)
    admin = world.users["admin"]
    vote = award_services.chair_election_open(term=world.term, actor=admin)
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        cast(vote, unit, chair=[world.unit_deputy], deputy=[world.unit_a])
    award_services.vote_close(vote=vote, actor=admin)
    Term.objects.filter(pk=world.term.pk).update(state=TermState.DECIDED)
    client.force_login(admin)
    for url in (
        reverse("term_detail", args=[world.term.pk]),
        reverse("term_rollover", args=[world.term.pk]),
        reverse("vote_detail", args=[vote.pk]),
        reverse("home"),
    ):
        html = client.get(url).content.decode()
        assert f"Mở năm thi đua tiếp theo ({NEXT_LABEL})" in html or (
            f"Trúng cử cho năm thi đua tiếp theo ({NEXT_LABEL})" in html
        ), url
        m = NEXT_YEAR_ONLY.search(html)
        assert not m, (url, html[m.start() - 300 : m.end() + 50])


@pytest.mark.parametrize("user", ["chair_officer", "admin"])
def test_the_home_to_do_list_names_the_term_by_its_label(world, client, user):
    """The groups and items of the home page's to-do list (“Trưởng cụm — Cụm 1,
    năm học 2024–2025”; the admin's: a chair left unset)."""
    _school_year(world)
    if user == "admin":
        world.term.memberships.filter(role="chair").update(role="member")
    client.force_login(world.users[user])
    html = client.get(reverse("home")).content.decode()
    assert f"{world.cluster.name}, năm học 2024–2025" in html
    assert f"{world.cluster.name}, năm 2024" not in html


# Rule 10: the catalogue's reward multipliers -------------------------------------


@pytest.mark.parametrize("row", DEFAULT_FORMS, ids=lambda row: row["code"])
def test_catalogue_row_cites_its_amount_or_is_flagged(row):
    """A row is confirmed only with a multiplier whose source names the
    article (“điều N”) of the decree; a multiplier resting on Decree 152/2025
    without a checked article is flagged; a row without a multiplier says who
    sets the amount."""
    source, note = row["legal_source"], row["unconfirmed"]
    cites_article = re.search(rf"{re.escape(DECREE_152)}, (điều|Điều) \d+", source)
    if row["multiplier"] is None:
        assert "tỉnh quy định" in note or "chưa xác nhận" in note
    elif cites_article:
        assert MULTIPLIER_UNCONFIRMED not in note
    else:
        assert DECREE_152 in source
        assert MULTIPLIER_UNCONFIRMED in note


def test_base_salary_from_july_2024_is_decree_73():
    assert ("2340000", "2024-07-01", "Nghị định 73/2024/NĐ-CP") in (
        DEFAULT_BASE_SALARIES
    )


@pytest.mark.parametrize("row", DEFAULT_FORMS, ids=lambda row: row["code"])
def test_catalogue_note_of_each_row_is_shown_to_admins_only(world, client, row):
    award_services.catalogue_for(world.authority)
    form = AwardForm.objects.get(authority=world.authority, code=row["code"])
    if not form.unconfirmed:
        pytest.skip("a confirmed row has no note")
    url = reverse("award_form_list")
    client.force_login(world.users["admin"])
    assert form.unconfirmed in client.get(url).content.decode()
    for user in ("staff", "officer", "chair_officer"):
        client.force_login(world.users[user])
        assert form.unconfirmed not in client.get(url).content.decode(), user


@pytest.mark.parametrize("row", DEFAULT_FORMS, ids=lambda row: row["code"])
def test_documents_show_each_rows_amount_or_the_provincial_rule(world, row):
    award_services.catalogue_for(world.authority)
    form = AwardForm.objects.get(authority=world.authority, code=row["code"])
    salary = BaseSalary.objects.filter(authority=world.authority).latest(
        "effective_from"
    )
    words = reward_words(form.multiplier, salary, world.authority)
    if form.multiplier is None:
        assert words == "Mức tiền thưởng theo quy định của tỉnh."
    else:
        assert re.fullmatch(
            r"Mức tiền thưởng: [\d.]+0\.000 đồng \([\d,]+ lần mức lương cơ sở\)\.",
            words,
        ), words
