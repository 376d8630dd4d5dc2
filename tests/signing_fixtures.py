"""Fixtures for issuance tests: a fresh development CA and signer certificates per test."""

import io

import pytest
from django.core.management import call_command

PASSPHRASE = "test-passphrase-1234"
# BTG's certificate has a passphrase of its own (SIGNING_CERT_PASSPHRASE_BTG); PLG's uses the
# deployment's passphrase, as a region without SIGNING_CERT_PASSPHRASE_<CODE> does.
BTG_PASSPHRASE = "btg-passphrase-5678"
REGION_NAMES = {"BTG": "Kota Bontang", "PLG": "Kota Palembang"}


@pytest.fixture(scope="session")
def _dev_certificate_files(tmp_path_factory):
    """One CA + the deployment's PKCS#12 per test session, made by `manage.py
    make_dev_signing_cert` (RSA key generation is slow enough to matter when every test pays
    it), and the signers of the demo regions BTG and PLG under the same CA in `region-certs/`
    (made by the command's own `issue_region_cert`: the session has no database to list the
    regions from). The CA's OCSP responder and CRL run for the session; every certificate
    names them (its URL is in `revocation-url`)."""
    from django.test import override_settings

    from permits.management.commands.make_dev_signing_cert import issue_region_cert, load_ca
    from permits.revocation import CertificateAuthorityRevocation, RevocationResponder

    folder = tmp_path_factory.mktemp("signing")
    # The CA's OCSP responder and CRL, named by every certificate (PAdES B-LT fetches them):
    # listening first, the CA loaded when first asked.
    responder = RevocationResponder(
        CertificateAuthorityRevocation(ca_path=folder / "ca.pem")
    ).start()
    with override_settings(
        SIGNING_CERT_PATH=str(folder / "signer.p12"),
        SIGNING_CA_PATH=str(folder / "ca.pem"),
        SIGNING_CERT_PASSPHRASE=PASSPHRASE,
        SIGNING_CERT_DIR=str(folder / "region-certs"),
        SIGNING_CERTS={"BTG": {"path": None, "passphrase": BTG_PASSPHRASE}},
        SIGNING_DEV_REVOCATION_URL=responder.url,
    ):
        call_command("make_dev_signing_cert", "--regions", stdout=io.StringIO())
        ca_key, ca_cert = load_ca(folder / "ca.pem")
        for code, name in REGION_NAMES.items():
            issue_region_cert(ca_key, ca_cert, code=code, name=name)
    folder.joinpath("revocation-url").write_text(responder.url)
    yield folder
    responder.stop()


@pytest.fixture
def signing_cert(settings, tmp_path, _dev_certificate_files):
    """The development CA and the deployment's signer certificate, copied into the test's own
    directory (a test may remove or replace them). No region has a certificate of its own
    (SIGNING_CERT_DIR is an empty folder): every region signs with the deployment's."""
    import shutil

    folder = tmp_path / "signing"
    shutil.copytree(_dev_certificate_files, folder)
    settings.SIGNING_CERT_PATH = str(folder / "signer.p12")
    settings.SIGNING_CA_PATH = str(folder / "ca.pem")
    settings.SIGNING_CERT_PASSPHRASE = PASSPHRASE
    settings.SIGNING_CERT_DIR = str(folder / "regions")
    settings.SIGNING_CERTS = {}
    settings.SIGNING_CERT_PER_REGION = False
    settings.TSA_URL = ""
    settings.SITE_URL = "https://ptsp.bontangkota.go.id"
    return settings


@pytest.fixture
def region_certs(signing_cert):
    """As `signing_cert`, and BTG and PLG have certificates of their own in SIGNING_CERT_DIR
    (`<CODE>.p12`, same development CA; BTG with SIGNING_CERT_PASSPHRASE_BTG)."""
    from pathlib import Path

    signing_cert.SIGNING_CERT_DIR = str(Path(signing_cert.SIGNING_CA_PATH).parent / "region-certs")
    signing_cert.SIGNING_CERTS = {"BTG": {"path": None, "passphrase": BTG_PASSPHRASE}}
    return signing_cert


class LocalTsa:
    """An RFC 3161 timestamp authority served over HTTP on a local port, for B-T tests.

    Its certificate (RSA, EKU timeStamping) is issued by the development CA, so the same trust
    root validates both the signature and its timestamp. Answers with pyHanko's DummyTimeStamper (its key loaded once, permits.devtsa).
    """

    def __init__(self, ca_pem_path: str, *, first_delay: float = 0.0, revocation_url: str = ""):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from pathlib import Path

        from asn1crypto import keys, tsp
        from asn1crypto import x509 as asn1_x509
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        from permits.devtsa import LoadedKeyTimeStamper
        from permits.management.commands.make_dev_signing_cert import issue_cert

        ca_cert = x509.load_pem_x509_certificate(Path(ca_pem_path).read_bytes())
        ca_key = serialization.load_pem_private_key(
            Path(ca_pem_path).with_suffix(".key").read_bytes(), password=None
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _, cert = issue_cert(
            ca_key,
            ca_cert,
            "PTSP Test TSA",
            key=key,
            timestamping=True,
            revocation_url=revocation_url,  # names an OCSP responder/CRL, for B-LT tests
        )
        stamper = LoadedKeyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
        )
        self.requests = 0
        self.arrivals = 0
        self.received = threading.Event()
        lock = threading.Lock()
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # the answer's body is not held for an ACK

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    tsa.arrivals += 1
                    first = tsa.arrivals == 1
                tsa.received.set()
                if first_delay and first:
                    import time

                    time.sleep(first_delay)  # hold the first signer mid-issuance
                response = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                tsa.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(response)))
                self.end_headers()
                self.wfile.write(response)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_tsa(signing_cert):
    tsa = LocalTsa(signing_cert.SIGNING_CA_PATH)
    signing_cert.TSA_URL = tsa.url
    yield tsa
    tsa.stop()
