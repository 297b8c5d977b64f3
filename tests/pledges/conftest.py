import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clusters.models import Role, Term, TermState, User
from pledges import services
from pledges.models import Report, ReportState
from tests.clusters.factories import officer

CONTENT = {
    "sections": [
        {
            "code": "I",
            "title": "Nhiệm vụ kinh tế – xã hội",
            "max_points": "60",
            "criteria": [
                {
                    "code": "I.1",
                    "title": "Giá trị sản xuất",
                    "kind": "indicator",
                    "max_points": "30",
                    "indicators": [
                        {
                            "code": "CT1",
                            "title": "Giá trị sản xuất (giá so sánh 2010)",
                            "unit_of_measure": "tỷ đồng",
                            "params": {"cap": 100, "floor": 50},
                        }
                    ],
                },
                {
                    "code": "I.2",
                    "title": "Thu ngân sách",
                    "kind": "indicator",
                    "max_points": "30",
                    "indicators": [
                        {
                            "code": "CT2",
                            "title": "Thu ngân sách trên địa bàn",
                            "unit_of_measure": "tỷ đồng",
                            "rule": "threshold",
                        }
                    ],
                },
            ],
        },
        {
            "code": "II",
            "title": "Cải cách hành chính",
            "max_points": "40",
            "criteria": [
                {
                    "code": "II.1",
                    "title": "Chỉ số cải cách hành chính",
                    "kind": "assessed",
                    "max_points": "40",
                    "evidence_required": True,
                }
            ],
        },
        {
            "code": "III",
            "title": "Điểm thưởng",
            "kind": "bonus",
            "max_points": "5",
            "criteria": [
                {
                    "code": "III.1",
                    "title": "Mô hình hay",
                    "kind": "bonus",
                    "max_points": "5",
                }
            ],
        },
    ]
}


@pytest.fixture
def pledge(world):
    """A draft pledge of world.term that is complete except for targets."""
    return services.pledge_create(
        term=world.term, actor=world.users["admin"], content=CONTENT
    )


def set_all_targets(pledge, actor, value=Decimal(100)):
    members = [m.unit for m in pledge.term.memberships.select_related("unit")]
    rows = [(i, u, value, None) for i in pledge.indicators.all() for u in members]
    return services.targets_apply(pledge=pledge, rows=rows, actor=actor)


def unit_officer(unit):
    """An active officer of `unit`, created when it has none (a unit signs,
    scores and objects only through its own officers)."""
    user = User.objects.filter(
        unit=unit, role=Role.UNIT_OFFICER, is_active=True
    ).first()
    return user or officer(unit, username=f"officer_{unit.pk}")


def sign_all(pledge):
    """Every member signs the open version, each by its own officer."""
    for m in pledge.term.memberships.select_related("unit"):
        services.pledge_sign(
            pledge=pledge,
            unit=m.unit,
            actor=unit_officer(m.unit),
            signer_name="Nguyễn Văn A",
            signer_title="Chủ tịch UBND",
            signed_on=datetime.date(2024, 2, 1),
        )


def world_pledge(world):
    """The world's term's pledge, created on first use (for matrix rows)."""
    if not hasattr(world, "_pledge"):
        world._pledge = services.pledge_create(
            term=world.term, actor=world.users["admin"], content=CONTENT
        )
    return world._pledge


def term_to(world, state):
    Term.objects.filter(pk=world.term.pk).update(state=state)
    world.term.refresh_from_db()


@pytest.fixture
def scored(world, pledge):
    """Every member reported CT1 105 % and CT2 90 % of plan; submitted."""
    set_all_targets(pledge, world.users["admin"])
    term_to(world, TermState.REPORTING)
    ct1, ct2 = pledge.indicators.get(code="CT1"), pledge.indicators.get(code="CT2")
    for unit, value in (
        (world.unit_a, 105),
        (world.unit_chair, 100),
        (world.unit_deputy, 80),
    ):
        report = services.report_start(
            term=world.term, unit=unit, actor=world.users["admin"]
        )
        services.report_save_section(
            report=report,
            actor=world.users["admin"],
            version=report.version,
            section="indicators",
            data={ct1: (Decimal(value), ""), ct2: (Decimal(value), "")},
        )
        Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED)
    term_to(world, TermState.SCORING)
    return pledge


def report_of(world, unit):
    return Report.objects.select_related("term").get(term=world.term, unit=unit)


def publish_ranking(term, actor, reason=""):
    """Publish `term`'s ranking as the rules allow it: the term is put in the
    right-of-reply stage after its objection deadline, every report accepted,
    and a missing report recorded as absent; then `ranking_publish` runs."""
    from pledges.models import ReportAbsence

    Term.objects.filter(pk=term.pk).update(
        state=TermState.REPLY,
        reply_deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    term.refresh_from_db()
    Report.objects.filter(term=term).update(state=ReportState.ACCEPTED)
    reported = set(Report.objects.filter(term=term).values_list("unit_id", flat=True))
    for membership in term.memberships.all():
        if membership.unit_id not in reported:
            ReportAbsence.objects.get_or_create(
                term=term,
                unit_id=membership.unit_id,
                defaults={"reason": "Không nộp báo cáo", "recorded_by": actor},
            )
    snapshot = services.ranking_publish(term=term, actor=actor, reason=reason)
    term.refresh_from_db()
    return snapshot
