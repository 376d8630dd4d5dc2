"""`python -m bsre.simulator serve --port N`: the simulator as the demo and `make run` start it."""

import os
import subprocess
import sys
import time
from pathlib import Path

from bsre.client import BsreClient, BsreConfig, SignerIdentity
from bsre.simulator.__main__ import DEMO_SIGNERS
from bsre.simulator.server import DEFAULT_PASSWORD, DEFAULT_USERNAME
from ptsp.servers import free_port, port_open

ROOT = Path(__file__).resolve().parents[2]


def test_serve_on_a_port(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bsre.simulator",
            "serve",
            "--port",
            str(port),
            "--ca-out",
            str(tmp_path / "sim-ca.pem"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.1)
        client = BsreClient(
            BsreConfig(
                base_url=f"http://127.0.0.1:{port}",
                username=DEFAULT_USERNAME,
                password=DEFAULT_PASSWORD,
            )
        )
        statuses = [client.check_status(SignerIdentity(nik=s[0])).status for s in DEMO_SIGNERS]
        assert statuses == ["ISSUE", "EXPIRED", "REVOKE"]
        client.request_totp(SignerIdentity(nik=DEMO_SIGNERS[0][0]))
        time.sleep(1.2)  # the serve loop prints new codes every half second
        assert b"BEGIN CERTIFICATE" in (tmp_path / "sim-ca.pem").read_bytes()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"BSrE simulator on http://127.0.0.1:{port}" in output
    assert f"one-time code for {DEMO_SIGNERS[0][0]}" in output  # the demo reads it here


def _serve(port: int, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "bsre.simulator", "serve", "--port", str(port), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
        assert process.poll() is None
        time.sleep(0.1)
    return process


def test_ca_keep_makes_the_ca_once_and_reuses_it(tmp_path):
    """`make run` keeps the simulator's CA across runs: permits signed yesterday still chain."""
    kept = tmp_path / "bsre-sim-ca.pem"
    certificates = []
    for _run in range(2):
        port = free_port()
        process = _serve(port, "--ca-keep", str(kept))
        try:
            client = BsreClient(
                BsreConfig(
                    base_url=f"http://127.0.0.1:{port}",
                    username=DEFAULT_USERNAME,
                    password=DEFAULT_PASSWORD,
                )
            )
            chain = client.certificate_chain(SignerIdentity(nik=DEMO_SIGNERS[0][0]))
            certificates.append(chain[-1] if len(chain) > 1 else chain[0])
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert kept.is_file() and kept.with_suffix(".key").is_file()
    from cryptography import x509

    root = x509.load_pem_x509_certificate(kept.read_bytes())
    assert "BSrE Simulator (development)" in root.subject.rfc4514_string()
    signer_issuers = [x509.load_der_x509_certificate(c).issuer for c in certificates]
    assert signer_issuers[0] == signer_issuers[1] == root.subject
