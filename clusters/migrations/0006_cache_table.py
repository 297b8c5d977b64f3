from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """The database cache of clusters.cache (settings.CACHES); nothing to do
    where another cache backend is configured."""
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("clusters", "0005_term_nomination_settings")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
