from django.db import migrations

from ptsp.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("agencies", "0005_power_grant_log_append_only")]

    operations = [refuse_truncate("agencies_powergrantlog")]
