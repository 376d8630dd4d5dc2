from django.db import migrations

from ptsp.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_document_scan_result")]

    operations = [refuse_truncate("applications_event")]
