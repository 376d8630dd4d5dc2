"""Checking a PDF against an issued permit: same file (SHA-256) and a sound signature.

The signature is validated with pyHanko against the trust roots in SIGNING_CA_PATH (a PEM file
of one or several certificates; no network): it must be intact (the signed bytes unchanged),
valid (the cryptography holds), trusted (the certificate chains to one of the roots), cover the
whole file (nothing appended after signing: an added page is an incremental update that the
signature does not cover), and be made with the region's signing certificate
(`permits.signing.certificate_for`).
"""

import hashlib
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from permits.pades import load_trust_roots, signature_coverage
from permits.signing import get_signer, outside_event_loop
from ptsp import ratelimit
from ptsp.errors import DomainError

logger = logging.getLogger("ptsp.verification")


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
    present: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    region_certificate: bool = False
    timestamped: bool = False
    signer_subject: str = ""
    problems: list[str] = field(default_factory=list)

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
    """Validate the last signature of a PDF with pyHanko. Never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = SignatureReport()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        # The permit's signature, not a document timestamp that a B-LT file ends with.
        signatures = reader.embedded_regular_signatures
        if not signatures:
            report.problems.append("no signature")
            return report
        report.present = True
        embedded = signatures[-1]
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=context,
            ts_validation_context=context,
        )
    except Exception as exc:  # a damaged or hostile file: report, never crash the page
        logger.info("signature check failed: %s: %s", exc.__class__.__name__, exc)
        report.problems.append(f"{exc.__class__.__name__}")
        return report
    report.intact = bool(status.intact)
    report.valid = bool(status.valid)
    report.trusted = bool(status.trusted)
    # A B-LT file's signature covers its own revision; after it come only the DSS and a
    # document timestamp (pyHanko's difference analysis), which count as covering the file.
    report.covers_whole_file = signature_coverage(status)[1]
    report.timestamped = status.timestamp_validity is not None
    cert = status.signing_cert
    report.signer_subject = cert.subject.human_friendly if cert is not None else ""
    if cert is not None and certificate_sha256:
        # The certificate recorded when the permit was signed (survives a rotation).
        report.region_certificate = cert.sha256.hex() == certificate_sha256
    elif region is not None and cert is not None:
        try:
            report.region_certificate = cert.sha256.hex() == get_signer(region).certificate_sha256()
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
