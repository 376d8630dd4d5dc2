"""Redis stopped while the signer signs: the signature request is saved at once (the permit is
`issuing` with its number), nothing is lost, and when Redis is back a real worker completes the
same permit exactly once; a duplicate delivery changes nothing."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from accounts.models import User
from outbox.services import relay_pending
from permits.models import Permit
from permits.services.issuance import permit_issue
from ptsp.celery import app
from tests.conftest import wait_for
from tests.journeys import recommended_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_issuance_with_redis_down_completes_once_when_it_returns(demo, signing_cert, broker):
    application = recommended_application()
    signer = User.objects.get(email="kepala.btg@ptsp.local")
    started = time.monotonic()
    permit = permit_issue(application_id=application.pk, actor=signer)
    assert time.monotonic() - started < 3.0, "signing hung on the broker"
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUING and permit.number
    number = permit.number

    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        relay_pending()

        def valid():
            permit.refresh_from_db()
            return permit.status == Permit.Status.VALID

        assert wait_for(valid, timeout=60), permit.last_error
        app.send_task("permits.tasks.issue_permit", args=[permit.pk])  # a duplicate delivery
        time.sleep(1.5)
    assert Permit.objects.filter(application=application).count() == 1
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID and permit.number == number
    assert application.notifications.filter(kind="issued").count() == 1
