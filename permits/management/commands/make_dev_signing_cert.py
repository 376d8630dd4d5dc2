"""`manage.py make_dev_signing_cert`: a local CA and signer certificates for development and tests.

Writes the CA certificate (PEM, the trust root of `permits.verification`) to SIGNING_CA_PATH (its
key next to it, `.key`), the deployment's signer as a PKCS#12 to SIGNING_CERT_PATH, encrypted
with SIGNING_CERT_PASSPHRASE, and one signer per region (`--regions`, by default every region in
the database) where `permits.signing.certificate_for` looks for it (SIGNING_CERT_PATH_<CODE>, else
SIGNING_CERT_DIR/<CODE>.p12), with the region's passphrase. An existing CA (with its key) is
reused and existing files are kept unless --force; a new CA re-issues every certificate it
writes. Every signer certificate names the development OCSP responder and CRL
(`--revocation-url`, default SIGNING_DEV_REVOCATION_URL; `permits.revocation` serves them) so that
PAdES B-LT signing can embed their answers. The files live under var/ and are never committed. Production uses the regions' real
certificates (e.g. from BSrE) instead, and the command refuses to run there.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import UniformResourceIdentifier
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from permits.revocation import revocation_urls
from permits.signing import region_certificate_file


def _name(common_name: str, org: str = "PTSP Online (development)") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(common_name: str = "PTSP Online Development CA", organization: str = ""):
    """A self-signed CA (ECDSA P-256): returns (key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(common_name, organization) if organization else _name(common_name)
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


def issue_cert(
    ca_key,
    ca_cert,
    common_name: str,
    *,
    key=None,
    timestamping: bool = False,
    organization: str = "PTSP Online (development)",
    revocation_url: str = "",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
):
    """A leaf certificate signed by the CA: a document signer, or a TSA (`timestamping`).

    With `revocation_url` (the base URL of a `permits.revocation` responder) the certificate
    names its OCSP responder (Authority Information Access) and CRL (CRL Distribution Points)
    there, as BSrE's certificates name BSrE's: what PAdES B-LT signing fetches and embeds.
    Validity: from a day ago for five years, unless `not_before`/`not_after` (computed from
    the clock by the caller, e.g. an already expired certificate for a test)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    ocsp_url, crl_url = revocation_urls(revocation_url)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=1825))
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
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, UniformResourceIdentifier(ocsp_url)
                    )
                ]
            ),
            critical=False,
        ).add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
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


def new_signer_key(kind: str = "rsa"):
    """RSA-2048 (as BSrE issues) or, for speed experiments, None: `issue_cert` makes ECDSA."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" else None


def default_revocation_url() -> str:
    """Where the development certificates say their OCSP responder and CRL are:
    SIGNING_DEV_REVOCATION_URL (a local port by default; `permits.revocation` serves it)."""
    return getattr(settings, "SIGNING_DEV_REVOCATION_URL", "") or ""


def issue_region_cert(
    ca_key,
    ca_cert,
    *,
    code: str,
    name: str,
    key_kind: str = "rsa",
    revocation_url: str | None = None,
) -> Path:
    """A development signer for one region, written where `certificate_for` finds it, encrypted
    with the region's passphrase, naming the development OCSP responder and CRL
    (`revocation_url`, default SIGNING_DEV_REVOCATION_URL). Returns the path."""
    path, passphrase = region_certificate_file(code)
    key, cert = issue_cert(
        ca_key,
        ca_cert,
        f"Kepala DPMPTSP {name} (development)",
        key=new_signer_key(key_kind),
        organization=name,
        revocation_url=default_revocation_url() if revocation_url is None else revocation_url,
    )
    write_pkcs12(path, key, cert, ca_cert, passphrase, f"ptsp-signer-{code.lower()}")
    return path


def write_ca(ca_path: Path, ca_key, ca_cert) -> None:
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    # The CA key is written next to the CA so that later runs, tests and tools can issue more
    # certificates (a region's signer, a TSA, a foreign signer); it never leaves var/.
    ca_key_path = ca_path.with_suffix(".key")
    ca_key_path.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ca_key_path.chmod(0o600)


def load_ca(ca_path: Path):
    """The existing development CA: (key, certificate)."""
    ca_key_path = ca_path.with_suffix(".key")
    if not ca_key_path.is_file():
        raise CommandError(
            f"{ca_path} exists but its key {ca_key_path} does not, so no certificate can be "
            "issued under it. Use --force to make a new development CA (and new certificates)."
        )
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    return ca_key, ca_cert


class Command(BaseCommand):
    help = (
        "Make a local signing CA, the deployment's signer and one signer per region "
        "(development and tests only)."
    )

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
            help="Common name of the deployment's signer certificate.",
        )
        parser.add_argument(
            "--revocation-url",
            default=None,
            metavar="URL",
            help="Base URL of the development OCSP responder and CRL that the signer "
            "certificates name (AIA and CRL distribution point; PAdES B-LT fetches them): "
            "default SIGNING_DEV_REVOCATION_URL, a local port; an empty value leaves them out.",
        )
        parser.add_argument(
            "--regions",
            nargs="*",
            metavar="CODE",
            help="Region codes to issue a signer for (default: every region in the database; "
            "--regions with no code: none).",
        )

    def _regions(self, codes: list[str] | None) -> list[tuple[str, str]]:
        """(code, name) of the regions to issue for."""
        if codes is not None and not codes:
            return []
        # Inside: this module's CA helpers are imported without Django by the BSrE simulator.
        from agencies.models import Region

        try:
            regions = Region.objects.order_by("code")
            if codes is not None:
                codes = sorted({code.strip().upper() for code in codes})
                regions = regions.filter(code__in=codes)
            found = list(regions.values_list("code", "name"))
        except DatabaseError:
            if codes is not None:
                raise
            self.stdout.write("No regions (the database is not migrated yet).")
            return []
        missing = sorted(set(codes or []) - {code for code, _name in found})
        if missing:
            raise CommandError(f"No region with the code {', '.join(missing)} in the database.")
        return found

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("A development certificate has no place in production.")
        force = options["force"]
        cert_path = Path(settings.SIGNING_CERT_PATH)
        ca_path = Path(settings.SIGNING_CA_PATH)
        regions = self._regions(options["regions"])
        revocation_url = options["revocation_url"]
        if revocation_url is None:
            revocation_url = default_revocation_url()
        wanted = [cert_path, *(region_certificate_file(code)[0] for code, _name in regions)]

        new_ca = force or not ca_path.exists()
        if new_ca:
            ca_key, ca_cert = make_ca()
            write_ca(ca_path, ca_key, ca_cert)
            self.stdout.write(self.style.SUCCESS(f"Wrote the development CA {ca_path}."))
        elif all(path.exists() for path in wanted):
            self.stdout.write(f"Keeping the existing {ca_path} and signers (use --force).")
            return
        else:
            ca_key, ca_cert = load_ca(ca_path)

        # A new CA re-issues everything: certificates of the old one would no longer verify.
        if new_ca or not cert_path.exists():
            key, cert = issue_cert(
                ca_key,
                ca_cert,
                options["signer_name"],
                key=new_signer_key(options["key"]),
                revocation_url=revocation_url,
            )
            write_pkcs12(
                cert_path, key, cert, ca_cert, settings.SIGNING_CERT_PASSPHRASE or "", "ptsp-signer"
            )
            self.stdout.write(self.style.SUCCESS(f"Wrote the deployment's signer {cert_path}."))
        else:
            self.stdout.write(f"Keeping {cert_path}.")
        for code, name in regions:
            path = region_certificate_file(code)[0]
            if path.exists() and not new_ca:
                self.stdout.write(f"Keeping {path} ({code}).")
                continue
            issue_region_cert(
                ca_key,
                ca_cert,
                code=code,
                name=name,
                key_kind=options["key"],
                revocation_url=revocation_url,
            )
            self.stdout.write(self.style.SUCCESS(f"Wrote {path}: the signer of {name} ({code})."))
