import io

from django.core.management import call_command

from clusters.models import (
    Authority,
    Cluster,
    Handover,
    Membership,
    Term,
    TermState,
    Unit,
    User,
)


def _counts():
    return [
        model.objects.count()
        for model in (Authority, Unit, Cluster, Term, Membership, Handover, User)
    ]


def _award_counts():
    from awards.models import Decision, Grant, Nominee, Proposal, Vote

    return [m.objects.count() for m in (Proposal, Nominee, Decision, Grant, Vote)]


def test_demo_loads_hau_giang_and_is_idempotent(demo_db, db):
    """The one test of loading itself: on top of the demo as loaded once (the
    session's, tests.conftest.demo_db) a second ``load_demo`` adds nothing —
    no cluster, report or award row (tests/awards/test_registry_demo.py,
    tests/awards/test_documents.py use the demo as loaded once)."""
    from awards.models import Vote

    first = _counts()
    first_reports = _report_counts()
    first_awards = _award_counts()
    call_command("load_demo", stdout=io.StringIO())
    # Hậu Giang's 8 districts in one cluster, 2023 and 2024, one handover; and
    # the illustrative block of 6 departments, 2023 and 2024 (sample data).
    assert _counts() == first == [1, 8 + 6, 2, 4, 16 + 12, 1, 10 + 6]
    assert _report_counts() == first_reports
    assert _award_counts() == first_awards
    demo_2023 = Term.objects.get(year=2023, cluster__name__startswith="Cụm thi đua các")
    assert Vote.objects.filter(term=demo_2023).count() == 1
    # Reports, results (8 + 3 complete, 5 drafts), self-scores (7 each, 2
    # bonuses), evidence (3 each), commendation forms (4 each), returned items;
    # plus the sample block's 2 × 6 complete reports (2 results, 5 self-scores).
    assert first_reports[:6] == [
        16 + 12,
        8 * 6 + 3 * 6 + (1 + 4 + 2 + 3 + 2) + 12 * 2,
        8 * 7 + 2 + 3 * 7 + 12 * 5,
        8 * 3 + 3 * 3,
        8 * 4 + 3 * 4,
        1,
    ]
    block = Cluster.objects.get(is_sample=True)
    assert (block.kind, block.is_sample) == ("block", True)
    term_2023 = Term.objects.get(cluster__is_sample=False, year=2023)
    term_2024 = Term.objects.get(cluster__is_sample=False, year=2024)
    assert term_2023.chair.name == "Thành phố Ngã Bảy"
    assert term_2024.chair.name == "Huyện Châu Thành"
    assert term_2023.state == TermState.CLOSED
    handover = Handover.objects.get()
    assert handover.date.isoformat() == "2024-01-20"
    assert (handover.from_unit.short_name, handover.to_unit.short_name) == (
        "Ngã Bảy",
        "Châu Thành",
    )


def test_every_demo_login_uses_password_demo(demo_db, db, client):
    usernames = [
        "admin", "noivu", "vithanh", "ngabay", "longmytx", "chauthanh",
        "chauthanha", "longmy", "phunghiep", "vithuy",
        "sotaichinh", "soxaydung", "soyte", "sogddt", "sonnmt", "sovhttdl",
    ]  # fmt: skip
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(usernames)
    for username in usernames:
        assert User.objects.get(username=username).check_password("demo")


def test_create_authority_makes_tenant_and_admin(db, monkeypatch, client):
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "mot-mat-khau-rat-dai-2026")
    call_command(
        "create_authority",
        "UBND tỉnh Cần Thơ",
        "--place",
        "Cần Thơ",
        "--admin",
        "quantri",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    user = User.objects.get(username="quantri")
    assert user.role == "admin"
    assert user.authority.name == "UBND tỉnh Cần Thơ"
    response = client.post(
        "/accounts/login/",
        {"username": "quantri", "password": "mot-mat-khau-rat-dai-2026"},
    )
    assert response.status_code == 302


def test_create_authority_refuses_weak_password(db, monkeypatch):
    import pytest
    from django.core.management.base import CommandError

    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_authority", "UBND X", "--place", "X", "--admin", "qt")
    assert not Authority.objects.filter(name="UBND X").exists()


def test_demo_pledges_reproduce_the_seed_plan_figures(demo_db, db):
    from decimal import Decimal

    from django.db.models import Sum

    from pledges.models import Pledge, PledgeState, Target

    def total(year, code, field="planned"):
        return Target.objects.filter(
            indicator__pledge__term__cluster__is_sample=False,
            indicator__pledge__term__year=year,
            indicator__code=code,
        ).aggregate(s=Sum(field))["s"]

    for year in (2023, 2024):
        pledge = Pledge.objects.get(term__cluster__is_sample=False, term__year=year)
        assert pledge.state == PledgeState.IN_FORCE
        assert pledge.versions.get().signatures.count() == 8
    # 2023 plans behind the seed's reported achievement of the plan.
    assert round(Decimal(64304) / total(2023, "CT1") * 100, 2) == Decimal("105.03")
    assert round(Decimal("576.449") / total(2023, "CT2") * 100, 2) == Decimal("100.24")
    assert round(Decimal(22700) / total(2023, "CT3") * 100, 2) == Decimal("101.75")
    assert round(Decimal(22700) / total(2023, "CT3", "last_actual") * 100, 2) == (
        Decimal("112.09")
    )
    assert round(Decimal(16200) / total(2023, "CT4") * 100, 2) == Decimal("117.39")
    # 2024 carries the 2023 actuals as the base for growth.
    assert total(2024, "CT1", "last_actual") == Decimal(64304)
    assert total(2024, "CT3", "last_actual") == Decimal(22700)


def _report_counts():
    from pledges.models import (
        CommendationFigure,
        Evidence,
        IndicatorResult,
        Report,
        ReviewItem,
        SelfScore,
    )

    return [
        model.objects.count()
        for model in (
            Report,
            IndicatorResult,
            SelfScore,
            Evidence,
            CommendationFigure,
            ReviewItem,
        )
    ] + [Report.history.count(), IndicatorResult.history.count()]


def test_demo_2023_reports_reproduce_the_seed_totals(demo_db, db):
    from decimal import Decimal

    from django.db.models import Sum

    from pledges.models import (
        CommendationFigure,
        IndicatorResult,
        Report,
        ReportState,
        Target,
    )

    def actual(code):
        return IndicatorResult.objects.filter(
            report__term__cluster__is_sample=False,
            report__term__year=2023,
            indicator__code=code,
        ).aggregate(s=Sum("actual"))["s"]

    def planned(code, field="planned"):
        return Target.objects.filter(
            indicator__pledge__term__cluster__is_sample=False,
            indicator__pledge__term__year=2023,
            indicator__code=code,
        ).aggregate(s=Sum(field))["s"]

    reports = Report.objects.filter(term__cluster__is_sample=False, term__year=2023)
    assert reports.count() == 8
    assert set(reports.values_list("state", flat=True)) == {ReportState.ACCEPTED}
    assert not reports.filter(late=True).exists()
    assert actual("CT1") == Decimal(64304)
    assert actual("CT2") == Decimal("576.449")
    assert actual("CT3") == Decimal(22700)
    assert actual("CT4") == Decimal(16200)
    assert round(actual("CT1") / planned("CT1") * 100, 2) == Decimal("105.03")
    assert round(actual("CT2") / planned("CT2") * 100, 2) == Decimal("100.24")
    assert round(actual("CT3") / planned("CT3") * 100, 2) == Decimal("101.75")
    assert round(actual("CT3") / planned("CT3", "last_actual") * 100, 2) == Decimal(
        "112.09"
    )
    assert round(actual("CT4") / planned("CT4") * 100, 2) == Decimal("117.39")
    assert planned("CT4") == Decimal(13800)
    # Every indicator of every report has its actual, and the units differ.
    assert (
        IndicatorResult.objects.filter(
            report__term__cluster__is_sample=False, report__term__year=2023
        ).count()
        == 8 * 6
    )
    ct1 = IndicatorResult.objects.filter(
        report__term__cluster__is_sample=False,
        report__term__year=2023,
        indicator__code="CT1",
    )
    assert len({r.actual for r in ct1}) == 8
    # 2024 carries each unit's 2023 actual as its last year's value.
    for result in ct1.select_related("report__unit"):
        target = Target.objects.get(
            indicator__pledge__term__cluster__is_sample=False,
            indicator__pledge__term__year=2024,
            indicator__code="CT1",
            unit=result.report.unit,
        )
        assert target.last_actual == result.actual
    totals = CommendationFigure.objects.filter(
        report__term__cluster__is_sample=False, report__term__year=2023
    ).aggregate(collectives=Sum("collectives"), individuals=Sum("individuals"))
    assert totals == {"collectives": 5099, "individuals": 22569}


def test_demo_2023_reports_are_complete_and_accepted(demo_db, db):
    from pledges.models import Report, ReportState
    from pledges.selectors import report_missing

    for report in Report.objects.filter(
        term__cluster__is_sample=False, term__year=2023
    ).select_related("unit"):
        assert report_missing(report) == []
        assert report.self_scores.exclude(explanation="").count() >= 7
        assert report.summary
        assert report.commendations.count() == 4
        for evidence in report.evidence.all():
            evidence.file.open("rb")
            assert evidence.file.read().startswith(b"%PDF-1.4")
            evidence.file.close()
        history = list(report.history.order_by("history_date", "history_id"))
        officer = User.objects.get(unit=report.unit)
        assert history[0].history_user == officer
        assert [h.state for h in history[-2:]] == [
            ReportState.SUBMITTED,
            ReportState.ACCEPTED,
        ]
        assert history[-2].history_user == officer
        # The chair (Ngã Bảy) accepts the others; the province admin its own.
        reviewer = "admin" if report.unit.short_name == "Ngã Bảy" else "ngabay"
        assert history[-1].history_user.username == reviewer


def test_demo_2024_reports_are_at_different_stages(demo_db, db):
    import datetime

    from django.utils import timezone

    from pledges.models import DeadlineExtension, Report, ReportState, ReviewItem

    term = Term.objects.get(cluster__is_sample=False, year=2024)
    assert term.state == TermState.REPORTING
    # The seed's year: the deadline passed in December 2024; the six
    # units without a submitted report hold an extension of 20 days from the
    # day the demo was loaded (the run's demo may have been loaded before a
    # midnight the test runs after).
    assert term.report_deadline == datetime.date(2024, 12, 16)
    rows = DeadlineExtension.objects.filter(term=term).values_list(
        "unit__short_name", "until", "created_at"
    )
    loaded = {timezone.localdate(created_at) for _unit, _until, created_at in rows}
    assert len(loaded) == 1
    assert loaded <= {
        timezone.localdate(),
        timezone.localdate() - datetime.timedelta(1),
    }
    assert {unit: until for unit, until, _created_at in rows} == dict.fromkeys(
        ["Châu Thành A", "TX Long Mỹ", "Châu Thành", "Long Mỹ", "Phụng Hiệp"]
        + ["Vị Thủy"],
        loaded.pop() + datetime.timedelta(days=20),
    )
    states = dict(
        Report.objects.filter(term=term).values_list("unit__short_name", "state")
    )
    assert states == {
        "Vị Thanh": ReportState.SUBMITTED,
        "Ngã Bảy": ReportState.SUBMITTED,
        "Châu Thành A": ReportState.RETURNED,
        "TX Long Mỹ": ReportState.DRAFT,
        "Châu Thành": ReportState.DRAFT,
        "Long Mỹ": ReportState.DRAFT,
        "Phụng Hiệp": ReportState.DRAFT,
        "Vị Thủy": ReportState.DRAFT,
    }
    item = ReviewItem.objects.get(report__term=term)
    assert (item.part, item.indicator.code, item.resolved_at) == (
        "indicator",
        "CT2",
        None,
    )
    assert item.reason
    assert item.created_by.username == "chauthanh"
    for report in Report.objects.filter(term=term, state=ReportState.DRAFT):
        assert report.results.exclude(actual=None).exists()
    assert not Report.objects.filter(term=term, late=True).exists()


def test_demo_pdf_is_valid():
    from demo.hau_giang import evidence_pdf

    pdf = evidence_pdf("Huyện Châu Thành (2023)", "Tiêu chí II.1")
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 6\n")
    assert b"(Huyen Chau Thanh \\(2023\\)) Tj" in pdf


def test_demo_sample_block_is_decided_for_2023_and_in_reply_for_2024(demo_db, db):
    from pledges.models import Objection, RankingSnapshot
    from pledges.selectors import dashboard

    block = Cluster.objects.get(is_sample=True)
    term_2023 = Term.objects.get(cluster=block, year=2023)
    term_2024 = Term.objects.get(cluster=block, year=2024)
    # 2023 published, then decided by the provincial decision that also
    # answers the cluster's proposal.
    assert (term_2023.state, term_2024.state) == (TermState.DECIDED, TermState.REPLY)
    assert RankingSnapshot.objects.filter(term=term_2023).count() == 1
    assert not RankingSnapshot.objects.filter(term=term_2024).exists()
    answers = dict(
        Objection.objects.filter(report__term__cluster=block).values_list(
            "report__term__year", "answer"
        )
    )
    assert answers == {2023: "accepted", 2024: ""}
    rows, _history = dashboard(block.authority_id, 2023)
    assert sorted(r["is_sample"] for r in rows) == [False, True]


def test_demo_acts_are_dated_in_the_seeds_years(demo_db, db):
    """The 2023 vote is held before its decision of 17/01/2024 and the
    documents carry the date of the act they record, not of the download."""
    import datetime

    from django.utils import timezone

    from awards.documents import term_summary_document, vote_minutes_document
    from awards.models import Decision, Vote, VoteKind
    from pledges.documents import pledge_document
    from pledges.models import RankingSnapshot, Report

    def day(moment):
        return timezone.localtime(moment).date()

    term = Term.objects.get(cluster__is_sample=False, year=2023)
    vote = Vote.objects.get(term=term, kind=VoteKind.NOMINATION)
    decision = Decision.objects.get(proposals__term=term)
    assert decision.date == datetime.date(2024, 1, 17)
    assert (day(vote.opened_at), day(vote.closed_at)) == (
        datetime.date(2024, 1, 8),
    ) * 2
    assert day(decision.proposals.get(term=term).submitted_at) == datetime.date(
        2024, 1, 10
    )
    published = RankingSnapshot.objects.get(term=term).published_at
    assert day(published) == datetime.date(2024, 1, 3)
    submitted = {day(r.submitted_at) for r in Report.objects.filter(term=term)}
    assert submitted == {datetime.date(2023, 12, 5)}
    assert term.report_deadline == datetime.date(2023, 12, 15)
    # The documents: the minutes on the vote's day, the year-end report on the
    # conference's, the pledge on the day the last member signed.
    assert vote_minutes_document(vote).place_date == (
        "Hậu Giang, ngày 08 tháng 01 năm 2024"
    )
    assert term_summary_document(term).place_date == (
        "Hậu Giang, ngày 20 tháng 01 năm 2024"
    )
    assert pledge_document(term.pledge).place_date == (
        "Hậu Giang, ngày 15 tháng 02 năm 2023"
    )
    term_2024 = Term.objects.get(cluster__is_sample=False, year=2024)
    assert pledge_document(term_2024.pledge).place_date == (
        "Hậu Giang, ngày 20 tháng 02 năm 2024"
    )
