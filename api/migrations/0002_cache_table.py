"""The database cache table (settings.CACHES) that holds the API's throttling counters.

`createcachetable` is idempotent; running it from a migration means every deployment that
migrates has the table, so throttling never fails a request for want of it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
