from django.db import migrations

from ptsp.db import append_only


class Migration(migrations.Migration):
    dependencies = [("agencies", "0004_power_grants")]

    operations = [append_only("agencies_powergrantlog")]
