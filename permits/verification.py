"""Checking a PDF against an issued permit: same file (SHA-256) and a sound signature.

The signature is validated with pyHanko against the trust roots in SIGNING_CA_PATH (a PEM file
of one or several certificates; no network): it must be intact (the signed bytes unchanged),
valid (the cryptography holds), trusted (the certificate chains to one of the roots), cover the
whole file (nothing appended after signing: an added page is an incremental update that the
signature does not cover), and be made with the region's signing certificate
(`permits.signing.certificate_for`).
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from permits.pades import load_trust_roots
from permits.signing import get_signer
from ptsp import ratelimit
from ptsp.errors import DomainError

logger = logging.getLogger("ptsp.verification")


#: The largest file the public file check reads.
MAX_CHECK_UPLOAD = 20 * 1024 * 1024


def check_upload(upload):
    """`upload` (an uploaded file) if it may be checked: at most MAX_CHECK_UPLOAD bytes and
    starting with the PDF header. Raises ValidationError (the form's and the API's field error)
    else. Who: the public verification page's form and its API twin's serializer."""
    if upload.size > MAX_CHECK_UPLOAD:
        raise ValidationError(_("The file is larger than 20 MB."), code="too_large")
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("This is not a PDF file."), code="not_pdf")
    return upload


class TooManyFileChecks(DomainError):
    """A client address, or a permit, has had its file checks for now (HTTP 429)."""

    status_code = 429


def file_check_count(*, permit, client_address: str) -> None:
    """Count one file check of `permit` from `client_address`, before the file is read.

    Who: the public verification page and its API twin, for anyone. Changes: two counters of
    `ptsp.ratelimit` (the address's and the permit's), only when the check may go ahead.
    Raises TooManyFileChecks when the address has had VERIFY_CHECKS_PER_WINDOW checks, or the
    permit VERIFY_CHECKS_PER_PERMIT (a distributed flood on one permit), within
    VERIFY_CHECK_WINDOW_SECONDS: the caller then neither reads nor validates the file.
    """
    address_key = f"verify:address:{client_address}"
    permit_key = f"verify:permit:{permit.pk}"
    seen = ratelimit.counts([address_key, permit_key])
    if seen[address_key] >= settings.VERIFY_CHECKS_PER_WINDOW:
        logger.info("file checks refused: the address is over its limit (permit=%s)", permit.pk)
        raise TooManyFileChecks(
            _("Too many file checks from your address. Please wait a few minutes and try again."),
            code="too_many_file_checks",
            retry_after=ratelimit.remaining(address_key),
        )
    if seen[permit_key] >= settings.VERIFY_CHECKS_PER_PERMIT:
        logger.warning("file checks refused: permit %s is over its limit", permit.pk)
        raise TooManyFileChecks(
            _(
                "This permit has been checked too many times in the last few minutes. Please "
                "wait a few minutes and try again."
            ),
            code="too_many_file_checks",
            retry_after=ratelimit.remaining(permit_key),
        )
    window = settings.VERIFY_CHECK_WINDOW_SECONDS
    ratelimit.hit(address_key, window)
    ratelimit.hit(permit_key, window)


@dataclass
class SignatureReport:
    """What the verification page and the API say of a file's signature, built on
    `permits.pades.validate_signed_pdf` (`validation`: who signed, the issuing authority, the
    chain to the configured roots, signing time, timestamps, LTV level)."""

    present: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    region_certificate: bool = False
    timestamped: bool = False
    signer_subject: str = ""
    problems: list[str] = field(default_factory=list)
    validation: object = None

    @property
    def ok(self) -> bool:
        return (
            self.present
            and self.intact
            and self.valid
            and self.trusted
            and self.covers_whole_file
            and self.region_certificate
        )


@dataclass
class FileReport:
    sha256: str
    hash_matches: bool
    signature: SignatureReport

    @property
    def ok(self) -> bool:
        return self.hash_matches and self.signature.ok


def trust_roots() -> list:
    """The certificates SIGNING_CA_PATH holds (one or several: the BSrE root and an older one;
    a PEM bundle with text between the blocks, or one DER certificate); empty when the file is
    missing (`permits.pades.load_trust_roots`)."""
    return load_trust_roots(settings.SIGNING_CA_PATH)


def check_signature(data: bytes, *, region=None, certificate_sha256: str = "") -> SignatureReport:
    """Validate the last signature of a PDF (`permits.pades.validate_signed_pdf`, offline,
    against `trust_roots()`) and say whether it is the region's: the certificate recorded on
    the permit when it was signed, else the one the region's signer names today. Never raises
    on bad input."""
    from permits.pades import validate_signed_pdf

    validation = validate_signed_pdf(data, trust_roots=trust_roots())
    report = SignatureReport(
        present=validation.present,
        intact=validation.intact,
        valid=validation.valid,
        trusted=validation.trusted,
        # A B-LT file's signature covers its own revision; after it come only the DSS and a
        # document timestamp (pyHanko's difference analysis), which count as covering the file.
        covers_whole_file=validation.covers_whole_file or validation.only_ltv_updates_after,
        timestamped=validation.timestamp_time is not None,
        signer_subject=validation.signer_subject,
        problems=list(validation.problems),
        validation=validation,
    )
    if not validation.certificate_sha256:
        return report
    if certificate_sha256:
        # The certificate recorded when the permit was signed (survives a rotation).
        report.region_certificate = validation.certificate_sha256 == certificate_sha256
    elif region is not None:
        try:
            report.region_certificate = (
                validation.certificate_sha256 == get_signer(region).certificate_sha256()
            )
        except Exception:
            report.region_certificate = False
    return report


def check_file(data: bytes, *, permit) -> FileReport:
    """Is `data` the issued file of `permit`, with a sound signature of the permit's region?"""
    digest = hashlib.sha256(data).hexdigest()
    return FileReport(
        sha256=digest,
        hash_matches=bool(permit.sha256) and digest == permit.sha256,
        signature=check_signature(
            data, region=permit.region, certificate_sha256=permit.signing_cert_sha256
        ),
    )


def stored_signature(permit):
    """The validation report (`permits.pades.SignatureValidation`) of the permit's own stored
    file — who signed, the issuing authority, the chain, the times — for the verification page
    without an upload. Validated once per file (cached by its SHA-256 for a day: the page is
    public and reached from every QR scan); None when the permit has no file."""
    from django.core.cache import cache

    from permits.pades import validate_signed_pdf

    if not (permit.file and permit.sha256):
        return None
    key = f"permit-signature:v1:{permit.sha256}"
    validation = cache.get(key)
    if validation is None:
        try:
            with permit.file.open("rb") as handle:
                data = handle.read()
        except OSError:
            logger.warning("verification: the stored file of permit %s is missing", permit.pk)
            return None
        validation = validate_signed_pdf(data, trust_roots=trust_roots())
        cache.set(key, validation, 86400)
    return validation
