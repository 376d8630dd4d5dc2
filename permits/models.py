from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import PermitType
from ptsp.files import PrivateUploadTo


class PermitCounter(models.Model):
    """The last permit sequence used per region, permit type and year, taken under a row lock."""

    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "permit_type", "year"], name="permit_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.permit_type_id}/{self.year}: {self.last_value}"


class Permit(models.Model):
    """An issued permit (or its pending issuance): number, holder, the signed PDF and its status."""

    class Status(models.TextChoices):
        ISSUING = "issuing", _("Being issued")
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="permit"
    )
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="permits")
    # Unique per region, not per deployment: regions number their permits independently and
    # their formats (e.g. 503/0001/SIP-DU/DPM-PTSP/XI/2026) need not name the region.
    number = models.CharField(_("permit number"), max_length=120)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    holder_name = models.CharField(_("holder"), max_length=200)
    business_name = models.CharField(_("business name"), max_length=200)
    # None: issued automatically as a deemed approval (issue 18, the `auto` policy), sealed by
    # the region's own certificate with no person signing (`signer_name` names the office).
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(max_length=150)
    signer_position = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    # The legal basis when the permit is a deemed approval (fiktif positif, UU 30/2014 art. 53):
    # said on the PDF and the verification page. Empty for a permit decided by the office.
    deemed_basis = models.CharField(_("deemed approval: legal basis"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(upload_to=PrivateUploadTo("permits"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The certificate that signs the file, fixed when the signer clicks "sign and issue" (the
    # worker signs with this one or fails the issuance): verification checks the signature
    # against it, so a later rotation of the region's certificate leaves the permits signed
    # before it verifiable. Empty for permits issued before it was recorded.
    signing_cert_sha256 = models.CharField(max_length=64, blank=True)
    verification_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUING)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A remote signer (BSrE) was asked to sign this permit and no answer came back: it may
    # have signed. The number stays with the permit and signing again is refused until an
    # operator, having checked with BSrE, clears this (admin action).
    signing_outcome_unknown = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "permit_type", "year", "sequence"], name="permit_sequence_once"
            ),
            models.UniqueConstraint(
                fields=["region", "number"], name="permit_number_once_in_region"
            ),
        ]
        indexes = [
            models.Index(
                fields=["valid_until"],
                name="permit_valid_until_idx",
                condition=models.Q(status="valid"),
            )
        ]

    def __str__(self) -> str:
        return self.number


class StagedPermitFile(models.Model):
    """A signed file stored but not yet named by its permit (permits.services.issuance).

    Written and committed *before* the file is stored; deleted in the transaction that makes
    the permit name the file. A worker killed between the two leaves this row: the permit's
    next completion removes the file, and `permit_files_sweep` removes old ones of permits that
    never complete, so that no signed copy of a numbered permit lies in storage outside any
    record.
    """

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="staged_files")
    name = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staged permit file")
        verbose_name_plural = _("staged permit files")

    def __str__(self) -> str:
        return self.name


class RejectionLetter(models.Model):
    """The signed letter telling an applicant why their application was rejected.

    In a region that signs with its local certificate the letter is signed by the task that
    makes it (`signed` at once). In a region that signs with BSrE nobody is at the keyboard in
    that task: the letter waits (`awaiting_signature`, no file) in the signers' queue until one
    of them signs it with their BSrE passphrase or code (permits.services.batch_signing)."""

    class Status(models.TextChoices):
        AWAITING_SIGNATURE = "awaiting", _("Waiting for signature")
        SIGNED = "signed", _("Signed")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="rejection_letter"
    )
    number = models.CharField(_("letter number"), max_length=120, unique=True)
    reasons = models.TextField(_("reasons"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(max_length=150)
    signer_position = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    file = models.FileField(upload_to=PrivateUploadTo("letters"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SIGNED)

    class Meta:
        verbose_name = _("rejection letter")
        verbose_name_plural = _("rejection letters")

    def __str__(self) -> str:
        return self.number


class SigningBatch(models.Model):
    """One "sign" by a signer: one or several recommended files under one step-up and, with a
    remote signer (BSrE), one passphrase or one-time code (permits.services.batch_signing).
    The credential itself is never stored: it travels to the worker sealed, in the task's
    message, which is blanked when the batch is done."""

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    remote = models.BooleanField(default=False)
    credential_kind = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing batch")
        verbose_name_plural = _("signing batches")

    def __str__(self) -> str:
        return f"batch {self.pk}"


class SigningBatchItem(models.Model):
    """One file of a signing batch and how far it got. `sending` is committed before the remote
    signer is called: a worker that finds it on a redelivery knows BSrE may have signed and
    does not call again (`unknown`)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Signing")
        DONE = "done", _("Issued")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")

    batch = models.ForeignKey(SigningBatch, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="signing_items"
    )
    # Set when the item signs the application's rejection letter rather than its permit (a
    # batch holds permits or letters, never both).
    letter = models.ForeignKey(
        RejectionLetter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_items",
    )
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signing batch file")
        verbose_name_plural = _("signing batch files")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.application_id}: {self.state}"
