"""A region's BSrE configuration and its signers' BSrE identities (issue 19, phase 2).

Like `oss.models.RegionConnection`, secrets are never stored: the rows name the environment
variables that hold the Esign Client account's password and the hash service's client secret,
and a missing variable refuses signing (fails closed, `bsre.providers`).
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import agencies_of

ENV_NAME = RegexValidator(r"^[A-Z][A-Z0-9_]{2,99}$", _("An environment variable name."))
NIK = RegexValidator(r"^\d{16}$", _("A NIK is exactly 16 digits."))


class RegionBsreConfig(models.Model):
    """How a region signs with BSrE. A region without one (or with `enabled` off) signs with its
    local certificate (`permits.signing.certificate_for`)."""

    class Mode(models.TextChoices):
        V2 = "v2", _("Esign Client v2 (BSrE signs the PDF)")
        HASH = "hash", _("Hash signing (BSrE signs the digest)")

    region = models.OneToOneField(
        "agencies.Region", on_delete=models.CASCADE, related_name="bsre_config"
    )
    enabled = models.BooleanField(_("enabled"), default=False)
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.V2)
    base_url = models.URLField(
        _("Esign Client address"), help_text=_("e.g. https://esign.bontangkota.go.id")
    )
    username = models.CharField(_("client account username"), max_length=100, blank=True)
    password_env = models.CharField(
        _("environment variable of the client account's password"),
        max_length=100,
        validators=[ENV_NAME],
        blank=True,
    )
    client_id = models.CharField(_("hash signing client id"), max_length=100, blank=True)
    client_secret_env = models.CharField(
        _("environment variable of the hash signing client secret"),
        max_length=100,
        validators=[ENV_NAME],
        blank=True,
    )
    token_url = models.CharField(_("token URL (hash signing)"), max_length=300, blank=True)
    hash_sign_path = models.CharField(
        _("hash signing path"), max_length=200, default="/api/v2/sign/hash"
    )
    connect_timeout = models.FloatField(_("connect time-out (s)"), default=5.0)
    read_timeout = models.FloatField(_("read time-out (s)"), default=60.0)
    files_per_request = models.PositiveSmallIntegerField(
        _("files per request with a passphrase"), default=1
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("BSrE configuration")
        verbose_name_plural = _("BSrE configurations")

    def __str__(self) -> str:
        return f"BSrE {self.base_url} ({self.region_id})"

    def clean(self):
        if self.mode == self.Mode.V2 and not (self.username and self.password_env):
            raise ValidationError(
                _("The v2 service needs the client account's username and password variable.")
            )
        if self.mode == self.Mode.HASH and not (self.client_id and self.client_secret_env):
            raise ValidationError(
                _("Hash signing needs the client id and the client secret's variable.")
            )

    @staticmethod
    def _secret(variable: str) -> str:
        value = os.environ.get(variable, "") if variable else ""
        if not value:
            raise ImproperlyConfigured(
                f"BSrE: environment variable {variable or '(none)'} is not set"
            )
        return value

    def client_config(self):
        """The `bsre.client.BsreConfig` of this region; ImproperlyConfigured when a secret's
        variable is missing or the mode's fields are incomplete."""
        from bsre.client import BsreConfig

        try:
            self.clean()
        except ValidationError as exc:
            raise ImproperlyConfigured(f"BSrE: {'; '.join(exc.messages)}") from None
        if self.mode == self.Mode.V2:
            password, secret = self._secret(self.password_env), ""
        else:
            password = self._secret(self.password_env) if self.password_env else ""
            secret = self._secret(self.client_secret_env)
        return BsreConfig(
            base_url=self.base_url,
            username=self.username,
            password=password,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            token_url=self.token_url,
            hash_sign_path=self.hash_sign_path,
            client_id=self.client_id,
            client_secret=secret,
        )


class BsreSignerAccount(models.Model):
    """A signer's identity at BSrE (the NIK their certificate is registered under, or the
    e-mail), set by the region's admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bsre_account"
    )
    region = models.ForeignKey(
        "agencies.Region", on_delete=models.CASCADE, related_name="bsre_signers"
    )
    nik = models.CharField(_("NIK at BSrE"), max_length=16, validators=[NIK], blank=True)
    email = models.EmailField(_("e-mail at BSrE"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("BSrE signer")
        verbose_name_plural = _("BSrE signers")

    def __str__(self) -> str:
        return f"{self.user} @ BSrE"

    def clean(self):
        if not (self.nik or self.email):
            raise ValidationError(_("Give the signer's NIK or e-mail at BSrE."))
        if self.user_id and self.region_id:
            regions = {a.region_id for a in agencies_of(self.user, Role.SIGNER)}
            if self.region_id not in regions:
                raise ValidationError({"user": _("This person is not a signer of the region.")})

    def identity(self):
        from bsre.client import SignerIdentity

        return SignerIdentity(nik=self.nik) if self.nik else SignerIdentity(email=self.email)
