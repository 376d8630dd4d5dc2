"""The e-mail confirmation (issue 21 item 9). Every account that exists when this runs keeps
working as before: it counts as confirmed since it joined."""

from django.db import migrations, models
from django.db.models import F


def confirm_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_confirmed_at__isnull=True).update(email_confirmed_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mail confirmed at"),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
