"""Seed the award catalogue of every authority that has none yet.

Reading the catalogue used to seed an authority on first use; it no longer
writes (new authorities are seeded by `clusters.services.authority_create`), so
an authority created since migration 0003 other than by the `create_authority`
command gets its catalogue here, as 0003 seeded the others. Going back removes
nothing (the rows may be in use by then)."""

import copy
import datetime
from decimal import Decimal

from django.db import migrations

from awards.catalogue_defaults import DEFAULT_BASE_SALARIES, DEFAULT_FORMS


def seed_missing(apps, schema_editor):
    Authority = apps.get_model("clusters", "Authority")
    AwardForm = apps.get_model("awards", "AwardForm")
    BaseSalary = apps.get_model("awards", "BaseSalary")
    for authority in Authority.objects.filter(award_forms__isnull=True).distinct():
        for position, spec in enumerate(DEFAULT_FORMS, start=1):
            spec = copy.deepcopy(spec)
            multiplier = spec.pop("multiplier")
            AwardForm.objects.create(
                authority=authority,
                code=spec.pop("code"),
                multiplier=Decimal(multiplier) if multiplier else None,
                ranking_bonus=Decimal(spec.pop("ranking_bonus")),
                position=position,
                **spec,
            )
        for amount, start, source in DEFAULT_BASE_SALARIES:
            BaseSalary.objects.get_or_create(
                authority=authority,
                effective_from=datetime.date.fromisoformat(start),
                defaults={"amount": Decimal(amount), "legal_source": source},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0005_decision_issuer_kind"),
        ("clusters", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_missing, migrations.RunPython.noop),
    ]
