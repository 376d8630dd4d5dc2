"""`manage.py make_dev_signing_cert`: a local CA and a signer certificate for development and tests.

Writes the CA certificate (PEM, the trust root of `permits.verification`) to SIGNING_CA_PATH and
the signer's key and certificate as a PKCS#12 to SIGNING_CERT_PATH, encrypted with
SIGNING_CERT_PASSPHRASE. Existing files are kept unless --force. The files live under var/ and are
never committed. Production uses the region's real certificate (e.g. from BSrE) instead.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _name(common_name: str, org: str = "PTSP Online (development)") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(common_name: str = "PTSP Online Development CA"):
    """A self-signed CA (ECDSA P-256): returns (key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_cert(ca_key, ca_cert, common_name: str, *, key=None, timestamping: bool = False):
    """A leaf certificate signed by the CA: a document signer, or a TSA (`timestamping`)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def write_pkcs12(path: Path, key, cert, ca_cert, passphrase: str, friendly_name: str) -> None:
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        friendly_name.encode(), key, cert, [ca_cert], encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


class Command(BaseCommand):
    help = "Make a local signing CA and signer certificate (development and tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace existing files.")
        parser.add_argument(
            "--key",
            choices=["rsa", "ec"],
            default="rsa",
            help="Signer key: RSA-2048 (default, as BSrE certificates; the signed file stays "
            "PDF 1.7 as PDF/A-3 requires) or ECDSA P-256 (faster, but pyHanko then declares "
            "the PDF 2.0 extension ISO 32002 in the document).",
        )
        parser.add_argument(
            "--signer-name",
            default="DPMPTSP Penandatangan Elektronik (development)",
            help="Common name of the signer certificate.",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("A development certificate has no place in production.")
        cert_path = Path(settings.SIGNING_CERT_PATH)
        ca_path = Path(settings.SIGNING_CA_PATH)
        if cert_path.exists() and ca_path.exists() and not options["force"]:
            self.stdout.write(f"Keeping the existing {cert_path} and {ca_path} (use --force).")
            return
        ca_key, ca_cert = make_ca()
        signer_key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if options["key"] == "rsa"
            else None
        )
        key, cert = issue_cert(ca_key, ca_cert, options["signer_name"], key=signer_key)
        write_pkcs12(
            cert_path, key, cert, ca_cert, settings.SIGNING_CERT_PASSPHRASE or "", "ptsp-signer"
        )
        ca_path.parent.mkdir(parents=True, exist_ok=True)
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        # The CA key is written next to the CA so that tests and tools can issue more
        # certificates (a TSA, a foreign signer); it never leaves var/.
        ca_key_path = ca_path.with_suffix(".key")
        ca_key_path.write_bytes(
            ca_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        ca_key_path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Wrote {cert_path} and {ca_path}."))
