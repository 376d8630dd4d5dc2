"""Signing a PDF: one small interface, so that a national TTE service can replace local signing.

`get_signer(region)` gives the region's `Signer`. Today that is `LocalPkcs12Signer`: PAdES with
pyHanko from the region's PKCS#12 (`certificate_for(region)`: its own file, else the deployment's
SIGNING_CERT_PATH), B-B, or B-T when TSA_URL names an RFC 3161 timestamp authority. A remote
provider (BSrE's TTE API) would be another class with the same `sign` method, chosen here by the
region's settings.

Loading the certificate is separate from signing (`Signer.check`), so that issuance can refuse
before it takes a permit number when the certificate is missing or the passphrase is wrong.

A remote signer (BSrE, the `bsre` app) needs what the person types at signing time — a
passphrase or a one-time code — for each call: `sign(..., credential=SigningCredential(...))`
and `sign_many(...)` for a batch under one credential. Both are additive: a local signer ignores
the credential, and `sign_batch` falls back to one `sign` per file for a signer without
`sign_many`. A `SigningCredential` never shows its secret (repr, str, logs) and refuses to be
pickled, so it cannot end up in a Celery message by accident (docs/adr, BSrE credentials).

The PAdES level: B-B, B-T when TSA_URL is set, and B-LT (`SIGNING_PADES_LEVEL=B-LT`: revocation
information in the DSS and a document timestamp, `permits.pades`).
"""

import asyncio
import concurrent.futures
import logging
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from asn1crypto import tsp
from django.apps import apps
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


def ltv_unconfigured() -> SigningUnavailable:
    """B-LT is asked for without a timestamp authority or trust roots (any signer)."""
    return SigningUnavailable(
        _(
            "Long-term validation signing is configured without a timestamp authority "
            "or trust roots. Nothing was issued; please tell the system operator."
        ),
        code="signing_ltv_unconfigured",
    )


def ltv_unavailable() -> SigningUnavailable:
    """B-LT's revocation information could not be had (responder down, certificate revoked or
    not trusted): refused rather than a file below B-LT (any signer)."""
    return SigningUnavailable(
        _(
            "The certificate's revocation status could not be confirmed for a "
            "long-term signature. Nothing was signed; try again later or tell the "
            "system operator."
        ),
        code="signing_ltv_unavailable",
    )


class SigningCredential:
    """What the signer types at signing time for a remote signature: a passphrase, or a one-time
    code (TOTP) that the provider sent. Held in memory for the call only.

    The secret is `reveal()`ed to the one place that sends it; `repr`, `str` and format show
    only the kind, and pickling (a Celery argument, a cache, a session) raises TypeError.
    Equality is by identity, so that comparing credentials never leaks timing about secrets."""

    __slots__ = ("_secret", "kind")
    PASSPHRASE = "passphrase"  # noqa: S105 - the kind's name, not a secret
    TOTP = "totp"

    def __init__(self, kind: str, secret: str):
        if kind not in (self.PASSPHRASE, self.TOTP):
            raise ValueError("a credential is a passphrase or a totp")
        if not isinstance(secret, str) or not secret:
            raise ValueError("the credential is empty")
        self.kind = kind
        self._secret = secret

    @classmethod
    def passphrase(cls, secret: str) -> "SigningCredential":
        return cls(cls.PASSPHRASE, secret)

    @classmethod
    def totp(cls, code: str) -> "SigningCredential":
        return cls(cls.TOTP, code)

    def reveal(self) -> str:
        return self._secret

    def __repr__(self) -> str:
        return f"<SigningCredential {self.kind}: ***>"

    __str__ = __repr__

    def __format__(self, spec) -> str:
        return repr(self)

    def __reduce__(self):
        raise TypeError("a signing credential is never serialised (pickled, queued or stored)")

    def __reduce_ex__(self, protocol):
        return self.__reduce__()


class Signer(Protocol):
    def check(self) -> None:
        """Raise SigningUnavailable when signing cannot work now. Cheap; called per issuance."""

    def sign(
        self,
        pdf: bytes,
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,
    ) -> bytes:
        """Return the signed PDF. `credential`: what the person typed, for a remote signer
        (ignored by a local one; omitted by callers that predate it)."""

    def certificate_sha256(self) -> str:
        """SHA-256 of the signing certificate (DER), to recognise the region's signatures."""


def sign_batch(
    signer,
    pdfs: list[bytes],
    *,
    signer_name: str,
    reason: str,
    location: str,
    credential: SigningCredential | None = None,
) -> list[bytes]:
    """Sign several PDFs under one credential: the signer's `sign_many` when it has one (a
    remote signer then needs one code or passphrase for the whole batch), else one `sign` per
    file. Returns the signed PDFs in order; an error stops the batch (the caller decides what a
    failed file means)."""
    many = getattr(signer, "sign_many", None)
    if many is not None:
        return many(
            pdfs, signer_name=signer_name, reason=reason, location=location, credential=credential
        )
    return [
        signer.sign(
            pdf, signer_name=signer_name, reason=reason, location=location, credential=credential
        )
        for pdf in pdfs
    ]


def pades_level() -> str:
    """The configured PAdES level: SIGNING_PADES_LEVEL, else B-T with TSA_URL, else B-B."""
    level = getattr(settings, "SIGNING_PADES_LEVEL", "") or ""
    if level:
        return level
    return "B-T" if settings.TSA_URL else "B-B"


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


def _loaded_key_signer_class():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class LoadedKeySigner(SimpleSigner):
        """pyHanko's SimpleSigner parses the private key again for every signature, and for an
        RSA key OpenSSL's consistency check on loading costs ≈ 40 ms — most of a signature.
        This one parses it once, when the PKCS#12 is loaded, and signs with that object."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._private_key = serialization.load_der_private_key(
                self.signing_key.dump(), password=None
            )

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            try:  # as SimpleSigner.sign_raw names the mechanism
                mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            except ValueError:
                mechanism = None
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15":
                return self._private_key.sign(data, PKCS1v15(), hash_algo)
            if mechanism == "ecdsa":
                return self._private_key.sign(data, ECDSA(hash_algo))
            return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA…: pyHanko's own way

    return LoadedKeySigner


def loaded_key_signer(*, signing_cert, signing_key, cert_registry):
    """A pyHanko signer that parses its private key once (see `LoadedKeySigner`), for code that
    holds a key in memory (the BSrE simulator)."""
    return _loaded_key_signer_class()(
        signing_cert=signing_cert, signing_key=signing_key, cert_registry=cert_registry
    )


@lru_cache(maxsize=32)
def _load_pkcs12(path: str, passphrase: str, mtime: float):
    """Load (and cache per file version) the key and certificates of a PKCS#12."""
    from pyhanko.sign.signers import SimpleSigner

    data = Path(path).read_bytes()
    loaded = SimpleSigner.load_pkcs12_data(
        data, other_certs=(), passphrase=passphrase.encode() or None
    )
    return _loaded_key_signer_class()(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


class LocalPkcs12Signer:
    """PAdES signing with a PKCS#12 on this machine (pyHanko): B-B, B-T with a timestamp
    authority, or B-LT (`level="B-LT"`: revocation information fetched from the URLs in the
    certificates and embedded in the DSS, plus a document timestamp; needs `tsa_url` and
    `trust_roots`)."""

    def __init__(
        self,
        *,
        cert_path: str,
        passphrase: str,
        tsa_url: str = "",
        region_code: str = "",
        level: str = "",
        trust_roots=None,
    ):
        self.cert_path = cert_path
        self.passphrase = passphrase
        self.tsa_url = tsa_url
        self.region_code = region_code  # for the operator's log lines only
        self.level = level or ("B-T" if tsa_url else "B-B")
        self.trust_roots = trust_roots

    def _signer(self):
        path = Path(self.cert_path)
        if not self.cert_path or not path.is_file():
            logger.error(
                "signing certificate missing: region=%s path=%s", self.region_code, self.cert_path
            )
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
            logger.error(
                "signing certificate unusable: region=%s path=%s error=%s",
                self.region_code,
                self.cert_path,
                exc,
            )
            raise SigningUnavailable(
                _(
                    "The signing certificate cannot be opened (wrong passphrase or damaged "
                    "file). Nothing was issued; please tell the system operator."
                ),
                code="signing_certificate_unusable",
            ) from exc

    def certificate_issuer(self) -> dict:
        """Who issued the signing certificate, as the permit's footnote names it: {"name": the
        issuer's organisation (or common name), "development": whether it is a development
        certificate (`make_dev_signing_cert`: "development" in the issuer's name)}. Fails
        closed: a certificate that cannot be read counts as a development one (the document
        then says it is not legally valid)."""
        try:
            cert = self._signer().signing_cert
        except SigningUnavailable:
            return {"name": "", "development": True}
        issuer = cert.issuer.native
        name = issuer.get("organization_name") or issuer.get("common_name") or ""
        if isinstance(name, list):
            name = ", ".join(name)
        words = " ".join(str(v) for v in issuer.values()).lower()
        return {"name": str(name), "development": "development" in words}

    def _check_level(self) -> None:
        if self.level == "B-LT" and not (self.tsa_url and self._trust_roots()):
            logger.error(
                "B-LT signing needs TSA_URL and SIGNING_CA_PATH: region=%s", self.region_code
            )
            raise ltv_unconfigured()

    def _trust_roots(self) -> list:
        from permits.pades import load_trust_roots  # inside: permits.pades imports this module

        if self.trust_roots is not None:
            return list(self.trust_roots)
        return load_trust_roots(settings.SIGNING_CA_PATH)

    def check(self) -> None:
        self._check_level()
        self._signer()

    def certificate_sha256(self) -> str:
        return self._signer().signing_cert.sha256.hex()

    def sign(
        self,
        pdf: bytes,
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,  # a local key needs none
    ) -> bytes:
        return self.sign_many(
            [pdf], signer_name=signer_name, reason=reason, location=location, credential=credential
        )[0]

    def sign_many(
        self,
        pdfs: list[bytes],
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,
    ) -> list[bytes]:
        """Sign several PDFs; at B-LT the certificate's revocation answers are fetched once for
        the batch (one validation context) and embedded in each file."""
        import io

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        from permits import pades  # inside: permits.pades imports this module

        self._check_level()
        simple_signer = self._signer()
        timestamper = UrllibTimeStamper(self.tsa_url) if self.tsa_url else None
        lt = self.level == "B-LT"
        context = pades.signing_validation_context(self._trust_roots()) if lt else None
        signed = []
        for pdf in pdfs:
            meta = signers.PdfSignatureMetadata(
                field_name="TandaTanganElektronik",
                name=signer_name,
                reason=reason,
                location=location,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                **(
                    pades.sign_options_lt(
                        trust_roots=self._trust_roots(), validation_context=context
                    )
                    if lt
                    else {}
                ),
            )
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            try:
                out = outside_event_loop(
                    signers.PdfSigner(meta, signer=simple_signer, timestamper=timestamper).sign_pdf,
                    writer,
                    bytes_reserved=BYTES_RESERVED_WITH_TIMESTAMP if timestamper else BYTES_RESERVED,
                )
            except Exception as exc:
                if not lt:
                    raise
                # The revocation information could not be had (responder down, certificate
                # revoked or not trusted): refuse rather than hand out a file below B-LT.
                logger.error(
                    "B-LT signing failed: region=%s %s",
                    self.region_code,
                    pades.describe_ltv_failure(exc),
                )
                raise ltv_unavailable() from exc
            signed.append(out.getvalue())
        return signed


def region_certificate_file(code: str) -> tuple[Path, str]:
    """Where region `code`'s own PKCS#12 is, and its passphrase, as configured: the path
    SIGNING_CERT_PATH_<CODE> if set, else SIGNING_CERT_DIR/<CODE>.p12; the passphrase
    SIGNING_CERT_PASSPHRASE_<CODE> if set, else SIGNING_CERT_PASSPHRASE. The file may not exist
    (`certificate_for` decides what that means); `make_dev_signing_cert` writes it there."""
    entry = (settings.SIGNING_CERTS or {}).get(code) or {}
    path = entry.get("path") or str(Path(settings.SIGNING_CERT_DIR or "") / f"{code}.p12")
    passphrase = entry.get("passphrase")
    if passphrase is None:
        passphrase = settings.SIGNING_CERT_PASSPHRASE or ""
    return Path(path), passphrase


def per_region_rule() -> bool:
    """Whether a region without its own certificate is refused: SIGNING_CERT_PER_REGION when
    set, else on as soon as the deployment has more than one region."""
    if settings.SIGNING_CERT_PER_REGION is not None:
        return bool(settings.SIGNING_CERT_PER_REGION)
    # The model by name: this module is imported by the BSrE simulator, outside Django.
    return apps.get_model("agencies", "Region").objects.count() > 1


def certificate_for(region) -> tuple[str, str]:
    """(path, passphrase) of the PKCS#12 that signs for `region`. The one rule:

    1. the region's own certificate when it is configured: an explicit SIGNING_CERT_PATH_<CODE>
       (used even when the file is missing, so that a wrong path is reported, never papered
       over), or an existing SIGNING_CERT_DIR/<CODE>.p12 (see `region_certificate_file`);
    2. else, with the per-region rule off (`per_region_rule`; or no region), the deployment's
       SIGNING_CERT_PATH with SIGNING_CERT_PASSPHRASE — logged at WARNING, every time;
    3. else SigningUnavailable: a multi-region deployment never signs one region's permits with
       another's certificate. The region's code is logged on `ptsp.signing` at ERROR.

    Reads files' existence only; opening the file is `Signer.check`'s work.
    """
    default = (settings.SIGNING_CERT_PATH or "", settings.SIGNING_CERT_PASSPHRASE or "")
    if region is None:
        return default
    code = region.code
    path, passphrase = region_certificate_file(code)
    explicit = ((settings.SIGNING_CERTS or {}).get(code) or {}).get("path")
    if explicit or path.is_file():
        return str(path), passphrase
    if not per_region_rule():
        logger.warning(
            "signing fallback: region %s has no certificate of its own (%s); "
            "it signs with the deployment's SIGNING_CERT_PATH",
            code,
            path,
        )
        return default
    logger.error(
        "no signing certificate for region %s: SIGNING_CERT_PER_REGION is on, "
        "SIGNING_CERT_PATH_%s is not set and %s does not exist",
        code,
        code,
        path,
    )
    raise SigningUnavailable(
        _(
            "This region has no signing certificate of its own on the server. Nothing was "
            "issued; please tell the system operator."
        ),
        code="signing_certificate_missing",
    )


# Remote signers (a national TTE provider: BSrE) register here from their AppConfig.ready, so
# that this module never imports the app above it: `provider(region, user)` returns a Signer
# when it signs for that region (and raises SigningUnavailable when it should but cannot),
# else None.
_SIGNER_PROVIDERS: list = []


def register_signer_provider(provider) -> None:
    """Add a remote signer provider (idempotent). Called by `bsre.apps.BsreConfig.ready`."""
    if provider not in _SIGNER_PROVIDERS:
        _SIGNER_PROVIDERS.append(provider)


def local_signer(region=None) -> "LocalPkcs12Signer":
    """The region's local PKCS#12 signer (`certificate_for`), whatever remote provider it has."""
    cert_path, passphrase = certificate_for(region)
    return LocalPkcs12Signer(
        cert_path=cert_path,
        passphrase=passphrase,
        tsa_url=settings.TSA_URL or "",
        region_code=getattr(region, "code", ""),
        level=pades_level(),
    )


def needs_credential(signer) -> bool:
    """Whether `signer` needs what the person types at signing time (a remote signer)."""
    return bool(getattr(signer, "needs_credential", False))


def region_signs_remotely(region) -> bool:
    """Whether a registered remote provider (BSrE) signs `region`'s documents, whoever signs.
    A remote configuration that is incomplete counts as remote (fails closed: it must not make
    a document signed with the local key instead). No signer is checked or called."""
    for provider in _SIGNER_PROVIDERS:
        try:
            if provider(region, None) is not None:
                return True
        except SigningUnavailable:
            return True
    return False


def get_signer(region=None, *, user=None, remote: bool = True) -> Signer:
    """The signer for a region's permits: a registered remote provider's (BSrE, for a region
    with an enabled configuration, signing as `user`), else the region's own certificate or
    the deployment's (`certificate_for`). Raises SigningUnavailable when the region may not
    sign at all (a remote configuration that is incomplete fails closed, never falls back to
    the local key); a missing or unusable file is reported by the signer's `check()`.
    `remote=False`: the local signer only (whatever the region's provider: the footnote of a
    document the local key signs)."""
    if remote and region is not None:
        for provider in _SIGNER_PROVIDERS:
            signer = provider(region, user)
            if signer is not None:
                return signer
    return local_signer(region)
