from django.db import migrations

from ptsp.db import append_only


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [append_only("security_documentaccess")]
