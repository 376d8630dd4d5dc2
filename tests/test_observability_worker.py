"""End to end with a real broker and worker: the request id and user id of the request that
enqueued work appear on the worker's log lines for that task, with its task id."""

import io
import json
import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from outbox.services import breaker
from ptsp.celery import app
from ptsp.observability import context
from ptsp.observability.logging import console_handler
from tests.conftest import wait_for
from tests.journeys import submitted_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def json_log(settings):
    settings.LOGGING_CONFIG = None  # the worker must not reconfigure logging under the test
    stream = io.StringIO()
    handler = console_handler(json=True, stream=stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)
    context.clear()


def lines_of(stream, task_name):
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line.get("task_name") == task_name]


def test_a_staff_members_request_reaches_the_worker_with_user_and_tracking_number(
    client, demo, login, broker, json_log
):
    application = submitted_application()
    login("verifikator.btg@ptsp.local")
    data = {"action": "accept"}
    for document in application.documents.filter(is_current=True):
        data[f"verdict_{document.pk}"] = "accepted"
    broker.start()
    # The submission above found no broker and opened the request path's breaker; the broker
    # is here now, and this test is about what the acceptance's request carries to the worker.
    breaker.reset()
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"
    ):
        response = client.post(
            reverse("applications:intake_check", args=[application.pk]),
            data,
            HTTP_X_REQUEST_ID="accept-req-0000001",
        )
        assert response.status_code == 302
        assert wait_for(lambda: application.reviews.count() == 2)
        assert wait_for(lambda: lines_of(json_log, "agencies.tasks.route_application"), timeout=5)
    from accounts.models import User

    verifier = User.objects.get(email="verifikator.btg@ptsp.local")
    lines = lines_of(json_log, "agencies.tasks.route_application")
    for line in lines:
        assert line["request_id"] == "accept-req-0000001"
        assert line["user_id"] == str(verifier.pk)
        assert line["tracking_number"] == application.tracking_number
        assert line["task_id"].startswith("outbox-")


def test_request_context_reaches_the_worker(client, broker, settings, json_log):
    stream = json_log
    broker.start()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"
        ):
            response = client.post(
                reverse("accounts:register"),
                {
                    "full_name": "Rudi Hartono",
                    "email": "rudi@example.id",
                    "nik": "6474010101900005",
                    "phone": "081311112222",
                    "password1": "jembatan-ampera-7",
                    "password2": "jembatan-ampera-7",
                },
                HTTP_X_REQUEST_ID="register-req-000001",
            )
            assert response.status_code == 302
            assert wait_for(lambda: len(mail.outbox) == 1)
            assert wait_for(lambda: "succeeded" in stream.getvalue(), timeout=5)
    finally:
        context.clear()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    task_lines = [
        line for line in lines if line.get("task_name") == "accounts.tasks.send_welcome_email"
    ]
    assert task_lines, stream.getvalue()
    from accounts.models import User

    for line in task_lines:
        assert line["request_id"] == "register-req-000001"
        # Registration is done by an anonymous visitor: no acting user on the task's lines.
        assert "user_id" not in line
        assert line["task_id"].startswith("outbox-")
    assert User.objects.filter(email="rudi@example.id").exists()
    assert "6474010101900005" not in stream.getvalue()
    assert "rudi@example.id" not in stream.getvalue()
