"""Signing a PDF: one small interface, so that a national TTE service can replace local signing.

`get_signer(region)` gives the region's `Signer`. Today that is `LocalPkcs12Signer`: PAdES with
pyHanko from the PKCS#12 named by SIGNING_CERT_PATH / SIGNING_CERT_PASSPHRASE, B-B, or B-T when
TSA_URL names an RFC 3161 timestamp authority. A remote provider (BSrE's TTE API) would be
another class with the same `sign` method, chosen here by the region's settings.

Loading the certificate is separate from signing (`Signer.check`), so that issuance can refuse
before it takes a permit number when the certificate is missing or the passphrase is wrong.
"""

import asyncio
import concurrent.futures
import logging
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from asn1crypto import tsp
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from ptsp.errors import DomainError

logger = logging.getLogger("ptsp.signing")

# Room for the CMS signature in the PDF. Reserving it up front skips pyHanko's size-estimating
# first pass (about half the signing time); a timestamp token needs more.
BYTES_RESERVED = 8192
BYTES_RESERVED_WITH_TIMESTAMP = 16384


def outside_event_loop(fn, /, *args, **kwargs):
    """Call a pyHanko synchronous API, which runs its own asyncio loop. When this thread
    already runs a loop (an async caller, or Playwright's sync API in the browser tests),
    the call moves to a short-lived thread instead of failing."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


class SigningUnavailable(DomainError):
    """The region's signing certificate cannot be used (missing file, wrong passphrase)."""


class Signer(Protocol):
    def check(self) -> None:
        """Raise SigningUnavailable when signing cannot work now. Cheap; called per issuance."""

    def sign(self, pdf: bytes, *, signer_name: str, reason: str, location: str) -> bytes:
        """Return the signed PDF."""

    def certificate_sha256(self) -> str:
        """SHA-256 of the signing certificate (DER), to recognise the region's signatures."""


class UrllibTimeStamper(TimeStamper):
    """An RFC 3161 client over plain HTTP(S) with the standard library (no extra dependency)."""

    def __init__(self, url: str, timeout: float = 10.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError("TSA_URL must be an http(s) URL")
        super().__init__()
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            self.url,
            data=req.dump(),
            headers={"Content-Type": "application/timestamp-query"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except OSError as exc:
            raise TimestampRequestError(f"timestamp authority unreachable: {exc}") from exc
        return tsp.TimeStampResp.load(body)


@lru_cache(maxsize=8)
def _load_pkcs12(path: str, passphrase: str, mtime: float):
    """Load (and cache per file version) the key and certificates of a PKCS#12."""
    from pyhanko.sign.signers import SimpleSigner

    data = Path(path).read_bytes()
    return SimpleSigner.load_pkcs12_data(
        data, other_certs=(), passphrase=passphrase.encode() or None
    )


class LocalPkcs12Signer:
    """PAdES signing with a PKCS#12 on this machine (pyHanko)."""

    def __init__(self, *, cert_path: str, passphrase: str, tsa_url: str = ""):
        self.cert_path = cert_path
        self.passphrase = passphrase
        self.tsa_url = tsa_url

    def _signer(self):
        path = Path(self.cert_path)
        if not self.cert_path or not path.is_file():
            logger.error("signing certificate missing: path=%s", self.cert_path)
            raise SigningUnavailable(
                _(
                    "The signing certificate is not configured on the server. Nothing was "
                    "issued; please tell the system operator."
                ),
                code="signing_certificate_missing",
            )
        try:
            return _load_pkcs12(str(path), self.passphrase or "", path.stat().st_mtime)
        except (ValueError, TypeError) as exc:
            logger.error("signing certificate unusable: path=%s error=%s", self.cert_path, exc)
            raise SigningUnavailable(
                _(
                    "The signing certificate cannot be opened (wrong passphrase or damaged "
                    "file). Nothing was issued; please tell the system operator."
                ),
                code="signing_certificate_unusable",
            ) from exc

    def check(self) -> None:
        self._signer()

    def certificate_sha256(self) -> str:
        return self._signer().signing_cert.sha256.hex()

    def sign(self, pdf: bytes, *, signer_name: str, reason: str, location: str) -> bytes:
        import io

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        simple_signer = self._signer()
        timestamper = UrllibTimeStamper(self.tsa_url) if self.tsa_url else None
        meta = signers.PdfSignatureMetadata(
            field_name="TandaTanganElektronik",
            name=signer_name,
            reason=reason,
            location=location,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = outside_event_loop(
            signers.PdfSigner(meta, signer=simple_signer, timestamper=timestamper).sign_pdf,
            writer,
            bytes_reserved=BYTES_RESERVED_WITH_TIMESTAMP if timestamper else BYTES_RESERVED,
        )
        return out.getvalue()


def get_signer(region=None) -> Signer:
    """The signer for a region's permits. One certificate per deployment today; a region-specific
    certificate or a remote TTE provider plugs in here."""
    return LocalPkcs12Signer(
        cert_path=settings.SIGNING_CERT_PATH or "",
        passphrase=settings.SIGNING_CERT_PASSPHRASE or "",
        tsa_url=settings.TSA_URL or "",
    )
