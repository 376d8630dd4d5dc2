"""The web worker answering a bank's payment killed (SIGKILL) between the payment and the file's
status change (issue 17): nothing is paid or counted, the bank's answer never comes (it records
the payment UNCONFIRMED and retries); after a restart the same receipt is recorded once, the
file moves on, and a second retry is the duplicate.

The receiver is gunicorn with the production config (one worker) on the test database. The
payment's transaction locks the bill, writes the Payment and marks the bill paid, then asks for
the application's row to move the file (`payment_confirmed`): the test holds that row, so the
worker is caught exactly there — when it is killed."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, connections

from applications.models import Application, Status
from fees.models import Bill, Payment
from fees.simulator import DEMO_BANKS, BankClient
from ptsp.servers import free_port, port_open
from tests.conftest import wait_for
from tests.faults.workers import ROOT, worker_env
from tests.journeys import applicant, demo_type, draft, recommend, route, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BANK = "BANKKALTIMTARA"
RECEIPT = "BANKKA99120200000001"


class Receiver:
    """gunicorn (ptsp/gunicorn_conf.py, one worker, one thread) in its own process group."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self) -> "Receiver":
        env = worker_env(
            "redis://127.0.0.1:1/0",  # no broker needed: nothing is published from here
            OUTBOX_PUBLISH_ON_COMMIT="false",
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="1",
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ptsp.wsgi:application",
                "--config",
                "ptsp/gunicorn_conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: port_open("127.0.0.1", self.port), timeout=60), "no receiver"
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _waiting_for_the_application() -> bool:
    """The receiver's transaction waits for the application's row, which the test holds: the
    only lock in this database anyone can wait for (whichever statement of the status change
    meets it first: the row lock, or a row that refers to the application)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        waiting = [row[0] for row in cursor.fetchall()]
    if waiting:
        print(f"\nwaiting for the application's row: {waiting[0][:200]}")
    return bool(waiting)


def test_the_receiver_killed_between_the_payment_and_the_status_change(demo):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    bill = application.bills.first()
    port = free_port()
    client = BankClient(
        target=f"http://127.0.0.1:{port}/api/h2h/v1", bank_id=BANK, secret=DEMO_BANKS[BANK]
    )

    def post():
        return client.payment(
            billing_code=bill.billing_code, amount=int(bill.total), receipt_number=RECEIPT
        )

    blocker = connections.create_connection("default")
    cursor = blocker.cursor()
    cursor.execute("BEGIN")
    cursor.execute(
        f'SELECT id FROM "{Application._meta.db_table}" WHERE id = %s FOR UPDATE',  # noqa: S608
        [application.pk],
    )
    receiver = Receiver(port).start()
    answers = []

    def bank_posts():
        try:
            answers.append(post())
        except OSError as exc:  # the connection dropped: the bank's "no answer"
            answers.append(exc)

    bank = threading.Thread(target=bank_posts)
    try:
        bank.start()
        assert wait_for(_waiting_for_the_application, timeout=60), (
            f"the payment did not reach the file's status change: {answers}"
        )
        receiver.kill()
        bank.join(30)
    finally:
        cursor.execute("ROLLBACK")
        blocker.close()
        receiver.kill()

    assert len(answers) == 1 and isinstance(answers[0], OSError), answers  # no answer came
    # The killed transaction left nothing behind: no payment, the bill unpaid, the file waiting.
    assert not Payment.objects.exists()
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.UNPAID
    application.refresh_from_db()
    assert application.status == Status.AWAITING_PAYMENT
    assert not application.events.filter(action="payment_confirmed").exists()

    restarted = Receiver(port).start()
    killed_at = time.monotonic()
    try:
        again = post()  # the bank retries the unconfirmed payment with its receipt number
        assert again.status == 200 and again.code == "00", again.body
        assert not again.body.get("duplicate")
        replay = post()
        assert replay.code == "00" and replay.body.get("duplicate") is True
    finally:
        restarted.stop()
    print(f"\nRECOVERY receiver killed mid-payment → paid: {time.monotonic() - killed_at:.1f} s")
    payment = Payment.objects.get()
    assert payment.receipt_number == RECEIPT and payment.amount == bill.total
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert application.events.filter(action="payment_confirmed").count() == 1
