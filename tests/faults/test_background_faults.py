"""Background work under broker and worker faults, with the production timeouts (visibility
180 s, redelivery after OUTBOX_REDELIVER_SECONDS = 30 s, relay every 5 s in beat and in every
worker, a request's publish bounded at 50 ms behind a breaker). Real Redis, real workers in
their own processes, real PostgreSQL. Each test checks the counts afterwards and prints the
time to recover (docs/deploy.md, "Faults and recovery")."""

import os
import re
import signal
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from accounts.models import User
from applications import services as _services  # noqa: F401 - the services package loads
from applications.models import Application, Notification, Status
from applications.services import filing
from applications.services.intake import application_accept
from outbox.models import OutboxMessage
from outbox.services import breaker
from permits.models import Permit, StagedPermitFile
from permits.services.issuance import permit_issue
from tests.conftest import wait_for
from tests.faults.workers import Worker
from tests.journeys import CLINIC_DATA, all_accepted, draft, permit_type, recommended_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

VERIFIER = "verifikator.btg@ptsp.local"
APPLICANT = "budi.santoso@example.id"
RECOVERY_LIMIT = 60.0  # "a killed worker's tasks are delivered again within a minute"


@pytest.fixture
def var_dir(tmp_path, settings):
    """The worker's PTSP_VAR_DIR (its mail folder and media), shared with the test."""
    folder = tmp_path / "worker-var"
    (folder / "media").mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "media")},
        },
    }
    settings.MEDIA_ROOT = str(folder / "media")
    return folder


@pytest.fixture(autouse=True)
def _breaker_closed():
    breaker.reset()
    yield
    breaker.reset()


def worker(broker, var_dir, name="fault", **env) -> Worker:
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", **env}
    return Worker(broker.url, name=name, PTSP_VAR_DIR=str(var_dir), **env).start()


def draft_ready():
    return draft(permit_type(), User.objects.get(email=APPLICANT), CLINIC_DATA)


def timed(fn, **kwargs) -> float:
    started = time.monotonic()
    fn(**kwargs)
    return time.monotonic() - started


def submit(application) -> float:
    return timed(
        filing.application_submit,
        application_id=application.pk,
        actor=User.objects.get(email=APPLICANT),
    )


def accept(application) -> float:
    return timed(
        application_accept,
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(application),
    )


def mails_by_message_id(var_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in (var_dir / "mail").glob("*.log"):
        for found in re.findall(r"^Message-ID: (\S+)$", path.read_text(), flags=re.M):
            counts[found] = counts.get(found, 0) + 1
    return counts


def assert_every_mail_once(var_dir: Path) -> None:
    counts = mails_by_message_id(var_dir)
    doubled = {k: v for k, v in counts.items() if v > 1}
    assert not doubled, f"mails sent twice: {doubled}"
    unsent = Notification.objects.filter(emailed_at__isnull=True).count()
    assert unsent == 0, f"{unsent} notifications not e-mailed"


def reviews_per_file(applications) -> list[int]:
    return [Application.objects.get(pk=a.pk).reviews.count() for a in applications]


def all_routed(applications) -> bool:
    return all(count == 2 for count in reviews_per_file(applications))


def recovered(label: str, since: float, predicate, timeout: float = RECOVERY_LIMIT) -> float:
    ok = wait_for(predicate, timeout=timeout)
    took = time.monotonic() - since
    print(f"\nRECOVERY {label}: {took:.1f} s")
    assert ok, f"{label}: not recovered within {timeout:.0f} s"
    return took


def test_redis_hung_costs_a_request_no_more_than_the_publish_bound(demo, broker, var_dir):
    """Redis SIGSTOPped (its port accepts, nothing answers) during submissions and
    acceptances: each call returns within tens of milliseconds of its own work; everything is
    routed and mailed once after SIGCONT."""
    broker.start()
    drafts = [draft_ready() for _ in range(4)]
    baseline = submit(drafts[0])  # the broker answers: the cost of the work itself
    accept_baseline = accept(Application.objects.get(pk=drafts[0].pk))
    w = worker(broker, var_dir)
    try:
        # The worker up and working (it routed the first file) before Redis hangs: a booting
        # worker takes a core for seconds, and the timings below are of the request's work and
        # its publish bound, not of a CPU shared with a Celery start (CI saw 494 ms so).
        assert wait_for(lambda: all_routed(drafts[:1]), timeout=RECOVERY_LIMIT), "worker not up"
        os.kill(broker.process.pid, signal.SIGSTOP)
        try:
            submits = [submit(d) for d in drafts[1:]]
            accepts = [accept(Application.objects.get(pk=d.pk)) for d in drafts[1:]]
        finally:
            os.kill(broker.process.pid, signal.SIGCONT)
        since = time.monotonic()
        print(
            f"\nredis hung: submit {baseline * 1000:.0f} ms with the broker up, "
            f"{', '.join(f'{t * 1000:.0f}' for t in submits)} ms hung; accept "
            f"{accept_baseline * 1000:.0f} ms up, {', '.join(f'{t * 1000:.0f}' for t in accepts)} ms hung"
        )
        for took in submits:
            assert took < baseline + 0.1, f"a submission waited {took * 1000:.0f} ms on Redis"
        for took in accepts:
            assert took < accept_baseline + 0.1, f"an acceptance waited {took * 1000:.0f} ms"
        recovered("redis hung → all routed", since, lambda: all_routed(drafts))
        recovered(
            "redis hung → all mailed",
            since,
            lambda: not Notification.objects.filter(emailed_at__isnull=True).exists(),
        )
    finally:
        w.stop()
    assert reviews_per_file(drafts) == [2, 2, 2, 2]
    assert_every_mail_once(var_dir)


def test_redis_wiped_with_messages_queued_loses_nothing(demo, broker, var_dir):
    """Messages wait in Redis (no worker), then Redis restarts without its data: the
    reconciler hands them over again once OUTBOX_REDELIVER_SECONDS have passed."""
    broker.start()
    drafts = [draft_ready() for _ in range(3)]
    for d in drafts:
        submit(d)
        accept(Application.objects.get(pk=d.pk))
    handed_over = OutboxMessage.objects.filter(dispatched_at__isnull=False).count()
    assert handed_over >= 9  # in Redis, not run: no worker yet
    broker.stop()
    broker.start()  # no persistence: the queue is gone
    since = time.monotonic()
    w = worker(broker, var_dir)
    try:
        recovered("redis wiped → all routed", since, lambda: all_routed(drafts), timeout=90)
        recovered(
            "redis wiped → all mailed",
            since,
            lambda: not Notification.objects.filter(emailed_at__isnull=True).exists(),
            timeout=90,
        )
        # A mail is marked sent inside its task; the worker records the task's completion just
        # after (task_success). Wait for that too before stopping it: every message completes.
        recovered(
            "redis wiped → every message completed",
            since,
            lambda: not OutboxMessage.objects.filter(completed_at__isnull=True).exists(),
            timeout=90,
        )
    finally:
        w.stop()
    assert reviews_per_file(drafts) == [2, 2, 2]
    assert_every_mail_once(var_dir)
    assert OutboxMessage.objects.filter(completed_at__isnull=True).count() == 0


def test_beat_down_while_redis_comes_back_the_workers_relay_moves_the_work(demo, broker, var_dir):
    """Redis down during acceptances (work waits in the outbox), no beat at all: when Redis is
    back, the relay thread of the worker publishes it."""
    drafts = [draft_ready() for _ in range(3)]
    for d in drafts:
        submit(d)
        accept(Application.objects.get(pk=d.pk))
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() >= 9
    broker.start()
    since = time.monotonic()
    w = worker(broker, var_dir)
    try:
        recovered("beat down, redis back → all routed", since, lambda: all_routed(drafts))
        recovered(
            "beat down, redis back → all mailed",
            since,
            lambda: not Notification.objects.filter(emailed_at__isnull=True).exists(),
        )
    finally:
        w.stop()
    assert_every_mail_once(var_dir)


def test_worker_killed_between_storing_the_permit_and_committing(
    demo, broker, var_dir, signing_cert
):
    """The worker has signed and stored the file (its staged row committed) and waits for the
    application's row lock to commit: SIGKILL. The restarted worker issues the same permit
    once, the dead attempt's file is removed, and storage holds exactly one file."""
    broker.start()
    application = recommended_application()
    blocker = connections.create_connection("default")
    cursor = blocker.cursor()
    cursor.execute("BEGIN")
    cert_env = {
        "SIGNING_CERT_PATH": signing_cert.SIGNING_CERT_PATH,
        "SIGNING_CA_PATH": signing_cert.SIGNING_CA_PATH,
        "SIGNING_CERT_PASSPHRASE": signing_cert.SIGNING_CERT_PASSPHRASE,
        "SIGNING_CERT_DIR": signing_cert.SIGNING_CERT_DIR,
        "SIGNING_CERT_PER_REGION": "false",
    }
    permit = permit_issue(
        application_id=application.pk, actor=User.objects.get(email="kepala.btg@ptsp.local")
    )
    # Hold the application row: the task's final transaction blocks on it, after storing. The
    # worker starts only now, so that it cannot finish before the lock is taken.
    cursor.execute(
        "SELECT id FROM applications_application WHERE id = %s FOR UPDATE", [application.pk]
    )
    w = worker(broker, var_dir, **cert_env)
    try:

        def waiting_after_store():
            with connection.cursor() as c:
                c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                return c.fetchone()[0] > 0 and StagedPermitFile.objects.exists()

        assert wait_for(waiting_after_store, timeout=60), "the task did not reach the commit"
        w.kill()
        since = time.monotonic()
    finally:
        cursor.execute("ROLLBACK")
        blocker.close()
    files = lambda: sorted(p for p in (var_dir / "media" / "permits").rglob("*") if p.is_file())  # noqa: E731
    assert len(files()) == 1  # the dead attempt's signed copy
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUING and not permit.file

    restarted = worker(broker, var_dir, name="restarted", **cert_env)
    try:

        def valid():
            permit.refresh_from_db()
            return permit.status == Permit.Status.VALID

        recovered("worker killed mid-issuance → permit valid", since, valid)
    finally:
        restarted.stop()
    assert Permit.objects.filter(application=application).count() == 1
    assert [p.name for p in files()] == [Path(permit.file.name).name]
    assert not StagedPermitFile.objects.exists()
    assert Application.objects.get(pk=application.pk).status == Status.ISSUED
    assert application.notifications.filter(kind="issued").count() == 1


class SilentSmtp:
    """A mail server that greets and then never answers: a send hangs in the conversation."""

    def __init__(self):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.sendall(b"220 silent ESMTP\r\n")
            self.connections.append(conn)  # read nothing, answer nothing

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_worker_killed_mid_mail_sends_it_once(demo, broker, var_dir):
    """The worker is inside the SMTP conversation (claim committed, nothing delivered) when it
    is SIGKILLed. The restarted worker gets the task again (reconciler), waits for the dead
    worker's claim to expire, and sends the mail once, with its stable Message-ID."""
    broker.start()
    smtp = SilentSmtp()
    draft = draft_ready()
    w = worker(
        broker,
        var_dir,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
    )
    try:
        submit(draft)
        notification = Notification.objects.get(application=draft, kind="submitted")
        assert wait_for(
            lambda: (
                Notification.objects.filter(
                    pk=notification.pk, email_claimed_at__isnull=False
                ).exists()
                and smtp.connections
            ),
            timeout=60,
        ), "the mail task did not reach the mail server"
        w.kill()
        since = time.monotonic()
    finally:
        smtp.close()
    assert not mails_by_message_id(var_dir)
    restarted = worker(broker, var_dir, name="restarted")  # mail to files: the server is back
    try:
        recovered(
            "worker killed mid-mail → mail sent",
            since,
            lambda: Notification.objects.filter(
                pk=notification.pk, emailed_at__isnull=False
            ).exists(),
            timeout=120,
        )
    finally:
        restarted.stop()
    assert mails_by_message_id(var_dir).get(f"<notification-{notification.pk}@ptsp.local>") == 1
    assert_every_mail_once(var_dir)
