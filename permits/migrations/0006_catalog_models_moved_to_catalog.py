"""The catalog's models leave `permits`' state (their tables now belong to `catalog`, see
catalog 0001); a permit's and a counter's permit type name `catalog.PermitType`. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0007_permit_type_fks_to_catalog'),
        ('catalog', '0001_initial'),
        ('permits', '0005_staged_permit_file'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='permittype',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='requirement',
                    name='permit_type',
                ),
                migrations.RemoveField(
                    model_name='routestep',
                    name='permit_type',
                ),
                migrations.AlterField(
                    model_name='permitcounter',
                    name='permit_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.permittype'),
                ),
                migrations.AlterField(
                    model_name='permit',
                    name='permit_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='permits', to='catalog.permittype'),
                ),
                migrations.RemoveField(
                    model_name='permittypeversion',
                    name='permit_type',
                ),
                migrations.RemoveField(
                    model_name='routestep',
                    name='agency',
                ),
                migrations.DeleteModel(
                    name='FormField',
                ),
                migrations.DeleteModel(
                    name='Requirement',
                ),
                migrations.DeleteModel(
                    name='PermitType',
                ),
                migrations.DeleteModel(
                    name='PermitTypeVersion',
                ),
                migrations.DeleteModel(
                    name='RouteStep',
                ),
            ],
        ),
    ]
