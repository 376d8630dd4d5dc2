"""A worker killed (SIGKILL) in the middle of routing: after a restart, exactly one review per
agency, routed once, within a minute with the production timeouts (tests/faults/workers.py)."""

import threading
import time

import pytest
from django.db import connection, connections

from accounts.models import User
from agencies.models import Agency
from applications.services.intake import application_accept
from tests.conftest import wait_for
from tests.faults.workers import Worker
from tests.journeys import all_accepted, submitted_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_worker_killed_half_way_through_routing(demo, broker):
    broker.start()
    application = submitted_application()
    dlh = Agency.objects.get(region__code="BTG", code="DLH")

    # Hold the (application, DLH) review slot in an open transaction: the routing task creates
    # the DINKES review, then blocks inserting DLH's — half-way — until we let go.
    blocker = connections.create_connection("default")
    cursor = blocker.cursor()
    cursor.execute("BEGIN")
    accepted = threading.Event()

    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        verdicts=all_accepted(application),
    )
    cursor.execute(
        "INSERT INTO agencies_review (application_id, agency_id, status, budget_days, created_at, revision_items, reasons, letter, stage, needs_head_approval, head_note) "
        "VALUES (%s, %s, 'in_review', 1, now(), '[]', '', '', 1, false, '')",
        [application.pk, dlh.pk],
    )
    accepted.set()

    worker = Worker(broker.url).start()
    try:
        # The task is running and waiting on our row: the DINKES insert is done in its transaction.
        def task_blocked():
            with connection.cursor() as c:
                c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO \"agencies_review\"%%'"
                )
                return c.fetchone()[0] > 0

        assert wait_for(task_blocked, timeout=30), (
            "the routing task did not reach the second agency"
        )
        worker.kill()
        killed_at = time.monotonic()
    finally:
        cursor.execute("ROLLBACK")
        blocker.close()

    assert application.reviews.count() == 0  # the killed transaction left nothing behind

    restarted = Worker(broker.url, name="restarted").start()
    try:
        assert wait_for(lambda: application.reviews.count() == 2, timeout=60), (
            "routing did not complete within a minute after restart"
        )
        print(
            f"\nRECOVERY worker killed mid-routing → routed: {time.monotonic() - killed_at:.1f} s"
        )
    finally:
        restarted.stop()
    assert sorted(application.reviews.values_list("agency__code", flat=True)) == ["DINKES", "DLH"]
    assert application.events.filter(action="routed").count() == 2
