from django.db import migrations

from ptsp.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("security", "0002_documentaccess_append_only")]

    operations = [refuse_truncate("security_documentaccess")]
