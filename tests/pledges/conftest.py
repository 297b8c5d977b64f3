import datetime
from decimal import Decimal

import pytest

from clusters.models import Term, TermState
from pledges import services
from pledges.models import Report, ReportState

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


def sign_all(pledge, actor):
    for m in pledge.term.memberships.select_related("unit"):
        services.pledge_sign(
            pledge=pledge,
            unit=m.unit,
            actor=actor,
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
