"""gunicorn's and Celery's own log lines are JSON in production, like the application's: each
process is started for real with the project's configuration (ptsp/gunicorn_conf.py, the
`setup_logging` receiver of ptsp/celery.py) and every line it writes must parse."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_until(cmd: list[str], env: dict, marker: str, timeout: float = 60) -> tuple[str, str]:
    """Start `cmd`, wait until `marker` shows in its stderr, stop it with SIGTERM, return
    (stdout, stderr)."""
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    stderr_lines = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            stderr_lines.append(line)
            if marker in line:
                break
        else:
            pytest.fail(f"{marker!r} never appeared:\n{''.join(stderr_lines)}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        out, rest = process.communicate(timeout=60)
    stderr = "".join(stderr_lines) + rest
    assert marker in stderr, stderr
    return out, stderr


def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    for record in parsed:
        assert {"time", "level", "logger", "message"} <= set(record), record
    return parsed


def _env(**extra) -> dict:
    env = {**os.environ, "LOG_JSON": "true", "LOG_LEVEL": "INFO", **extra}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def test_gunicorn_writes_json_lines():
    port = _free_port()
    out, err = _run_until(
        [str(BIN / "gunicorn"), "ptsp.wsgi:application", "--config", "ptsp/gunicorn_conf.py"],
        _env(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", GUNICORN_THREADS="1"),
        "Booting worker",
    )
    records = _json_lines(err)
    loggers = {r["logger"] for r in records}
    assert "gunicorn.error" in loggers
    messages = " ".join(r["message"] for r in records)
    assert "Listening at" in messages and "Booting worker" in messages
    assert out.strip() == ""


def test_the_celery_worker_writes_json_lines_and_no_banner():
    # A queue of its own: this worker takes no message from anyone else's broker database.
    queue = f"log-format-{uuid.uuid4().hex[:8]}"
    out, err = _run_until(
        [
            str(BIN / "celery"),
            "-A",
            "ptsp",
            "--quiet",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        _env(),
        "ready.",
    )
    records = _json_lines(err)
    assert any(r["logger"].startswith("celery") and "ready" in r["message"] for r in records)
    # No banner; the one text line left is Celery's own "worker: Warm shutdown" print on stdout.
    assert "[config]" not in out and "[queues]" not in out
    assert [line for line in out.splitlines() if line.strip()] in (
        [],
        ["worker: Warm shutdown (MainProcess)"],
    )
