"""Bonus cap, deduction cap and late deduction become shares of the scale: each
existing term keeps the points it had (5 points of a 1,000-point term become
0,5 %). Reversible."""

from decimal import Decimal

from django.db import migrations

FIELDS = ("bonus_cap", "deduction_cap", "late_deduction")
PLACES = Decimal("0.0001")


def _convert(apps, to_percent):
    Term = apps.get_model("clusters", "Term")
    for term in Term.objects.exclude(total_points=100).only(
        "pk", "total_points", *FIELDS
    ):
        scale = Decimal(term.total_points)
        for name in FIELDS:
            value = Decimal(getattr(term, name))
            value = value * 100 / scale if to_percent else value * scale / 100
            setattr(term, name, min(value, Decimal(100)).quantize(PLACES))
        term.save(update_fields=list(FIELDS))


def points_to_percent(apps, schema_editor):
    _convert(apps, to_percent=True)


def percent_to_points(apps, schema_editor):
    _convert(apps, to_percent=False)


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0008_term_bands_and_caps_in_percent_of_scale"),
    ]

    operations = [
        migrations.RunPython(points_to_percent, percent_to_points),
    ]
