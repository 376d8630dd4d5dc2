"""Fixtures for the BSrE and PAdES B-LT tests: a development PKI with a live OCSP responder and
CRL, a timestamp authority under it, the BSrE simulator, and a client pointed at it.

Everything is made at run time (keys, certificates; validity relative to now) and lives in the
test's temporary folders: nothing is committed."""

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bsre.client import BsreClient, BsreConfig, SignerIdentity
from bsre.simulator import EXPIRED, NO_CERTIFICATE, REVOKED, BsreSimulator
from permits.management.commands.make_dev_signing_cert import (
    issue_cert,
    make_ca,
    new_signer_key,
    write_ca,
    write_pkcs12,
)
from permits.revocation import CertificateAuthorityRevocation, RevocationResponder
from tests.signing_fixtures import LocalTsa

SIGNER_PASSPHRASE = "pkcs12-passphrase-for-tests"
ACTIVE_NIK = "6474010101900001"
EXPIRED_NIK = "6474010101900002"
REVOKED_NIK = "6474010101900003"
NO_CERT_NIK = "6474010101900004"
UNREGISTERED_NIK = "6474010101909999"
BSRE_PASSPHRASE = "Rahasia-BSrE-7731!"  # what the signer types; must never be seen elsewhere
ACTIVE_EMAIL = "kepala.dpmptsp@bontangkota.go.id"


@dataclass
class DevPki:
    """A development CA with its revocation responder running, a TSA whose certificate names
    it, and one RSA signer (PKCS#12) under it."""

    folder: Path
    ca_path: Path
    authority: CertificateAuthorityRevocation
    responder: RevocationResponder
    tsa: LocalTsa
    signer_p12: Path
    signer_cert: object = None
    extra: list = field(default_factory=list)

    @property
    def roots(self) -> list:
        from permits.pades import load_trust_roots

        return load_trust_roots(self.ca_path)

    def stop(self):
        self.tsa.stop()
        self.responder.stop()


def make_dev_pki(folder: Path) -> DevPki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_path = folder / "ca.pem"
    authority = CertificateAuthorityRevocation(ca_path=ca_path)
    responder = RevocationResponder(authority).start()  # listening before the CA exists
    ca_key, ca_cert = make_ca()
    write_ca(ca_path, ca_key, ca_cert)
    tsa = LocalTsa(str(ca_path), revocation_url=responder.url)
    key, cert = issue_cert(
        ca_key,
        ca_cert,
        "Kepala DPMPTSP Kota Bontang (development)",
        key=new_signer_key("rsa"),
        organization="Kota Bontang",
        revocation_url=responder.url,
    )
    signer_p12 = folder / "signer.p12"
    write_pkcs12(signer_p12, key, cert, ca_cert, SIGNER_PASSPHRASE, "ptsp-signer")
    return DevPki(folder, ca_path, authority, responder, tsa, signer_p12, cert)


@pytest.fixture(scope="module")
def dev_pki(tmp_path_factory):
    pki = make_dev_pki(tmp_path_factory.mktemp("dev-pki"))
    yield pki
    pki.stop()


@pytest.fixture
def fresh_pki(tmp_path):
    """A PKI of the test's own, whose responder the test may take offline."""
    pki = make_dev_pki(tmp_path / "pki")
    yield pki
    pki.stop()


@pytest.fixture(scope="module")
def simulator():
    sim = BsreSimulator(hang_seconds=1.5)
    sim.register(
        ACTIVE_NIK,
        passphrase=BSRE_PASSPHRASE,
        name="Kepala DPMPTSP Kota Bontang",
        email=ACTIVE_EMAIL,
    )
    sim.register(EXPIRED_NIK, passphrase=BSRE_PASSPHRASE, status=EXPIRED)
    sim.register(REVOKED_NIK, passphrase=BSRE_PASSPHRASE, status=REVOKED)
    sim.register(NO_CERT_NIK, passphrase=BSRE_PASSPHRASE, status=NO_CERTIFICATE)
    sim.start()
    yield sim
    sim.stop()


def client_for(sim: BsreSimulator, **overrides) -> BsreClient:
    config = {
        "base_url": sim.url,
        "username": sim.username,
        "password": sim.password,
        "client_id": sim.client_id,
        "client_secret": sim.client_secret,
        "connect_timeout": 2.0,
        "read_timeout": 10.0,
        **overrides,
    }
    return BsreClient(BsreConfig(**config))


@pytest.fixture
def client(simulator):
    simulator._faults.clear()
    return client_for(simulator)


@pytest.fixture
def active():
    return SignerIdentity(nik=ACTIVE_NIK)


@pytest.fixture
def both_roots(simulator, dev_pki):
    """What a deployment trusts: BSrE's root (here the simulator's) and the development CA."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    sim_root = asn1_x509.Certificate.load(
        simulator.ca_cert.public_bytes(serialization.Encoding.DER)
    )
    return [sim_root, *dev_pki.roots]


_PERMIT_HTML = """<!doctype html><html lang="id"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 2cm }} body {{ font-family: DejaVu Sans; font-size: 11pt }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed }}
td {{ border: 1px solid #999; padding: 4px }}</style></head><body>
<h1>PEMERINTAH KOTA BONTANG</h1><h2>SURAT IZIN USAHA</h2>
<p>Nomor: 503/{n:04d}/SIP-DU/XI/2026</p>
<table>{rows}</table>
<p>Ditandatangani secara elektronik oleh Kepala DPMPTSP Kota Bontang.</p>
</body></html>"""


def permit_like_pdf(n: int = 1) -> bytes:
    """A one-page A4 PDF/A-3b like a permit (WeasyPrint, as permits.rendering makes them)."""
    from permits.rendering import html_to_pdf

    rows = "".join(f"<tr><td>Data teknis {i}</td><td>Nilai {i * n}</td></tr>" for i in range(1, 16))
    return html_to_pdf(_PERMIT_HTML.format(n=n, rows=rows))


@pytest.fixture(scope="module")
def permit_pdf():
    return permit_like_pdf(1)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def last_signature(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[-1]


@pytest.fixture
def bsre_region(demo, simulator, monkeypatch, signing_cert, settings, tmp_path):
    """BTG signs with the simulator; the trust bundle holds the development CA and the
    simulator's root (as SIGNING_CA_PATH bundles BSrE's root in production)."""
    from tests.bsre.test_configuration import configure_bsre

    simulator._faults.clear()
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(Path(settings.SIGNING_CA_PATH).read_bytes() + simulator.ca_pem())
    settings.SIGNING_CA_PATH = str(bundle)
    yield configure_bsre(simulator, monkeypatch)
    simulator._faults.clear()
