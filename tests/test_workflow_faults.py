"""Faults during the workflow: the broker down when a verifier accepts a file."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from applications.models import Status
from outbox.services import relay_pending
from ptsp.celery import app
from tests.conftest import wait_for
from tests.journeys import submitted_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_acceptance_with_redis_down_is_saved_fast_and_routed_once_when_it_returns(
    client, demo, login, broker
):
    application = submitted_application()
    login("verifikator.btg@ptsp.local")
    data = {"action": "accept"}
    for d in application.documents.filter(is_current=True):
        data[f"verdict_{d.pk}"] = "accepted"
    started = time.monotonic()
    response = client.post(reverse("applications:intake_check", args=[application.pk]), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"acceptance took {elapsed:.2f}s with the broker down"
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert application.reviews.count() == 0

    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        relay_pending()
        assert wait_for(lambda: application.reviews.count() == 2)
        relay_pending()  # nothing left to publish
        app.send_task(
            "agencies.tasks.route_application", args=[application.pk]
        )  # a duplicate delivery
        time.sleep(1.0)
    assert sorted(application.reviews.values_list("agency__code", flat=True)) == ["DINKES", "DLH"]
    assert application.events.filter(action="routed").count() == 2
