"""The outbox knows when work is done (completed in the worker), hands over again what was handed
over and never completed, and gives up, logged, after its redeliveries (ADR 0003)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from applications.services.intake import application_accept
from outbox.models import OutboxMessage
from outbox.services import (
    breaker,
    publish_after_commit,
    reconcile_handed_over,
    reopen,
    unfinished_count,
)
from tests.journeys import all_accepted, submitted_application

pytestmark = pytest.mark.django_db

VERIFIER = "verifikator.btg@ptsp.local"


def accepted(run_outbox):
    application = submitted_application()
    run_outbox()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(application),
    )
    return application


def test_a_task_that_returns_marks_its_message_completed(demo, run_outbox):
    application = accepted(run_outbox)
    route = OutboxMessage.objects.get(dedupe_key=f"route:{application.pk}")
    assert route.completed_at is None
    run_outbox()
    route.refresh_from_db()
    assert route.dispatched_at is not None and route.completed_at is not None
    assert unfinished_count() == 0


def test_work_handed_over_but_lost_is_handed_over_again_and_done_once(demo, run_outbox):
    application = accepted(run_outbox)
    route = OutboxMessage.objects.get(dedupe_key=f"route:{application.pk}")
    # The broker took it, then lost it (Redis wiped): handed over, never started.
    past = timezone.now() - timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=route.pk).update(dispatched_at=past, redeliver_after=past)
    # Nothing runs it: it looks handed over.
    assert "agencies.tasks.route_application" not in run_outbox()
    assert application.reviews.count() == 0

    assert reconcile_handed_over() == 1
    assert "agencies.tasks.route_application" in run_outbox()
    assert application.reviews.count() == 2
    route.refresh_from_db()
    assert route.completed_at is not None and route.redeliveries == 1

    # A second delivery of work already done changes nothing.
    OutboxMessage.objects.filter(pk=route.pk).update(completed_at=None, redeliver_after=past)
    assert reconcile_handed_over() == 1
    run_outbox()
    assert application.reviews.count() == 2
    assert application.events.filter(action="routed").count() == 2


def test_work_not_yet_due_is_left_alone(demo, run_outbox):
    application = accepted(run_outbox)
    soon = timezone.now() + timedelta(seconds=30)
    OutboxMessage.objects.filter(dedupe_key=f"route:{application.pk}").update(
        dispatched_at=timezone.now(), redeliver_after=soon
    )
    assert reconcile_handed_over() == 0


def test_after_its_redeliveries_a_message_is_marked_failed_and_logged(
    demo, run_outbox, settings, caplog
):
    application = accepted(run_outbox)
    past = timezone.now() - timedelta(seconds=1)
    OutboxMessage.objects.filter(dedupe_key=f"route:{application.pk}").update(
        dispatched_at=past, redeliver_after=past, redeliveries=settings.OUTBOX_MAX_REDELIVERIES
    )
    assert reconcile_handed_over() == 0
    route = OutboxMessage.objects.get(dedupe_key=f"route:{application.pk}")
    assert route.failed_at is not None and "redeliveries" in route.last_error
    assert "gave up" in caplog.text


def test_a_task_that_fails_for_good_marks_its_message_failed(demo, run_outbox):
    from ptsp.celery import app

    message = OutboxMessage.objects.create(task_name="permits.tasks.issue_rejection_letter")
    message.args = [999999]  # no such application: the task raises
    message.save()
    app.tasks["permits.tasks.issue_rejection_letter"].apply(
        args=message.args, task_id=f"outbox-{message.pk}"
    )
    message.refresh_from_db()
    assert message.failed_at is not None and "DoesNotExist" in message.last_error
    assert message.completed_at is None


def test_reopen_brings_back_completed_work_and_creates_missing_work(demo, run_outbox):
    application = accepted(run_outbox)
    run_outbox()
    assert (
        reopen(
            dedupe_key=f"route:{application.pk}",
            task_name="agencies.tasks.route_application",
            args=[application.pk],
        )
        == "reopened"
    )
    assert "agencies.tasks.route_application" in run_outbox()
    assert reopen(dedupe_key="route:x", task_name="agencies.tasks.route_application") == "created"
    assert reopen(dedupe_key="route:x", task_name="agencies.tasks.route_application") == "waiting"


def test_an_open_breaker_costs_a_request_nothing(demo, settings):
    message = OutboxMessage.objects.create(task_name="agencies.tasks.route_application")
    breaker.trip(60)
    try:
        started = time.monotonic()
        assert publish_after_commit(message.pk) is False
        assert time.monotonic() - started < 0.005
    finally:
        breaker.reset()
    message.refresh_from_db()
    assert message.attempts == 0 and message.dispatched_at is None
