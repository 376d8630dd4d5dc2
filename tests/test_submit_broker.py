"""With Redis stopped a submission still succeeds within two seconds; its confirmation mail goes
out once Redis is back (the outbox), exactly once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from applications.models import Status
from outbox.models import OutboxMessage
from outbox.services import relay_pending
from ptsp.celery import app
from tests.conftest import wait_for
from tests.journeys import complete_draft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_submission_with_redis_down_mails_once_when_it_is_back(client, demo, broker):
    OutboxMessage.objects.all().delete()
    application = complete_draft()
    client.login(username="budi.santoso@example.id", password="demo-ptsp-2026")
    started = time.monotonic()
    response = client.post(reverse("applications:submit", args=[application.pk]))
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"the submission took {elapsed:.2f}s with Redis down"
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.tracking_number
    message = OutboxMessage.objects.get(task_name="applications.tasks.send_notification_email")
    assert message.dispatched_at is None and message.last_error
    mail.outbox.clear()

    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # The relay takes it (a first attempt in the instant the broker comes back may still
        # find it refusing: the relay stops at a failure and tries again on its next round).
        assert wait_for(lambda: relay_pending() >= 1, timeout=10)
        assert wait_for(
            lambda: any(application.tracking_number in m.subject for m in mail.outbox)
        ), "the confirmation mail was not sent"
        app.send_task("applications.tasks.send_notification_email", args=message.args)
        time.sleep(1.5)
    assert sum(application.tracking_number in m.subject for m in mail.outbox) == 1
