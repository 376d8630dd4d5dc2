"""The enqueue helper with a real broker that the test stops and starts itself.

A request never fails or hangs because Redis is down, and the work runs once when it is back.
"""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from accounts.models import User
from outbox.models import OutboxMessage
from outbox.services import relay_pending
from ptsp.celery import app
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def register(client, email):
    return client.post(
        reverse("accounts:register"),
        {
            "full_name": "Rudi Hartono",
            "email": email,
            "nik": "6474010101900005",
            "phone": "081311112222",
            "password1": "jembatan-ampera-7",
            "password2": "jembatan-ampera-7",
        },
    )


def test_request_succeeds_with_broker_down_and_work_runs_once_when_it_returns(client, broker):
    client.get(reverse("accounts:register"))  # load the URLconf first: time the broker only
    started = time.monotonic()
    response = register(client, "rudi@example.id")
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"the request took {elapsed:.2f}s with the broker down"
    assert User.objects.filter(email="rudi@example.id").exists()
    message = OutboxMessage.objects.get(task_name="accounts.tasks.send_welcome_email")
    assert message.dispatched_at is None and message.attempts == 1 and message.last_error
    assert mail.outbox == []

    # The relay, while the broker is still down, changes nothing and does not hang.
    started = time.monotonic()
    assert relay_pending() == 0
    assert time.monotonic() - started < 2.0

    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert relay_pending() == 1
        assert wait_for(lambda: len(mail.outbox) == 1), "the welcome mail was not sent"
        # Relaying again, and a duplicate delivery of the same task, send nothing more.
        assert relay_pending() == 0
        app.send_task("accounts.tasks.send_welcome_email", args=message.args)
        time.sleep(1.5)
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.dispatched_at is not None


def test_with_broker_up_work_is_published_at_commit(client, broker):
    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        register(client, "rina@example.id")
        message = OutboxMessage.objects.get(task_name="accounts.tasks.send_welcome_email")
        assert message.dispatched_at is not None
        assert wait_for(lambda: len(mail.outbox) == 1)


def test_every_worker_runs_the_outbox_relay(broker, settings):
    """outbox.signals adds the relay's step to each worker as it starts (ptsp.celery knows no
    app): a worker started here has it among its steps, and its thread runs."""
    settings.OUTBOX_RELAY_IN_WORKER = True
    settings.OUTBOX_RELAY_SECONDS = 0.2
    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        relay = next(step for step in worker.steps if step.__class__.__name__ == "OutboxRelay")
        thread = relay.thread
        assert thread is not None and thread.is_alive()
    # The embedded worker leaves by a cold shutdown: its relay stops with it (a relay left
    # running would take the next test's messages from under it).
    assert not thread.is_alive()
    assert not any(t.name == "outbox-relay" and t.is_alive() for t in threading.enumerate())
