"""Report services: section saves, optimistic locking, submit, return, resubmit,
accept and deadline extensions."""

import datetime
from decimal import Decimal

import pytest

from clusters.models import Term, TermState
from core.errors import DomainError
from pledges import selectors, services
from pledges.models import Report, ReportState, ReviewItem
from tests.pledges.conftest import set_all_targets

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def report(world, pledge):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    set_all_targets(pledge, world.users["admin"])
    world.term.refresh_from_db()
    return services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )


def _fill(report, officer, pledge):
    ct1, ct2 = pledge.indicators.get(code="CT1"), pledge.indicators.get(code="CT2")
    report = services.report_save_section(
        report=report,
        actor=officer,
        version=report.version,
        section="indicators",
        data={ct1: (Decimal(105), ""), ct2: (Decimal(90), "")},
    )
    assessed = pledge.criteria.get(code="II.1")
    return services.report_save_section(
        report=report,
        actor=officer,
        version=report.version,
        section="criteria",
        data={assessed: (Decimal(35), "Đạt chỉ số khá")},
    )


def test_sections_save_independently_and_bump_the_version(world, pledge, report):
    officer = world.users["officer"]
    report = _fill(report, officer, pledge)
    assert report.version == 3
    report = services.report_save_section(
        report=report, actor=officer, version=3, section="summary", data="Tóm tắt"
    )
    assert report.results.count() == 2
    assert report.self_scores.get().points == Decimal(35)
    assert report.summary == "Tóm tắt"


def test_stale_save_of_the_same_section_by_oneself_is_refused_as_ones_own(
    world, pledge, report
):
    officer = world.users["officer"]
    report = services.report_save_section(
        report=report, actor=officer, version=1, section="summary", data="A"
    )
    with pytest.raises(services.StaleReport, match="You changed this part") as caught:
        services.report_save_section(
            report=report, actor=officer, version=1, section="summary", data="B"
        )
    assert officer.display_name not in caught.value.message
    assert Report.objects.get(pk=report.pk).summary == "A"


def test_own_earlier_save_of_another_section_is_no_conflict(world, pledge, report):
    officer = world.users["officer"]
    ct1 = pledge.indicators.get(code="CT1")
    services.report_save_section(
        report=report, actor=officer, version=1, section="summary", data="Tóm tắt"
    )
    services.report_save_section(
        report=report,
        actor=officer,
        version=1,
        section="indicators",
        data={ct1: (Decimal(105), "")},
    )
    saved = Report.objects.get(pk=report.pk)
    assert (saved.summary, saved.version) == ("Tóm tắt", 3)
    assert saved.results.get().actual == Decimal(105)


def test_another_officers_save_in_between_is_a_conflict_naming_them(
    world, pledge, report
):
    from tests.clusters.factories import officer as make_officer

    officer = world.users["officer"]
    other = make_officer(world.unit_a, username="officer_a2", full_name="Lê Thị Hai")
    ct1 = pledge.indicators.get(code="CT1")
    services.report_save_section(
        report=report, actor=officer, version=1, section="summary", data="Tóm tắt"
    )
    services.report_save_section(
        report=report, actor=other, version=2, section="commendations", data=[]
    )
    with pytest.raises(services.StaleReport, match="Lê Thị Hai"):
        services.report_save_section(
            report=report,
            actor=officer,
            version=1,
            section="indicators",
            data={ct1: (Decimal(105), "")},
        )
    saved = Report.objects.get(pk=report.pk)
    assert (saved.version, saved.results.count()) == (3, 0)


def test_points_outside_the_criterion_range_are_refused(world, pledge, report):
    assessed = pledge.criteria.get(code="II.1")
    with pytest.raises(DomainError, match="from 0 to 40"):
        services.report_save_section(
            report=report,
            actor=world.users["officer"],
            version=report.version,
            section="criteria",
            data={assessed: (Decimal(41), "")},
        )


def test_negative_and_huge_actuals_are_refused(world, pledge, report):
    ct1 = pledge.indicators.get(code="CT1")
    for value in (Decimal(-1), Decimal(10) ** 15):
        with pytest.raises(DomainError, match="CT1"):
            services.report_save_section(
                report=report,
                actor=world.users["officer"],
                version=report.version,
                section="indicators",
                data={ct1: (value, "")},
            )
    assert not report.results.exists()


def test_submit_lists_what_is_missing(world, pledge, report):
    missing = [m for m, _a in selectors.report_missing(report)]
    assert missing == [
        "CT1 has no actual value.",
        "CT2 has no actual value.",
        "II.1 has no self-score.",
        "II.1 needs an evidence file.",
    ]
    with pytest.raises(DomainError, match="not complete"):
        services.report_submit(report=report, actor=world.users["officer"], version=1)
    assert Report.objects.get(pk=report.pk).state == ReportState.DRAFT


def _complete(world, pledge, report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = _fill(report, world.users["officer"], pledge)
    services.evidence_add(
        report=report,
        criterion=pledge.criteria.get(code="II.1"),
        upload=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
        actor=world.users["officer"],
    )
    return Report.objects.get(pk=report.pk)


def test_submit_return_resubmit_accept(world, pledge, report):
    officer, chair = world.users["officer"], world.users["chair_officer"]
    report = _complete(world, pledge, report)
    report = services.report_submit(
        report=report, actor=officer, version=report.version
    )
    assert (report.state, report.late) == (ReportState.SUBMITTED, False)
    with pytest.raises(DomainError, match="can no longer be changed"):
        services.report_save_section(
            report=report, actor=officer, version=report.version, section="summary",
            data="x",
        )  # fmt: skip
    ct1 = pledge.indicators.get(code="CT1")
    report = services.report_return(
        report=report,
        actor=chair,
        items=[("indicator", ct1, None, "Số liệu chưa khớp niên giám")],
    )
    assert report.state == ReportState.RETURNED
    report = services.report_save_section(
        report=report, actor=officer, version=report.version, section="indicators",
        data={ct1: (Decimal(104), "Theo niên giám thống kê")},
    )  # fmt: skip
    report = services.report_submit(
        report=report, actor=officer, version=report.version
    )
    assert ReviewItem.objects.get().resolved_at is not None
    report = services.report_accept(report=report, actor=chair)
    assert report.state == ReportState.ACCEPTED
    with pytest.raises(DomainError, match="Only a submitted report"):
        services.report_accept(report=report, actor=chair)


def test_return_needs_a_reason(world, pledge, report):
    report = _complete(world, pledge, report)
    report = services.report_submit(
        report=report, actor=world.users["officer"], version=report.version
    )
    with pytest.raises(DomainError, match="reason"):
        services.report_return(
            report=report, actor=world.users["chair_officer"],
            items=[("summary", None, None, " ")],
        )  # fmt: skip
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_after_the_deadline_only_with_an_extension_and_marked_late(
    world, pledge, report
):
    Term.objects.filter(pk=world.term.pk).update(
        report_deadline=datetime.date(2020, 1, 1)
    )
    report = _complete(world, pledge, report)
    with pytest.raises(DomainError, match="extension"):
        services.report_submit(
            report=report, actor=world.users["officer"], version=report.version
        )
    term = Term.objects.get(pk=world.term.pk)
    with pytest.raises(DomainError, match="after the deadline"):
        services.deadline_extend(
            term=term, unit=world.unit_a, until=datetime.date(2019, 1, 1),
            reason="x", actor=world.users["admin"],
        )  # fmt: skip
    services.deadline_extend(
        term=term,
        unit=world.unit_a,
        until=datetime.date(2099, 1, 1),
        reason="Lũ lụt",
        actor=world.users["admin"],
    )
    report = services.report_submit(
        report=report, actor=world.users["officer"], version=report.version
    )
    assert (report.state, report.late) == (ReportState.SUBMITTED, True)


def test_report_rows_compute_live_points_with_the_scoring_module(world, pledge, report):
    report = _fill(report, world.users["officer"], pledge)
    sections, _returned = selectors.report_rows(report, pledge, world.unit_a)
    ct1 = sections[0].criteria_list[0].indicator_list[0]
    ct2 = sections[0].criteria_list[1].indicator_list[0]
    assert (ct1.achieved, ct1.points) == (Decimal(105), Decimal(30))
    assert (ct2.achieved, ct2.points) == (Decimal(90), Decimal(0))  # threshold rule


def test_non_member_has_no_report(world, pledge):
    with pytest.raises(DomainError, match="not a member"):
        services.report_start(
            term=world.term, unit=world.unit_other, actor=world.users["admin"]
        )


def test_bonus_needing_evidence_blocks_submission_only_for_points_claimed(
    world, pledge, report
):
    """A bonus claimed at 0 points needs no evidence file."""
    officer = world.users["officer"]
    bonus = pledge.criteria.get(code="III.1")
    bonus.evidence_required = True
    bonus.save()
    report = _complete(world, pledge, report)

    def saved_bonus(points):
        services.report_save_section(
            report=report,
            actor=officer,
            version=Report.objects.get(pk=report.pk).version,
            section="criteria",
            data={bonus: (points, "")},
        )
        return [m for m, _a in selectors.report_missing(report)]

    assert saved_bonus(None) == []
    assert saved_bonus(Decimal(0)) == []
    assert saved_bonus(Decimal(2)) == ["III.1 needs an evidence file."]
    with pytest.raises(DomainError, match="not complete"):
        services.report_submit(
            report=report,
            actor=officer,
            version=Report.objects.get(pk=report.pk).version,
        )
    saved_bonus(Decimal(0))
    services.report_submit(
        report=report, actor=officer, version=Report.objects.get(pk=report.pk).version
    )
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED
