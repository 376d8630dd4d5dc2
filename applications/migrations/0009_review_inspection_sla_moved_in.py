"""The case's models move into `applications` (issue 15): Review, Inspection and InspectionPhoto
from `agencies`, SlaNotice and SlaWatch from `monitoring`. State only: every table keeps its name
and its rows; Event.review now points at applications.Review (same table, same column). The
content type rows move with the models so that permissions on them keep working. The old apps
drop the models from their state in agencies 0010 and monitoring 0002."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ptsp.files

MOVED = {
    "agencies": ["review", "inspection", "inspectionphoto"],
    "monitoring": ["slanotice", "slawatch"],
}


def _move_content_types(apps, schema_editor, *, to_new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old_app, models_ in MOVED.items():
        old, new = (old_app, "applications") if to_new else ("applications", old_app)
        for model in models_:
            rows = ContentType.objects.using(db).filter(app_label=old, model=model)
            if not rows.exists():
                continue  # a fresh database: post_migrate makes the row under its new app
            # A row under the new label can only be an empty one made by an earlier post_migrate;
            # the old row carries the permissions and admin log entries, so it is the one kept.
            ContentType.objects.using(db).filter(app_label=new, model=model).delete()
            rows.update(app_label=new)


def forward(apps, schema_editor):
    _move_content_types(apps, schema_editor, to_new=True)


def backward(apps, schema_editor):
    _move_content_types(apps, schema_editor, to_new=False)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_coordinate_bounds"),
        ("agencies", "0008_region_identity"),
        ("monitoring", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Review",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(choices=[("in_review", "In review"), ("revision_requested", "Revision requested"), ("recommended", "Recommended"), ("rejected", "Rejected"), ("cancelled", "Cancelled")], default="in_review", max_length=20, verbose_name="status")),
                        ("budget_days", models.PositiveSmallIntegerField(verbose_name="budget (working days)")),
                        ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="due")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("reasons", models.TextField(blank=True, verbose_name="reasons")),
                        ("revision_items", models.JSONField(blank=True, default=list, verbose_name="revision requests")),
                        ("letter", models.FileField(blank=True, upload_to=ptsp.files.PrivateUploadTo("letters"), verbose_name="recommendation letter")),
                        ("agency", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="reviews", to="agencies.agency")),
                        ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reviews", to="applications.application")),
                        ("assignee", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="assigned_reviews", to=settings.AUTH_USER_MODEL)),
                        ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "review",
                        "verbose_name_plural": "reviews",
                        "db_table": "agencies_review",
                        "indexes": [
                            models.Index(fields=["assignee", "status", "due_at"], name="review_inbox_idx"),
                            models.Index(fields=["agency", "status", "due_at"], name="review_agency_idx"),
                            models.Index(condition=models.Q(("status", "in_review")), fields=["due_at"], name="review_open_due_idx"),
                            models.Index(condition=models.Q(("decided_at__isnull", False)), fields=["agency", "decided_at"], include=("due_at", "budget_days", "status"), name="review_decided_idx"),
                        ],
                        "constraints": [models.UniqueConstraint(fields=("application", "agency"), name="one_review_per_agency")],
                    },
                ),
                migrations.CreateModel(
                    name="Inspection",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("scheduled_for", models.DateTimeField(verbose_name="date and time")),
                        ("place", models.CharField(max_length=300, verbose_name="place")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("result", models.TextField(blank=True, verbose_name="result (berita acara)")),
                        ("recorded_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("cancel_reason", models.TextField(blank=True, verbose_name="reason for cancelling")),
                        ("cancelled_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("scheduled_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("review", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="inspections", to="applications.review")),
                    ],
                    options={
                        "verbose_name": "inspection",
                        "verbose_name_plural": "inspections",
                        "db_table": "agencies_inspection",
                        "ordering": ["scheduled_for"],
                    },
                ),
                migrations.CreateModel(
                    name="InspectionPhoto",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("file", models.FileField(upload_to=ptsp.files.PrivateUploadTo("inspections"))),
                        ("content_type", models.CharField(max_length=50)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                        ("inspection", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="photos", to="applications.inspection")),
                    ],
                    options={"db_table": "agencies_inspectionphoto"},
                ),
                migrations.CreateModel(
                    name="SlaNotice",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("stage", models.CharField(max_length=40)),
                        ("level", models.CharField(choices=[("reminder", "Reminder (due within one working day)"), ("due_today", "Due today"), ("overdue", "Overdue: agency head"), ("escalation", "Badly overdue: DPMPTSP")], max_length=12)),
                        ("due_at", models.DateTimeField()),
                        ("recipients", models.PositiveSmallIntegerField(default=0)),
                        ("sent_at", models.DateTimeField(auto_now_add=True)),
                        ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sla_notices", to="applications.application")),
                    ],
                    options={
                        "verbose_name": "SLA notice",
                        "verbose_name_plural": "SLA notices",
                        "db_table": "monitoring_slanotice",
                        "constraints": [models.UniqueConstraint(fields=("stage", "level", "due_at"), name="sla_notice_once_per_level")],
                    },
                ),
                migrations.CreateModel(
                    name="SlaWatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("stage", models.CharField(max_length=40, unique=True)),
                        ("due_at", models.DateTimeField()),
                        ("next_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "monitoring_slawatch"},
                ),
                migrations.AlterField(
                    model_name="event",
                    name="review",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="events", to="applications.review"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
