"""A worker process killed mid-issuance: after restart exactly one permit exists, valid.

A real Celery worker (prefork) on a throwaway Redis signs through a local timestamp authority
that holds its first request; the test kills the pool process while it waits there (SIGKILL,
as the OOM killer would). With acks_late and reject_on_worker_lost the message goes back to the
queue, a new pool process takes it and completes the same permit.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import User
from permits.models import Permit, PermitCounter
from permits.services.issuance import permit_issue
from permits.verification import check_file
from ptsp.celery import app
from ptsp.servers import RedisServer
from tests.journeys import recommended_application
from tests.signing_fixtures import LocalTsa

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


def _point_celery_at(settings, monkeypatch, url: str) -> None:
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.config_from_object("django.conf:settings", namespace="CELERY", force=True)
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_worker_killed_mid_issuance_leaves_one_valid_permit(
    demo, signing_cert, settings, monkeypatch, tmp_path
):
    tsa = LocalTsa(signing_cert.SIGNING_CA_PATH, first_delay=30)
    broker = RedisServer().start()
    old_url = settings.CELERY_BROKER_URL
    _point_celery_at(settings, monkeypatch, broker.url)
    settings.OUTBOX_PUBLISH_ON_COMMIT = True
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker.url,
        "SIGNING_CERT_PATH": signing_cert.SIGNING_CERT_PATH,
        "SIGNING_CA_PATH": signing_cert.SIGNING_CA_PATH,
        "SIGNING_CERT_PASSPHRASE": signing_cert.SIGNING_CERT_PASSPHRASE,
        # the test's empty folder, never a developer's var/signing/regions
        "SIGNING_CERT_DIR": signing_cert.SIGNING_CERT_DIR,
        # the deployment's certificate signs for every region, as in the test process
        "SIGNING_CERT_PER_REGION": "false",
        "TSA_URL": tsa.url,
        "SITE_URL": signing_cert.SITE_URL,
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "ptsp",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        application = recommended_application()
        permit = permit_issue(
            application_id=application.pk, actor=User.objects.get(email="kepala.btg@ptsp.local")
        )
        # The pool process is now inside the signature, waiting for the timestamp.
        assert tsa.received.wait(timeout=60), "the worker never reached the signing step"
        pool = _children(worker.pid)
        assert pool, "no pool process"
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        permit.refresh_from_db()
        assert permit.status == Permit.Status.ISSUING and not permit.file

        assert _wait_for(
            lambda: Permit.objects.filter(pk=permit.pk, status=Permit.Status.VALID).exists(),
            timeout=60,
        ), "the redelivered task did not complete the permit"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        tsa.stop()
        broker.stop()
        _point_celery_at(settings, monkeypatch, old_url)

    assert Permit.objects.count() == 1
    assert PermitCounter.objects.get().last_value == 1
    permit.refresh_from_db()
    application.refresh_from_db()
    assert application.status == "issued"
    assert application.events.filter(action="issue").count() == 1
    with permit.file.open("rb") as f:
        report = check_file(f.read(), permit=permit)
    assert report.ok and report.signature.timestamped, report
    assert tsa.arrivals >= 2  # the killed attempt and the one that completed
