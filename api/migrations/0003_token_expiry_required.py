"""Every token expires (API_TOKEN_DAYS) and records why it was revoked. Tokens made before
without an expiry get one API_TOKEN_DAYS after they were made, but not sooner than a week
from this migration, so that operators can replace them."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_every_token_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    days = int(getattr(settings, "API_TOKEN_DAYS", 90))
    floor = timezone.now() + timedelta(days=7)
    for token in ApiToken.objects.filter(expires_at__isnull=True).iterator():
        token.expires_at = max(token.created_at + timedelta(days=days), floor)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("api", "0002_cache_table")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="revoke_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("revoked", "Revoked by its owner or an admin"),
                    ("password", "Revoked: the password was changed"),
                    ("roles", "Revoked: the roles were changed"),
                ],
                editable=False,
                max_length=10,
                verbose_name="why revoked",
            ),
        ),
        migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
