"""Seed the award catalogue and the base salaries of every existing authority
(`awards.catalogue_defaults`). Reversible: going back removes the seeded
rows that nothing refers to yet. Authorities created later get the catalogue from
`awards.services.catalogue_for` on first use."""

import copy
import datetime
from decimal import Decimal

from django.db import migrations

from awards.catalogue_defaults import DEFAULT_BASE_SALARIES, DEFAULT_FORMS


def seed(apps, schema_editor):
    Authority = apps.get_model("clusters", "Authority")
    AwardForm = apps.get_model("awards", "AwardForm")
    BaseSalary = apps.get_model("awards", "BaseSalary")
    for authority in Authority.objects.all():
        for position, spec in enumerate(DEFAULT_FORMS, start=1):
            spec = copy.deepcopy(spec)
            multiplier = spec.pop("multiplier")
            AwardForm.objects.get_or_create(
                authority=authority,
                code=spec.pop("code"),
                defaults={
                    **spec,
                    "multiplier": Decimal(multiplier) if multiplier else None,
                    "ranking_bonus": Decimal(spec["ranking_bonus"]),
                    "position": position,
                },
            )
        for amount, start, source in DEFAULT_BASE_SALARIES:
            BaseSalary.objects.get_or_create(
                authority=authority,
                effective_from=datetime.date.fromisoformat(start),
                defaults={"amount": Decimal(amount), "legal_source": source},
            )


def unseed(apps, schema_editor):
    AwardForm = apps.get_model("awards", "AwardForm")
    BaseSalary = apps.get_model("awards", "BaseSalary")
    codes = [spec["code"] for spec in DEFAULT_FORMS]
    AwardForm.objects.filter(
        code__in=codes, nominees__isnull=True, grants__isnull=True
    ).delete()
    BaseSalary.objects.filter(
        effective_from__in=[
            datetime.date.fromisoformat(start)
            for _a, start, _s in DEFAULT_BASE_SALARIES
        ]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_catalogue_proposals_decisions"),
        ("clusters", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
