"""OSS's pushes to a regional system, as the simulator makes them: receiveNIB and receiveFileDS
with a correct Token (checked by a stand-in receiver using `oss.token` and `oss.protocol`), the
refusals a wrong token or body gets, and the command line (`serve`, `push-nib`, `push-file-ds`)."""

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from oss.protocol import ReceiveFileDS, ReceiveNIB
from oss.simulator import push_receive_nib, sample_data_nib
from oss.token import oss_today
from tests.oss.conftest import PUSH_PASSWORD, PUSH_USERNAME, raw_post

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"username": PUSH_USERNAME, "password": PUSH_PASSWORD}


def test_a_push_carries_todays_token_and_a_valid_body(oss_sim, receiver):
    result = oss_sim.push_nib(receiver.nib_url, **CREDENTIALS)
    assert result.accepted, result.answer
    assert result.answer == {
        "responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}
    }
    [received] = receiver.received
    assert isinstance(received.parsed, ReceiveNIB)
    files = [p.file_dokumen for item in received.parsed.checklist for p in item.persyaratan]
    assert files and all(url.startswith(oss_sim.base_url + "/_sim/files/") for url in files)
    for url in files:  # the requirement files can be fetched where the push says
        status, body = raw_post(url, None, method="GET")
        assert status == 200 and body.startswith(b"%PDF-")
    assert oss_sim.pushes() == [result]


def test_the_pushed_checklist_becomes_known_to_the_simulated_oss(oss_sim, oss_client, receiver):
    result = oss_sim.push_nib(receiver.nib_url, kd_izin=("033000000101",), **CREDENTIALS)
    item = receiver.received[0].parsed.checklist[0]
    assert result.accepted
    assert oss_sim.izin(item.id_izin).kd_izin == "033000000101"
    assert oss_client.check_license_status(item.id_izin).ok


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"token": ""}, "missing"),
        ({"token": "0" * 40}, "mismatch"),
        ({"on": oss_today() - timedelta(days=1)}, "stale_date"),
        ({"password": "bukan-kata-sandinya"}, "mismatch"),
    ],
)
def test_a_push_with_a_wrong_token_is_refused_and_says_why(oss_sim, receiver, options, reason):
    credentials = {**CREDENTIALS, **{k: v for k, v in options.items() if k == "password"}}
    push = {k: v for k, v in options.items() if k != "password"}
    result = oss_sim.push_nib(receiver.nib_url, **credentials, **push)
    assert not result.accepted and result.http_status == 401
    assert result.answer["responreceiveNIB"]["status"] == "2"
    assert receiver.received[-1].refusal == reason


def test_a_push_whose_nib_has_letters_is_refused(receiver):
    data = sample_data_nib(nib="91202ABC45678")
    result = push_receive_nib(receiver.nib_url, data, **CREDENTIALS)
    assert result.http_status == 401 and receiver.received[-1].refusal == "invalid_nib"


def test_a_malformed_push_is_refused_with_the_field(receiver):
    data = sample_data_nib()
    data["data_checklist"][0]["kd_daerah"] = "64740"
    result = push_receive_nib(receiver.nib_url, data, **CREDENTIALS)
    assert result.http_status == 400 and not result.accepted
    assert "dataNIB.data_checklist[0].kd_daerah" in result.keterangan
    result = push_receive_nib(receiver.nib_url, data, **CREDENTIALS, raw_body=b"{broken")
    assert result.http_status == 400 and "not JSON" in result.keterangan


def test_receive_file_ds_push(oss_sim, receiver, known_izin):
    result = oss_sim.push_file_ds(
        receiver.file_ds_url, id_izin=known_izin["id_izin"], **CREDENTIALS
    )
    assert result.accepted
    assert result.answer["responreceiveFileDS"]["status"] == "1"
    parsed = receiver.received[-1].parsed
    assert isinstance(parsed, ReceiveFileDS) and parsed.nib == known_izin["nib"]
    status, body = raw_post(parsed.file_izin, None, method="GET")
    assert status == 200 and body.startswith(b"%PDF-")


def test_a_push_to_nowhere_reports_the_error(oss_sim):
    result = oss_sim.push_nib("http://127.0.0.1:9/oss/receiveNIB", timeout=1, **CREDENTIALS)
    assert result.http_status is None and result.error and not result.accepted


def _cli(*args, env=None, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "oss.simulator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_the_push_nib_command(oss_sim, receiver):
    done = _cli(
        "push-nib", "--url", receiver.nib_url, "--username", PUSH_USERNAME,
        "--kd-izin", "033000000101", "--simulator", oss_sim.base_url,
        env={"OSS_PUSH_PASSWORD": PUSH_PASSWORD},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["accepted"] is True and report["http_status"] == 200
    pushed = receiver.received[-1].parsed
    assert [item.kd_izin for item in pushed.checklist] == ["033000000101"]
    assert pushed.checklist[0].id_izin in oss_sim.snapshot()["izin"]  # registered in the simulator
    refused = _cli(
        "push-nib", "--url", receiver.nib_url, "--username", PUSH_USERNAME, "--password", "salah"
    )
    assert refused.returncode == 1 and json.loads(refused.stdout)["accepted"] is False


def test_the_push_file_ds_command(receiver, known_izin):
    done = _cli(
        "push-file-ds", "--url", receiver.file_ds_url, "--username", PUSH_USERNAME,
        "--password", PUSH_PASSWORD, "--nib", known_izin["nib"], "--id-izin", known_izin["id_izin"],
        "--file-izin", "https://oss.go.id/file/download/U1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert receiver.received[-1].parsed.file_izin == "https://oss.go.id/file/download/U1"


def test_the_serve_command_runs_until_interrupted():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "oss.simulator", "serve", "--port", str(port), "--user-key", "k-1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(process.stdout.readline())
        assert started["url"] == f"http://127.0.0.1:{port}" and len(started["nibs"]) == 2
        status, answer = raw_post(
            f"{started['url']}/v1/kl/rba/inqueryNIB",
            {"INQUERYNIB": {"nib": started["nibs"][0]}},
            {"user_key": "k-1"},
        )
        assert status == 200 and answer["responinqueryNIB"]["kode"] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
