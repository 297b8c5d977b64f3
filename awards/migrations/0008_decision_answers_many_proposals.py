"""A decision answers one or more proposals: the link moves from
`Decision.proposal` (one to one) to `Proposal.decision` (many to one), every
existing decision keeping its proposal."""

import django.db.models.deletion
from django.db import migrations, models


def link_proposals(apps, schema_editor):
    Decision = apps.get_model("awards", "Decision")
    Proposal = apps.get_model("awards", "Proposal")
    for decision_id, proposal_id in Decision.objects.values_list("pk", "proposal_id"):
        Proposal.objects.filter(pk=proposal_id).update(decision_id=decision_id)


def unlink_proposals(apps, schema_editor):
    """Back to one proposal per decision: the first one it answers."""
    Decision = apps.get_model("awards", "Decision")
    Proposal = apps.get_model("awards", "Proposal")
    for decision in Decision.objects.all():
        first = (
            Proposal.objects.filter(decision_id=decision.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        Decision.objects.filter(pk=decision.pk).update(proposal_id=first)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0007_flag_unconfirmed_multipliers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decision",
            name="proposal",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="awards.proposal",
                verbose_name="proposal",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="awards.decision",
                verbose_name="answered by decision",
            ),
        ),
        migrations.AddField(
            model_name="historicalproposal",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="awards.decision",
                verbose_name="answered by decision",
            ),
        ),
        migrations.RunPython(link_proposals, unlink_proposals),
        migrations.RemoveField(model_name="decision", name="proposal"),
        migrations.RemoveField(model_name="historicaldecision", name="proposal"),
    ]
