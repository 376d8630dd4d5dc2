"""PAdES levels for every signer: long-term validation (B-LT) and the validation report.

A permit lives five years and more; its signer's certificate expires sooner, and the CA's OCSP
responder will not be asked about it in 2031. PAdES B-LT keeps the answer inside the file:

- **B-B** a CMS signature; **B-T** plus an RFC 3161 signature timestamp (TSA_URL), which proves
  when it was made;
- **B-LT** (our `SIGNING_PADES_LEVEL=B-LT`) plus, in the document's DSS (Document Security
  Store), the certificates and the revocation information (OCSP responses and/or CRLs) of the
  signer's chain and of the timestamp's, fetched at signing from the URLs the certificates name;
  and a document timestamp over all of it (the first link of a B-LTA chain, so that the DSS
  itself is dated and sealed).

Two ways to get there, one result:
- `sign_options_lt` — a signer that holds the key (`LocalPkcs12Signer`) signs with pyHanko's
  `embed_validation_info=True` + `use_pades_lta=True` in one pass;
- `extend_to_lt` — a PDF signed elsewhere (BSrE's v2 API answers B-T; a CMS embedded by hash
  signing) gets the DSS and the document timestamp in incremental updates after the fact.

Both refuse (raise `LtvUnavailable`) rather than produce a file that claims less than asked:
revocation information that cannot be fetched, a revoked certificate, a missing timestamp
authority (STYLE 17, fail closed).

`validate_signed_pdf` answers what the verification page will show: intact, valid, trusted,
signer, issuing authority, signing time, timestamp time, LTV-enabled and the level — without the
network (`allow_fetching=False`): LTV-enabled means the file alone proves the certificate was not
revoked when the signature was timestamped.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from permits.signing import outside_event_loop

logger = logging.getLogger("ptsp.signing")

# Room for the CMS with its signature timestamp (revocation data goes to the DSS, not the CMS).
BYTES_RESERVED_LT = 16384
DOCUMENT_TIMESTAMP_FIELD = "StempelWaktuDokumen"


class LtvUnavailable(Exception):
    """Long-term validation data could not be gathered or embedded (revocation information
    unreachable, a revoked or untrusted certificate, no timestamp authority). The caller maps it
    to its own refusal; nothing signed at a lower level is handed out in its place."""


# --- trust roots ----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _roots_from_file(path: str, mtime: float) -> tuple:
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if not pem.detect(data):
        return (x509.Certificate.load(data),)
    return tuple(
        x509.Certificate.load(der)
        for object_type, _headers, der in pem.unarmor(data, multiple=True)
        if object_type in ("CERTIFICATE", "X509 CERTIFICATE")
    )


def load_trust_roots(path: str | Path | None) -> list:
    """Every certificate in a PEM bundle (text between blocks allowed) or one DER certificate;
    empty when the file is missing. Cached per file version."""
    file = Path(path or "")
    if not path or not file.is_file():
        return []
    return list(_roots_from_file(str(file), file.stat().st_mtime))


# --- signing --------------------------------------------------------------------------------
def signing_validation_context(trust_roots, *, other_certs=()):
    """The context in which a B-LT signature gathers its revocation information: fetching on,
    and every certificate that names an OCSP responder or CRL must get a good answer
    ("hard-fail"), so that an unreachable responder or a revoked certificate refuses."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )


def sign_options_lt(*, trust_roots, validation_context=None) -> dict:
    """The `PdfSignatureMetadata` options of a B-LT signature made with a local key. A batch
    passes one `validation_context` for all its files: the revocation answers fetched for the
    first are embedded in the others (they are minutes apart)."""
    if not trust_roots:
        raise LtvUnavailable("no trust roots are configured (SIGNING_CA_PATH)")
    return {
        "embed_validation_info": True,
        "use_pades_lta": True,
        "timestamp_field_name": DOCUMENT_TIMESTAMP_FIELD,
        "validation_context": validation_context or signing_validation_context(trust_roots),
    }


def describe_ltv_failure(exc: Exception) -> str:
    """A log line's worth about why revocation data could not be had (no secrets in it)."""
    return f"{exc.__class__.__name__}: {exc}"


def extend_to_lt(
    pdf: bytes, *, timestamper, trust_roots, other_certs=(), validation_context=None
) -> bytes:
    """Make a signed PDF B-LT: add the DSS (certificates, OCSP responses/CRLs of the last
    signature's chain and of its signature timestamp's) and a document timestamp, as incremental
    updates that leave the signature intact. Raises LtvUnavailable when revocation information
    cannot be fetched, a certificate is revoked or does not chain to `trust_roots`, or there is
    no timestamper. A batch passes one `validation_context` (and one timestamper) for all its
    files, so that the revocation answers are fetched once."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfTimeStamper
    from pyhanko.sign.validation import add_validation_info

    if timestamper is None:
        raise LtvUnavailable("B-LT needs a timestamp authority (TSA_URL)")
    if not trust_roots:
        raise LtvUnavailable("no trust roots are configured (SIGNING_CA_PATH)")
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        raise LtvUnavailable("the PDF has no signature to extend")
    context = validation_context or signing_validation_context(trust_roots, other_certs=other_certs)
    try:
        with_dss = outside_event_loop(add_validation_info, signatures[-1], context)
        writer = IncrementalPdfFileWriter(with_dss, strict=False)
        out = outside_event_loop(
            PdfTimeStamper(timestamper, field_name=DOCUMENT_TIMESTAMP_FIELD).timestamp_pdf,
            writer,
            "sha256",
            validation_context=context,
            bytes_reserved=BYTES_RESERVED_LT,
        )
    except Exception as exc:
        logger.error("B-LT extension failed: %s", describe_ltv_failure(exc))
        raise LtvUnavailable(describe_ltv_failure(exc)) from exc
    return out.getvalue()


# --- validation -----------------------------------------------------------------------------
@dataclass
class SignatureValidation:
    """What a reader of the permit is told about its signature (phase 2's verification page).

    `intact`: the signed bytes are unchanged; `valid`: the cryptography holds; `trusted`: the
    certificate chains to the configured roots (and was not known revoked); `signer_name` and
    `issuer_name`: the certificate's subject and issuing authority (common name, else
    organisation); `signing_time`: the time the signer claims; `timestamp_time`: the signature
    timestamp's (a TSA's word); `document_timestamp_time`: the last document timestamp's;
    `ltv_enabled`: the file alone (no network) proves that the certificate was good when the
    signature was timestamped; `level`: B-B, B-T, B-LT or B-LTA, read from the structure;
    `only_ltv_updates_after`: whatever follows the signature is DSS and timestamps only;
    `trusted_at_timestamp`: the chain no longer validates today (an expired certificate) but did
    at the timestamp, proven by the file's own revocation data."""

    present: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    only_ltv_updates_after: bool = False
    covers_whole_file: bool = False
    signer_name: str = ""
    signer_subject: str = ""
    issuer_name: str = ""
    certificate_sha256: str = ""
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    document_timestamp_time: datetime | None = None
    ltv_enabled: bool = False
    trusted_at_timestamp: bool = False
    level: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.present
            and self.intact
            and self.valid
            and self.trusted
            and (self.covers_whole_file or self.only_ltv_updates_after)
        )


def _display_name(name) -> str:
    native = name.native
    return native.get("common_name") or native.get("organization_name") or name.human_friendly


def signature_coverage(status) -> tuple[bool, bool]:
    """(covers the whole file, only LTV updates after it) of a pyHanko PdfSignatureStatus: a
    B-LT file's signature covers its own revision, and what follows may be DSS updates and
    document timestamps only (pyHanko's difference analysis says LTA_UPDATES) — an added page or
    a changed form field is not."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    ltv_only = (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    return whole, whole or ltv_only


def validate_signed_pdf(data: bytes, *, trust_roots) -> SignatureValidation:
    """Validate the last (non-timestamp) signature of a PDF against `trust_roots`, offline.
    Never raises on bad input: problems are listed in the report."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = SignatureValidation()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
        if not signatures:
            report.problems.append("no signature")
            return report
        report.present = True
        embedded = signatures[-1]
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
        status = outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=context,
            ts_validation_context=context,
        )
    except Exception as exc:  # a damaged or hostile file: report, never crash the caller
        logger.info("signature check failed: %s: %s", exc.__class__.__name__, exc)
        report.problems.append(exc.__class__.__name__)
        return report
    report.intact = bool(status.intact)
    report.valid = bool(status.valid)
    report.trusted = bool(status.trusted)
    report.revoked = bool(getattr(status, "revoked", False))
    report.covers_whole_file, report.only_ltv_updates_after = signature_coverage(status)
    cert = status.signing_cert
    if cert is not None:
        report.signer_name = _display_name(cert.subject)
        report.signer_subject = cert.subject.human_friendly
        report.issuer_name = _display_name(cert.issuer)
        report.certificate_sha256 = cert.sha256.hex()
    report.signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        report.timestamp_time = status.timestamp_validity.timestamp
    doc_timestamps = [
        ts
        for ts in reader.embedded_timestamp_signatures
        if ts.signed_revision > embedded.signed_revision
    ]
    if doc_timestamps:
        try:
            content = doc_timestamps[-1].signed_data["encap_content_info"]["content"]
            report.document_timestamp_time = content.parsed["gen_time"].native
        except Exception:  # a broken timestamp token: the level check below says so
            report.problems.append("unreadable document timestamp")
    has_dss = "/DSS" in reader.root
    report.ltv_enabled = has_dss and _ltv_check(reader, embedded, trust_roots, report)
    if report.ltv_enabled and not report.trusted and report.intact and report.valid:
        # Validated as of the timestamp with the file's own revocation data: what B-LT is
        # for, once the certificate has expired (or its CA's responder is gone).
        report.trusted = True
        report.trusted_at_timestamp = True
    if report.ltv_enabled and report.document_timestamp_time is not None:
        report.level = "B-LTA"
    elif report.ltv_enabled:
        report.level = "B-LT"
    elif report.timestamp_time is not None:
        report.level = "B-T"
    else:
        report.level = "B-B"
    if not report.trusted:
        report.problems.append("not trusted")
    return report


def _ltv_check(reader, embedded, trust_roots, report: SignatureValidation) -> bool:
    """Does the file alone (its DSS, no network) prove the signer's chain, and the signature
    timestamp's, good at the time of that timestamp? That is what lets the signature be
    validated after the certificate expired or its CA's responder is gone."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    moment = report.timestamp_time or report.document_timestamp_time
    if moment is None:
        report.problems.append("no timestamp: nothing dates the revocation information")
        return False
    try:
        dss = DocumentSecurityStore.read_dss(reader)

        def context():
            return dss.as_validation_context(
                {
                    "trust_roots": list(trust_roots),
                    "allow_fetching": False,
                    "revocation_mode": "hard-fail",
                    "moment": moment,
                    "retroactive_revinfo": True,
                }
            )

        status = outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=context(),
            ts_validation_context=context(),
        )
    except Exception as exc:
        report.problems.append(f"LTV: {exc.__class__.__name__}")
        return False
    timestamp_ok = status.timestamp_validity is None or bool(status.timestamp_validity.trusted)
    if not (status.intact and status.valid and status.trusted and timestamp_ok):
        report.problems.append("LTV: the embedded revocation information does not suffice")
        return False
    return True
