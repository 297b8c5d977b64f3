"""Who may fill in a report is enforced by the service, not only by the page:
the unit's own officers (and an admin of the same authority, as support)."""

from decimal import Decimal

import pytest

from core.errors import DomainError
from pledges import services
from pledges.models import IndicatorResult
from tests.pledges.report_entry_pledge import groups_of, reporting_pledge


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer", True),
        ("admin", True),
        ("chair_officer", False),
        ("other_officer", False),
        ("staff", False),
        ("other_admin", False),
    ],
)
def test_only_the_units_officers_or_its_admin_save_its_report(world, who, allowed):
    big = reporting_pledge(world)
    (criterion, rows), *_rest = groups_of(big)
    report = services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )

    def save():
        services.report_save_section(
            report=report,
            actor=world.users[who],
            version=1,
            section="indicators",
            data={rows[0]: (Decimal(7), "")},
            criterion=criterion,
        )

    if allowed:
        save()
        assert IndicatorResult.objects.get(report=report, indicator=rows[0]).actual == 7
    else:
        with pytest.raises(DomainError):
            save()
        assert not IndicatorResult.objects.filter(report=report).exists()
