"""`make run` signs PAdES B-LT (issue 19): scripts/run_local.py's signing wiring, run as `make run`
runs it — the environment it sets, the development CA's OCSP responder, CRL and TSA started as
`manage.py serve_dev_revocation --tsa` in a process of its own — and a permit-like PDF signed
with that environment validates with LTV. (tests/test_make_run.py starts the whole of `make
run`; this one is the signing part, without the slow marker.)"""

import io
import os
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from permits.pades import load_trust_roots, validate_signed_pdf
from permits.signing import LocalPkcs12Signer
from ptsp.servers import port_open
from tests.bsre.conftest import permit_like_pdf
from tests.conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("default_ports")
PASSPHRASE = "make-run-test-passphrase"


def run_local():
    return load_script("run_local")


@pytest.fixture
def fresh_env(monkeypatch, tmp_path):
    for name in ("SIGNING_DEV_REVOCATION_URL", "TSA_URL", "SIGNING_PADES_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "var"
    var.mkdir()
    return var


@pytest.mark.django_db
def test_make_run_wires_the_responder_the_tsa_and_b_lt(fresh_env):
    var = fresh_env
    script = run_local()
    script.signing_environment(var)
    url = os.environ["SIGNING_DEV_REVOCATION_URL"]
    port = int((var / "signing" / "revocation.port").read_text())
    assert url == f"http://127.0.0.1:{port}"
    assert os.environ["TSA_URL"] == f"{url}/tsa"
    assert os.environ["SIGNING_PADES_LEVEL"] == "B-LT"

    # What `prepare` does: the development CA and the signers (the regions are read from the
    # database), naming the responder's URL.
    folder = var / "signing"
    with override_settings(
        SIGNING_CERT_PATH=str(folder / "dev-signer.p12"),
        SIGNING_CA_PATH=str(folder / "dev-ca.pem"),
        SIGNING_CERT_PASSPHRASE=PASSPHRASE,
        SIGNING_DEV_REVOCATION_URL=url,
    ):
        call_command("make_dev_signing_cert", stdout=io.StringIO())

    process = script.start_dev_revocation(var)
    try:
        assert process.poll() is None and port_open("127.0.0.1", port)
        roots = load_trust_roots(folder / "dev-ca.pem")
        signer = LocalPkcs12Signer(
            cert_path=str(folder / "dev-signer.p12"),
            passphrase=PASSPHRASE,
            tsa_url=os.environ["TSA_URL"],
            level=os.environ["SIGNING_PADES_LEVEL"],
            trust_roots=roots,
        )
        signer.check()
        pdf = permit_like_pdf(3)
        signed = signer.sign(pdf, signer_name="Kepala DPMPTSP", reason="Izin", location="Bontang")
        report = validate_signed_pdf(signed, trust_roots=roots)
        assert report.ok, report.problems
        assert report.trusted and report.ltv_enabled
        assert report.level == "B-LTA"  # B-LT + the document timestamp
        assert report.timestamp_time is not None and report.document_timestamp_time is not None
        # the TSA's certificate is the development CA's, kept beside it for the next start
        tsa_pem = (folder / "dev-ca.tsa.pem").read_bytes()
        assert (folder / "dev-ca.tsa.key").stat().st_mode & 0o077 == 0
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert not port_open("127.0.0.1", port)

    # A second start reuses the recorded port and the TSA's certificate.
    os.environ.pop("SIGNING_DEV_REVOCATION_URL")
    os.environ.pop("TSA_URL")
    script.signing_environment(var)
    assert os.environ["SIGNING_DEV_REVOCATION_URL"] == url
    process = script.start_dev_revocation(var)
    try:
        assert port_open("127.0.0.1", port)
        assert (folder / "dev-ca.tsa.pem").read_bytes() == tsa_pem
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_a_recorded_responder_port_that_is_taken_is_refused(fresh_env):
    """The certificates name the recorded port: another process on it would answer for them."""
    var = fresh_env
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        (var / "signing").mkdir()
        (var / "signing" / "revocation.port").write_text(f"{holder.getsockname()[1]}\n")
        script = run_local()
        with pytest.raises(script.Refused, match="already in use"):
            script.signing_environment(var)
        assert "SIGNING_DEV_REVOCATION_URL" not in os.environ
    finally:
        holder.close()


def test_the_operators_own_settings_are_kept(fresh_env, monkeypatch):
    monkeypatch.setenv("SIGNING_PADES_LEVEL", "B-T")
    monkeypatch.setenv("SIGNING_DEV_REVOCATION_URL", "http://127.0.0.1:18790")
    monkeypatch.setenv("TSA_URL", "http://tsa.example.go.id/")
    run_local().signing_environment(fresh_env)
    assert os.environ["SIGNING_PADES_LEVEL"] == "B-T"
    assert os.environ["TSA_URL"] == "http://tsa.example.go.id/"
    assert not (fresh_env / "signing" / "revocation.port").exists()
