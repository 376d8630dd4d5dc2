"""BSrE behind `permits.signing.Signer`: the v2 API (BSrE signs the whole PDF) and hash signing
(BSrE signs a digest; the PDF never leaves the portal).

Both:
- `check()` asks `user/check/status` and refuses — before any number is taken — a signer who is
  not registered, whose certificate expired or was revoked (`bsre.errors`);
- `sign(..., credential=...)` / `sign_many(...)` need the passphrase or the one-time code the
  signer typed (`permits.signing.SigningCredential`): without it they refuse;
- reach PAdES B-LT (`permits.pades`): BSrE's v2 answer is B-T (the contract reports say so),
  and a CMS embedded by hash is a signature only; the DSS (OCSP/CRL of the chain, fetched from
  BSrE's responders) and a document timestamp are added here, so that every signer's permit is
  LT. Unavailable revocation information refuses (`SigningUnavailable`), never a lesser file.

`BsreHashSigner` uses pyHanko's interrupted signing: `PdfSigner.async_digest_doc_for_signing`
reserves the signature's place in *our* PDF/A and digests the byte range, BSrE returns a CMS
over that digest, `PdfTBSDocument.async_finish_signing` writes it in. The document's bytes are
ours before and around the signature.
"""

import asyncio
import hashlib
import io
import logging

from django.utils.translation import gettext_lazy as _

from bsre.client import BsreClient, SignatureProperties, SignerIdentity
from bsre.errors import BsreBadAnswer
from permits import pades
from permits.signing import (
    SigningCredential,
    SigningUnavailable,
    UrllibTimeStamper,
    ltv_unavailable,
    ltv_unconfigured,
    outside_event_loop,
)

logger = logging.getLogger("ptsp.bsre")

FIELD_NAME = "TandaTanganElektronik"
BYTES_RESERVED = 32768  # a remote CMS: a certificate chain and a timestamp token inside


def _credential_required(credential) -> SigningCredential:
    if not isinstance(credential, SigningCredential):
        raise SigningUnavailable(
            _("Signing with BSrE needs the signer's passphrase or one-time code."),
            code="bsre_credential_required",
        )
    return credential


class _BsreSignerBase:
    def __init__(
        self,
        client: BsreClient,
        *,
        identity: SignerIdentity,
        level: str = "B-LT",
        tsa_url: str = "",
        trust_roots=None,
        files_per_request: int = 1,
        region_code: str = "",
    ):
        self.region_code = region_code  # for log lines only
        self.client = client
        self.identity = identity
        self.level = level
        self.tsa_url = tsa_url
        self._trust_roots = trust_roots
        self.files_per_request = max(1, files_per_request)
        self._chain: list[bytes] | None = None

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(signer={self.identity}, level={self.level})"

    def trust_roots(self) -> list:
        from django.conf import settings

        if self._trust_roots is not None:
            return list(self._trust_roots)
        return pades.load_trust_roots(settings.SIGNING_CA_PATH)

    # What `permits` asks a signer without importing this app (permits.signing.needs_credential)
    needs_credential = True
    provider = "bsre"

    def _identity(self):
        if self.identity is None:
            from bsre.providers import no_identity

            raise no_identity()
        return self.identity

    def check(self) -> None:
        """Refuse a signer BSrE would refuse (not registered, expired, revoked) and a B-LT
        configuration without a timestamp authority or trust roots."""
        if self.level == "B-LT" and not (self.tsa_url and self.trust_roots()):
            raise ltv_unconfigured()
        self.client.check_status(self._identity()).raise_unless_active()

    def status(self):
        """BSrE's `user/check/status` for this signer (`bsre.client.UserStatus`)."""
        return self.client.check_status(self._identity())

    def request_totp(self) -> None:
        """Ask BSrE to send the signer a one-time code."""
        self.client.request_totp(self._identity())

    @staticmethod
    def seal(credential: SigningCredential, *, context: str) -> str:
        from bsre import sealing

        return sealing.seal(credential, context=context)

    @staticmethod
    def unseal(token: str, *, context: str) -> SigningCredential:
        from bsre import sealing

        return sealing.unseal(token, context=context)

    def certificate_issuer(self) -> dict:
        """Who issued the signer's BSrE certificate (the footnote), as
        `LocalPkcs12Signer.certificate_issuer`; a certificate that cannot be had counts as a
        development one (fails closed)."""
        from asn1crypto import x509 as asn1_x509

        try:
            cert = asn1_x509.Certificate.load(self.chain()[0])
        except Exception as exc:
            logger.warning("bsre certificate issuer unknown: %s", exc.__class__.__name__)
            return {"name": "", "development": True}
        issuer = cert.issuer.native
        name = issuer.get("organization_name") or issuer.get("common_name") or ""
        if isinstance(name, list):
            name = ", ".join(name)
        words = " ".join(str(v) for v in issuer.values()).lower()
        return {"name": str(name), "development": "development" in words}

    def chain(self) -> list[bytes]:
        if self._chain is None:
            self._chain = self.client.certificate_chain(self._identity())
        return self._chain

    def certificate_sha256(self) -> str:
        return hashlib.sha256(self.chain()[0]).hexdigest()

    def sign(
        self,
        pdf: bytes,
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,
    ) -> bytes:
        return self.sign_many(
            [pdf], signer_name=signer_name, reason=reason, location=location, credential=credential
        )[0]

    def _batches(self, pdfs: list[bytes], credential: SigningCredential) -> list[list[bytes]]:
        # A one-time code is good for one request: the whole batch goes in it.
        if credential.kind == SigningCredential.TOTP:
            return [pdfs]
        size = self.files_per_request
        return [pdfs[i : i + size] for i in range(0, len(pdfs), size)]

    def _lt_tools(self):
        """One validation context and one timestamper for a batch: the revocation answers and
        the timestamp authority's certificate are fetched once."""
        from asn1crypto import x509 as asn1_x509

        if self.level != "B-LT":
            return None, None
        context = pades.signing_validation_context(
            self.trust_roots(),
            other_certs=[asn1_x509.Certificate.load(der) for der in self.chain()[1:]],
        )
        return context, UrllibTimeStamper(self.tsa_url)

    def _finish(self, signed: bytes, context=None, timestamper=None) -> bytes:
        """Check what came back is a signed PDF, then make it B-LT."""
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        try:
            reader = PdfFileReader(io.BytesIO(signed), strict=False)
            if not reader.embedded_regular_signatures:
                raise ValueError("no signature")
            # The signature must hold over what came back (a CMS over other data, a damaged
            # file): the chain is checked when the revocation information is gathered.
            status = outside_event_loop(
                validate_pdf_signature,
                reader.embedded_regular_signatures[-1],
                signer_validation_context=ValidationContext(
                    trust_roots=self.trust_roots(), allow_fetching=False
                ),
                skip_diff=True,
            )
            if not (status.intact and status.valid):
                raise ValueError("the signature does not hold")
        except Exception as exc:
            logger.error("bsre answer is not a signed PDF: %s", exc.__class__.__name__)
            raise BsreBadAnswer(details={"call": "signed_pdf"}) from None
        if self.level != "B-LT":
            return signed
        if context is None:
            context, timestamper = self._lt_tools()
        try:
            return pades.extend_to_lt(
                signed,
                timestamper=timestamper,
                trust_roots=self.trust_roots(),
                validation_context=context,
            )
        except pades.LtvUnavailable:
            raise ltv_unavailable() from None


class BsreSigner(_BsreSignerBase):
    """BSrE's v2 `sign/pdf`: the PDFs go to BSrE, come back signed (B-T), and are made B-LT."""

    def sign_many(
        self,
        pdfs: list[bytes],
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,
    ) -> list[bytes]:
        credential = _credential_required(credential)
        properties = [SignatureProperties(tampilan="INVISIBLE", reason=reason, location=location)]
        out: list[bytes] = []
        for batch in self._batches(pdfs, credential):
            result = self.client.sign_pdf(
                batch, identity=self._identity(), credential=credential, properties=properties
            )
            out.extend(result.files)
        context, timestamper = self._lt_tools()
        return [self._finish(signed, context, timestamper) for signed in out]


class BsreHashSigner(_BsreSignerBase):
    """Central hash signing: our PDF, BSrE's CMS over the digest of its signed byte range."""

    def _prepare(self, pdf: bytes, *, signer_name: str, reason: str, location: str):
        from asn1crypto import x509 as asn1_x509
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        chain = [asn1_x509.Certificate.load(der) for der in self.chain()]
        placeholder = signers.ExternalSigner(
            signing_cert=chain[0],
            cert_registry=SimpleCertificateStore.from_certs(chain[1:]),
            signature_value=256,
        )
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            name=signer_name,
            reason=reason,
            location=location,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(meta, signer=placeholder)

        async def digest():
            return await pdf_signer.async_digest_doc_for_signing(
                writer, bytes_reserved=BYTES_RESERVED
            )

        prepared, _tbs, output = outside_event_loop(asyncio.run, digest())
        return prepared, output

    def sign_many(
        self,
        pdfs: list[bytes],
        *,
        signer_name: str,
        reason: str,
        location: str,
        credential: SigningCredential | None = None,
    ) -> list[bytes]:
        from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

        credential = _credential_required(credential)
        prepared = [
            self._prepare(pdf, signer_name=signer_name, reason=reason, location=location)
            for pdf in pdfs
        ]
        cms_list: list[bytes] = []
        for batch in self._batches(prepared, credential):
            cms_list.extend(
                self.client.sign_hash(
                    [digest.document_digest for digest, _output in batch],
                    identity=self._identity(),
                    credential=credential,
                )
            )
        signed = []
        context, timestamper = self._lt_tools()
        for (digest, output), cms in zip(prepared, cms_list, strict=True):
            try:
                outside_event_loop(
                    asyncio.run, PdfTBSDocument.async_finish_signing(output, digest, cms)
                )
            except Exception as exc:  # a CMS that does not fit or does not parse
                logger.error("bsre CMS cannot be embedded: %s", exc.__class__.__name__)
                raise BsreBadAnswer(details={"call": "sign_hash"}) from None
            signed.append(self._finish(output.getvalue(), context, timestamper))
        return signed
