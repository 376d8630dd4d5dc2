from django.db import migrations

from ptsp.db import append_only


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_initial")]

    operations = [append_only("applications_event")]
