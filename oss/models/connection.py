"""A region's connection to OSS-RBA (issue 16).

Phase 2 starts here: the region's connection. The business records, the checklist items that
became applications and the deliveries of statuses live beside it (see docs/oss.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ENV_NAME = RegexValidator(r"^[A-Z][A-Z0-9_]{2,99}$", _("An environment variable name."))


class RegionConnection(models.Model):
    """A region's connection to OSS-RBA. A region without one (or with `enabled` off) works as
    if OSS did not exist. Secrets are never stored: the row names the environment variables
    that hold them, and a missing variable refuses the call (fails closed)."""

    region = models.OneToOneField(
        "agencies.Region", on_delete=models.CASCADE, related_name="oss_connection"
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    kd_daerah = models.CharField(
        _("region code (kd_daerah)"),
        max_length=10,
        validators=[RegexValidator(r"^\d{10}$", _("Exactly 10 digits."))],
        help_text=_("The region's 10-digit code in OSS (e.g. 6474000000 for Kota Bontang)."),
    )
    base_url = models.URLField(_("OSS address"), help_text=_("e.g. https://api-prd.oss.go.id"))
    path_template = models.CharField(
        _("method path"),
        max_length=100,
        default="/v1/kl/rba/{method}",
        help_text=_("Staging: /stg/v1/kl/rba/{method}."),
    )
    user_key_env = models.CharField(
        _("environment variable of the user_key"),
        max_length=100,
        validators=[ENV_NAME],
        help_text=_("The name of the variable holding the key OSS issued to the region."),
    )
    inbound_username = models.CharField(
        _("username OSS signs its pushes with"), max_length=100, blank=True
    )
    inbound_password_env = models.CharField(
        _("environment variable of OSS's push password"),
        max_length=100,
        validators=[ENV_NAME],
        blank=True,
    )
    connect_timeout = models.FloatField(_("connect time-out (s)"), default=5.0)
    read_timeout = models.FloatField(_("read time-out (s)"), default=20.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OSS connection")
        verbose_name_plural = _("OSS connections")
        constraints = [
            models.UniqueConstraint(fields=["kd_daerah"], name="oss_kd_daerah_unique"),
        ]

    def __str__(self) -> str:
        return f"OSS {self.kd_daerah} ({self.region_id})"

    @staticmethod
    def _secret(variable: str) -> str:
        value = os.environ.get(variable, "") if variable else ""
        if not value:
            raise ImproperlyConfigured(
                f"OSS: environment variable {variable or '(none)'} is not set"
            )
        return value

    def user_key(self) -> str:
        """The region's `user_key`; ImproperlyConfigured when its variable is missing."""
        return self._secret(self.user_key_env)

    def inbound_password(self) -> str:
        """The password OSS's pushes are signed with; ImproperlyConfigured when missing."""
        return self._secret(self.inbound_password_env)
