"""A worker keeps its PostgreSQL connection from task to task (issue 20: a new connection per
task was a third of the worker's time under load), and a connection that died between two
tasks (PostgreSQL restarted, the backend terminated) is replaced before the next task runs, so
that task succeeds as it did when every task opened its own (ptsp/celery.py)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from ptsp.celery import app
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BACKENDS: list[int] = []


@app.task(name="tests.worker_connections.backend_pid")
def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        BACKENDS.append(cursor.fetchone()[0])


def _run_one() -> int:
    count = len(BACKENDS)
    backend_pid.delay()
    assert wait_for(lambda: len(BACKENDS) > count, timeout=20), "the task did not run"
    return BACKENDS[-1]


def test_tasks_share_a_connection_and_a_dead_one_is_replaced(broker):
    broker.start()
    BACKENDS.clear()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first, second, third = _run_one(), _run_one(), _run_one()
        assert first == second == third  # one connection for the three tasks
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [third])
        assert wait_for(lambda: not _alive(third), timeout=10)
        after = _run_one()  # runs, on a new connection
        assert after != third
        assert _run_one() == after


def _alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None
