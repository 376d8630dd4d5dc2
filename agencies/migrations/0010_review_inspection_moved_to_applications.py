"""Review, Inspection and InspectionPhoto now live in `applications` (applications 0007, issue 15).
State only: the tables and rows stay; this drops the models from this app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0009_workingday_from_monitoring"),
        ("applications", "0009_review_inspection_sla_moved_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="InspectionPhoto"),
                migrations.DeleteModel(name="Inspection"),
                migrations.DeleteModel(name="Review"),
            ],
            database_operations=[],
        ),
    ]
