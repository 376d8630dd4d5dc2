"""WorkingDay moves from `monitoring` to `agencies`, beside RegionHoliday (the region's calendar),
issue 15. State only: the table keeps its name (monitoring_workingday) and its rows. The
content type row moves with it so that permissions on it keep working."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["workingday"]


def _move_content_types(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        rows = ContentType.objects.using(db).filter(app_label=old, model=model)
        if not rows.exists():
            continue  # a fresh database: post_migrate makes the row under its new app
        # A row under the new label can only be an empty one made by an earlier post_migrate;
        # the old row carries the permissions and admin log entries, so it is the one kept.
        ContentType.objects.using(db).filter(app_label=new, model=model).delete()
        rows.update(app_label=new)


def forward(apps, schema_editor):
    _move_content_types(apps, schema_editor, "monitoring", "agencies")


def backward(apps, schema_editor):
    _move_content_types(apps, schema_editor, "agencies", "monitoring")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_region_identity"),
        ("monitoring", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkingDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField()),
                        ("ordinal", models.IntegerField()),
                        ("is_working", models.BooleanField()),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="agencies.region")),
                    ],
                    options={
                        "db_table": "monitoring_workingday",
                        "constraints": [models.UniqueConstraint(fields=("region", "date"), name="working_day_once")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
