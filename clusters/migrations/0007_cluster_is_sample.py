from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clusters", "0006_cache_table")]

    operations = [
        migrations.AddField(
            model_name="cluster",
            name="is_sample",
            field=models.BooleanField(
                default=False,
                help_text="Illustrative data, not taken from a source; every page showing it says so.",
                verbose_name="sample data",
            ),
        ),
        migrations.AddField(
            model_name="historicalcluster",
            name="is_sample",
            field=models.BooleanField(
                default=False,
                help_text="Illustrative data, not taken from a source; every page showing it says so.",
                verbose_name="sample data",
            ),
        ),
    ]
