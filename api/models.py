from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What an integration token may do. Roles still apply: a scope never grants a role."""

    READ = "read", _("Read (lists, details, downloads)")
    APPLICATIONS_WRITE = "applications:write", _("Applicant: file and change applications")
    INTAKE = "intake", _("Front office: accept and return files")
    REVIEWS = "reviews", _("OPD: decide reviews, inspections, reassignment")
    SIGNING = "signing", _("Signer: sign and issue, confirm or send back rejections")
    MONITORING = "monitoring", _("Monitoring: SLA figures")


class ApiToken(models.Model):
    """A scoped bearer token for an integration, acting as its owner.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is made
    (`api.services.api_token_create`). A revoked token is kept for the record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. OSS bridge, mobile app"))
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class RevokeReason(models.TextChoices):
        REVOKED = "revoked", _("Revoked by its owner or an admin")
        PASSWORD = "password", _("Revoked: the password was changed")
        ROLES = "roles", _("Revoked: the roles were changed")

    revoke_reason = models.CharField(
        _("why revoked"), max_length=10, choices=RevokeReason.choices, blank=True, editable=False
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
