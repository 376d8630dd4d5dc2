"""Checking a PDF against an issued permit: same file (SHA-256) and a sound signature.

The signature is validated with pyHanko against the trust root SIGNING_CA_PATH (no network):
it must be intact (the signed bytes unchanged), valid (the cryptography holds), trusted (the
certificate chains to the root), cover the whole file (nothing appended after signing: an added
page is an incremental update that the signature does not cover), and be made with the region's
signing certificate.
"""

import hashlib
import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from permits.signing import get_signer, outside_event_loop

logger = logging.getLogger("ptsp.verification")


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


@lru_cache(maxsize=4)
def _trust_root(path: str, mtime: float):
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def trust_roots() -> list:
    path = Path(settings.SIGNING_CA_PATH or "")
    if not path.is_file():
        return []
    return [_trust_root(str(path), path.stat().st_mtime)]


def check_signature(data: bytes, *, region=None) -> SignatureReport:
    """Validate the last signature of a PDF with pyHanko. Never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    report = SignatureReport()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
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
    report.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    report.timestamped = status.timestamp_validity is not None
    cert = status.signing_cert
    report.signer_subject = cert.subject.human_friendly if cert is not None else ""
    if region is not None and cert is not None:
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
        signature=check_signature(data, region=permit.region),
    )
