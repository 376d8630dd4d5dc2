"""An application's permit type and catalog version now name the models in `catalog`; the
columns and their constraints are unchanged (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_merge_email_claim_and_truncate'),
        ('catalog', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='catalog_version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='catalog.permittypeversion'),
                ),
                migrations.AlterField(
                    model_name='application',
                    name='permit_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='catalog.permittype'),
                ),
            ],
        ),
    ]
