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
