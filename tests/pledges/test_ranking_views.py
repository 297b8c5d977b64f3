import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.models import Term, TermState
from pledges import services
from pledges.models import RankingSnapshot, Report, ReportState
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable
from tests.pledges.conftest import publish_ranking, set_all_targets


@pytest.fixture
def reported(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    ct1 = pledge.indicators.get(code="CT1")
    for unit, value in ((world.unit_a, 105), (world.unit_chair, 95)):
        report = services.report_start(
            term=world.term, unit=unit, actor=world.users["admin"]
        )
        services.report_save_section(
            report=report, actor=world.users["admin"], version=report.version,
            section="indicators", data={ct1: (Decimal(value), "")},
        )  # fmt: skip
    Report.objects.update(state=ReportState.SUBMITTED)
    return pledge


def _grow(world, pledge):
    def grow():
        ct1 = pledge.indicators.get(code="CT1")
        for n in range(45):
            unit = UnitFactory(authority=world.authority, name=f"Xã {n:02d}")
            MembershipFactory(term=world.term, unit=unit)
            ct1.targets.create(unit=unit, planned=100)
            report = Report.objects.create(term=world.term, unit=unit)
            report.results.create(indicator=ct1, actual=n)

    return grow


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("term_ranking", "staff"),
        ("cluster_totals", "officer"),
        ("rank_detail", "admin"),
    ],
)
def test_ranking_pages_query_count_is_stable(world, login, reported, name, role):
    kwargs = {"pk": world.term.pk}
    if name == "rank_detail":
        kwargs["unit_pk"] = world.unit_a.pk
    assert_queries_stable(
        login(world.users[role]), reverse(name, kwargs=kwargs), _grow(world, reported)
    )


def test_staff_publish_and_public_page_shows_ranking(world, login, client, reported):
    staff = login(world.users["staff"])
    draft = staff.get(reverse("term_ranking", args=[world.term.pk])).content.decode()
    assert "Huyện A" in draft
    Term.objects.filter(pk=world.term.pk).update(
        state=TermState.REPLY, reply_deadline=datetime.date(2025, 1, 10)
    )
    Report.objects.update(state=ReportState.ACCEPTED)
    services.report_absence_record(
        term=world.term, unit=world.unit_deputy, reason="Không nộp",
        actor=world.users["staff"],
    )  # fmt: skip
    url = reverse("ranking_publish", args=[world.term.pk])
    assert 'id="publish-form"' in staff.get(url).content.decode()
    response = staff.post(url, {"action": "publish", "expected": "0"})
    assert response.status_code == 302
    assert RankingSnapshot.objects.filter(term=world.term).count() == 1
    client.logout()
    public = client.get(
        reverse("public_ranking", args=[world.term.pk])
    ).content.decode()
    assert "Huyện A" in public
    assert public.index("Huyện A") < public.index("Huyện Chủ trì")
    listing = client.get(reverse("public_rankings")).content.decode()
    assert world.cluster.name in listing


def test_members_never_see_the_unpublished_draft(world, login, reported):
    html = login(world.users["officer"]).get(
        reverse("term_ranking", args=[world.term.pk])
    )
    assert "Huyện Chủ trì" not in html.content.decode()
    other = login(world.users["officer"]).get(
        reverse("rank_detail", args=[world.term.pk, world.unit_chair.pk])
    )
    assert other.status_code == 403


def test_unpublished_term_has_no_public_page(world, client, reported):
    assert (
        client.get(reverse("public_ranking", args=[world.term.pk])).status_code == 404
    )


def test_cluster_totals_show_percent_of_plan(world, login, reported):
    html = (
        login(world.users["officer"])
        .get(reverse("cluster_totals", args=[world.term.pk]))
        .content.decode()
    )
    # CT1: 105 + 95 of the 200 planned by the two units that reported (the
    # deputy has not reported, so its plan does not count either).
    assert "100,00 %" in html


def test_dashboard_lists_clusters_with_leaders_and_bands(world, login, reported):
    publish_ranking(world.term, world.users["admin"])
    client = login(world.users["staff"])
    html = client.get(reverse("province_dashboard"), {"year": "2024"}).content.decode()
    assert world.cluster.name in html
    assert "Huyện A" in html  # the leader
    assert "<svg" in html
    export = client.get(reverse("dashboard_xlsx"), {"year": "2024"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_dashboard_query_count_is_stable(world, login, reported):
    from tests.clusters.factories import ClusterFactory, TermFactory

    publish_ranking(world.term, world.users["admin"])

    def grow():
        for _n in range(10):
            term = TermFactory(cluster=ClusterFactory(authority=world.authority))
            MembershipFactory(term=term)
            publish_ranking(term, world.users["admin"])

    assert_queries_stable(
        login(world.users["staff"]), reverse("province_dashboard") + "?year=2024", grow
    )


def test_rank_page_shows_the_evidence_and_comments_behind_the_points(
    world, login, scored
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.hau_giang import evidence_pdf
    from tests.pledges.conftest import report_of, term_to

    criterion = scored.criteria.get(code="II.1")
    term_to(world, TermState.REPORTING)
    report = report_of(world, world.unit_a)
    Report.objects.filter(pk=report.pk).update(state=ReportState.DRAFT)
    report.refresh_from_db()
    report = services.report_save_section(
        report=report, actor=world.users["officer"], version=report.version,
        section="criteria",
        data={criterion: (Decimal(30), "Hoàn thành 12 cuộc kiểm tra")},
    )  # fmt: skip
    services.evidence_add(
        report=report,
        criterion=criterion,
        upload=SimpleUploadedFile(
            "bien-ban.pdf", evidence_pdf("x"), content_type="application/pdf"
        ),
        actor=world.users["officer"],
    )
    Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    term_to(world, TermState.SCORING)
    services.peer_score_set(
        report=report_of(world, world.unit_a), criterion=criterion,
        scorer_unit=world.unit_chair, points=Decimal(28),
        comment="Thiếu biên bản quý IV", actor=world.users["chair_officer"],
    )  # fmt: skip
    html = (
        login(world.users["officer"])
        .get(reverse("rank_detail", args=[world.term.pk, world.unit_a.pk]))
        .content.decode()
    )
    assert "Hoàn thành 12 cuộc kiểm tra" in html
    assert "bien-ban.pdf" in html
    assert "Thiếu biên bản quý IV" in html
    assert "Huyện Chủ trì" not in html.split("Thiếu biên bản")[0].split("<table")[-1]
