"""SlaNotice and SlaWatch now live in `applications` (applications 0007), WorkingDay in `agencies`
(agencies 0009), issue 15. State only: the tables and rows stay; this drops the models from this
app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("applications", "0009_review_inspection_sla_moved_in"),
        ("agencies", "0009_workingday_from_monitoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SlaNotice"),
                migrations.DeleteModel(name="SlaWatch"),
                migrations.DeleteModel(name="WorkingDay"),
            ],
            database_operations=[],
        ),
    ]
