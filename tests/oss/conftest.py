"""Fixtures of the OSS contract tests: a real simulator on a free port, a client for it, and a
stand-in regional receiver for OSS's pushes. No database: these tests are plain HTTP."""

import http.client
import json
from pathlib import Path

import pytest

from oss.client import OssClient
from oss.simulator import OssSimulator
from tests.oss.receiver import RegionReceiver

DATA = Path(__file__).parent / "data"

#: The credentials a region agreed with OSS, for the tests' pushes (test values, not secrets).
PUSH_USERNAME = "bontang-ptsp"
PUSH_PASSWORD = "kata-sandi-uji"


@pytest.fixture
def oss_sim():
    """The simulated OSS; "slow" waits 1.5 s, three times the client's read timeout."""
    with OssSimulator(slow_seconds=1.5) as sim:
        yield sim


@pytest.fixture
def oss_client(oss_sim):
    return OssClient(oss_sim.endpoint(connect_timeout=1.0, read_timeout=0.5))


@pytest.fixture
def known_izin(oss_sim) -> dict:
    """A permit application the simulated OSS knows (the first seeded business's first item)."""
    nib = oss_sim.seeded_nibs[0]
    business = oss_sim.state.nibs[nib]
    item = business["data_checklist"][0]
    return {
        "nib": nib,
        "oss_id": business["oss_id"],
        "id_izin": item["id_izin"],
        "kd_izin": item["kd_izin"],
        "id_proyek": item["id_proyek"],
        "kd_daerah": item["kd_daerah"],
        "npwp": business["npwp_perseroan"],
    }


@pytest.fixture
def full_receive_nib() -> dict:
    """A complete receiveNIB body: every field of the guide's example, realistic values."""
    return json.loads((DATA / "receive_nib_full.json").read_text(encoding="utf-8"))


@pytest.fixture
def receiver():
    """A regional system's receiveNIB / receiveFileDS endpoint that checks token and body."""
    with RegionReceiver(username=PUSH_USERNAME, password=PUSH_PASSWORD) as server:
        yield server


def raw_post(url: str, body: object, headers: dict | None = None, *, method: str = "POST"):
    """Send `body` (JSON, or bytes as they are) without our client: (status, decoded answer)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        sent = {"Content-Type": "application/json", **(headers or {})}
        connection.request(
            method, parts.path, body=data if method == "POST" else None, headers=sent
        )
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw
    finally:
        connection.close()
