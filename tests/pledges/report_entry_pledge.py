"""A pledge of many indicators, in groups (criteria) of a few, for the report
entry tests (tests/pledges/test_report_entry*.py, tests/browser/
test_report_entry.py): `GROUPS` × `PER_GROUP` indicators worth 8 points a
group, and one criterion scored by people."""

from decimal import Decimal

from clusters.models import Term, TermState
from pledges import services

GROUPS, PER_GROUP = 10, 4
GROUP_POINTS = 8
# The first indicator's plan and last year's actual (the others: 100 and 90).
FIRST_PLAN, FIRST_LAST_YEAR = Decimal(58000), Decimal(55000)


def content(groups=GROUPS, per_group=PER_GROUP):
    criteria = [
        {
            "code": f"I.{g + 1}",
            "title": f"Nhóm chỉ tiêu {g + 1}",
            "kind": "indicator",
            "max_points": str(GROUP_POINTS),
            "indicators": [
                {
                    "code": f"CT{g * per_group + k + 1}",
                    "title": f"Chỉ tiêu {g * per_group + k + 1} của nhóm {g + 1}",
                    "unit_of_measure": "triệu đồng",
                    "params": {"cap": 120, "floor": 50},
                }
                for k in range(per_group)
            ],
        }
        for g in range(groups)
    ]
    return {
        "sections": [
            {
                "code": "I",
                "title": "Nhiệm vụ kinh tế – xã hội",
                "max_points": str(GROUP_POINTS * groups),
                "criteria": criteria,
            },
            {
                "code": "II",
                "title": "Cải cách hành chính",
                "max_points": "20",
                "criteria": [
                    {
                        "code": "II.1",
                        "title": "Chỉ số cải cách hành chính",
                        "kind": "assessed",
                        "max_points": "20",
                    }
                ],
            },
        ]
    }


def reporting_pledge(world, groups=GROUPS, per_group=PER_GROUP):
    """A pledge of `groups` × `per_group` indicators for `world.term`, every
    member's targets set, the term being reported."""
    admin = world.users["admin"]
    pledge = services.pledge_create(
        term=world.term, actor=admin, content=content(groups, per_group)
    )
    members = [m.unit for m in world.term.memberships.select_related("unit")]
    rows = []
    for indicator in pledge.indicators.order_by("pk"):
        first = not rows
        for unit in members:
            rows.append(
                (
                    indicator,
                    unit,
                    FIRST_PLAN if first else Decimal(100),
                    FIRST_LAST_YEAR if first else Decimal(90),
                )
            )
    services.targets_apply(pledge=pledge, rows=rows, actor=admin)
    Term.objects.filter(pk=world.term.pk).update(state=TermState.REPORTING)
    world.term.refresh_from_db()
    return pledge


def groups_of(pledge):
    """[(criterion, [its indicators])] of the indicator criteria, in order."""
    return [
        (c, list(c.indicators.order_by("pk")))
        for c in pledge.criteria.filter(kind="indicator").order_by("pk")
    ]
