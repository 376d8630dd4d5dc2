"""Helpers of the inbound tests: the demo region BTG connected to a running simulator, and a
push sent through the Django test client with exactly the bytes and headers the simulator's
`push_receive_nib` sends (`json.dumps(..., ensure_ascii=False)`, `Token` of today in WIB)."""

import json
from datetime import date

from oss.models import RegionConnection
from oss.simulator.samples import KD_DAERAH_BONTANG
from oss.token import make_token, oss_today

USERNAME = "bontang-ptsp-test"
PASSWORD = "kata-sandi-uji-inbound"  # a test value, not a secret
PASSWORD_ENV = "OSS_TEST_BTG_PUSH_PASSWORD"


def connect_btg(sim, monkeypatch, **changes) -> RegionConnection:
    """The demo's BTG connection pointed at `sim`, with the test push credentials."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    connection = RegionConnection.objects.get(region__code="BTG")
    connection.base_url = sim.base_url
    connection.enabled = True
    connection.inbound_username = USERNAME
    connection.inbound_password_env = PASSWORD_ENV
    for key, value in changes.items():
        setattr(connection, key, value)
    connection.save()
    return connection


def nib_url(kd_daerah: str = KD_DAERAH_BONTANG) -> str:
    return f"/oss/{kd_daerah}/receiveNIB"


def file_ds_url(kd_daerah: str = KD_DAERAH_BONTANG) -> str:
    return f"/oss/{kd_daerah}/receiveFileDS"


def body_of(data_nib: dict) -> bytes:
    return json.dumps({"dataNIB": data_nib}, ensure_ascii=False).encode()


def push(
    client,
    data_nib: dict | None = None,
    *,
    url: str | None = None,
    raw: bytes | None = None,
    token: str | None = None,
    on: date | None = None,
    nib: str | None = None,
):
    """POST a receiveNIB as OSS does; `token=""` sends none. Returns (status, answer)."""
    body = raw if raw is not None else body_of(data_nib)
    if token is None:
        signed_nib = nib or (data_nib or {}).get("nib", "")
        token = make_token(
            username=USERNAME, password=PASSWORD, nib=signed_nib, on=on or oss_today()
        )
    headers = {"HTTP_TOKEN": token} if token else {}
    response = client.post(url or nib_url(), data=body, content_type="application/json", **headers)
    return response.status_code, response.json()


def answer_status(answer: dict, root: str = "responreceiveNIB") -> str:
    return answer[root]["status"]
