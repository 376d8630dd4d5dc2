"""A development timestamp authority's signer: pyHanko's DummyTimeStamper with its key loaded once.

DummyTimeStamper (RSA only) parses its private key again for every token, and OpenSSL's check of
an RSA key on loading costs 40–75 ms on these machines — most of a token, and a B-LT signature
asks for three (a probe for the TSA's certificate, the signature timestamp, the document
timestamp). The local TSA of the tests and benchmarks (tests/signing_fixtures.py `LocalTsa`)
and the BSrE simulator's TSA use this one, so that their timings are the portal's, not the
stand-in's. It overrides DummyTimeStamper's `_sign_tst_info` (pyHanko 0.38), keeping its
attributes and algorithm.
"""

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper


class LoadedKeyTimeStamper(DummyTimeStamper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._private_key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        if not isinstance(self._private_key, RSAPrivateKey):
            raise NotImplementedError("the development TSA signs with RSA")

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        from asn1crypto import cms, core
        from pyhanko.sign import general

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._private_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


TSA_PATH = "/tsa"


class DevTimestampAuthority:
    """The development CA's RFC 3161 timestamp authority, for `manage.py serve_dev_revocation
    --tsa` (what `make run` starts): `POST /tsa` answers a `TimeStampReq` with a token signed by
    a TSA certificate that the development CA issues (RSA-2048, EKU timeStamping, naming the
    CA's OCSP responder and CRL at `revocation_url`, so that B-LT embeds its revocation status
    too). The certificate and its key are kept beside the CA (`<ca>.tsa.pem` / `.tsa.key`) and
    reused while the CA and the revocation URL are the same, so that a start costs no RSA key
    generation and earlier permits' timestamps keep chaining."""

    def __init__(self, ca_path, *, revocation_url: str = ""):
        from pathlib import Path

        self.ca_path = Path(ca_path)
        self.cert_path = self.ca_path.with_suffix(".tsa.pem")
        self.key_path = self.ca_path.with_suffix(".tsa.key")
        self.revocation_url = revocation_url
        self.stamper = self._load_or_issue()

    def _load_or_issue(self) -> "LoadedKeyTimeStamper":
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import rsa

        from permits.management.commands.make_dev_signing_cert import issue_cert
        from permits.revocation import revocation_urls

        ca_cert = x509.load_pem_x509_certificate(self.ca_path.read_bytes())
        cert = key = None
        if self.cert_path.is_file() and self.key_path.is_file():
            cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
            key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
            if (
                cert.issuer != ca_cert.subject
                or _ocsp_url(cert) != revocation_urls(self.revocation_url)[0]
            ):
                cert = key = None  # another CA or another responder: issue a new one
        if cert is None:
            ca_key = serialization.load_pem_private_key(
                self.ca_path.with_suffix(".key").read_bytes(), password=None
            )
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _, cert = issue_cert(
                ca_key,
                ca_cert,
                "PTSP Development TSA",
                key=key,
                timestamping=True,
                revocation_url=self.revocation_url,
            )
            self.key_path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            self.key_path.chmod(0o600)
            self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return LoadedKeyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
        )

    def wsgi(self, environ, start_response):
        """Answer `POST /tsa`; None for any other path (the revocation responder mounts it)."""
        from asn1crypto import tsp

        if environ.get("PATH_INFO") != TSA_PATH or environ.get("REQUEST_METHOD") != "POST":
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            request = tsp.TimeStampReq.load(environ["wsgi.input"].read(length))
            body = self.stamper.request_tsa_response(request).dump()
        except Exception:  # a malformed request is the client's
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"not a TimeStampReq"]
        start_response(
            "200 OK",
            [("Content-Type", "application/timestamp-reply"), ("Content-Length", str(len(body)))],
        )
        return [body]


def _ocsp_url(cert) -> str:
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return ""
    for description in access:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return description.access_location.value
    return ""
