"""Exactly one scheduler sends periodic work: a second one started by mistake stands by and
sends nothing, and takes over when the first stops or dies. Real Redis, real Celery beat
schedulers (ptsp.observability.scheduler.LockedScheduler)."""

import time

import pytest
import redis

from ptsp.celery import app
from ptsp.observability.scheduler import LOCK_KEY, LockedScheduler

pytestmark = pytest.mark.slow

SCHEDULE = {"probe": {"task": "outbox.tasks.relay", "schedule": 0.2}}


@pytest.fixture
def schedulers(broker, tmp_path, monkeypatch):
    broker.start()
    monkeypatch.setenv("SCHEDULER_LOCK_TTL", "1.5")
    monkeypatch.setenv("SCHEDULER_HEARTBEAT_FILE", str(tmp_path / "beat.alive"))
    old_schedule = app.conf.beat_schedule
    app.conf.beat_schedule = SCHEDULE
    made = []

    def make(name: str) -> LockedScheduler:
        scheduler = LockedScheduler(app=app, schedule_filename=str(tmp_path / f"{name}.db"))
        made.append(scheduler)
        return scheduler

    client = redis.Redis.from_url(broker.url)
    yield make, client
    for scheduler in made:
        scheduler.close()
    app.conf.beat_schedule = old_schedule


def run(scheduler, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        scheduler.tick()
        time.sleep(0.05)


def queued(client) -> int:
    return client.llen("celery")


def test_a_second_scheduler_sends_nothing_while_the_first_runs(schedulers, tmp_path):
    make, client = schedulers
    first, second = make("first"), make("second")
    first.tick()
    assert first.lock.held
    run(first, 0.7)
    sent_by_first = queued(client)
    assert sent_by_first >= 2

    # The mistaken second scheduler: ticks, but holds no lock and sends nothing.
    interval = second.tick()
    assert not second.lock.held and interval >= 1.0
    run(second, 0.7)
    assert queued(client) == sent_by_first
    assert client.get(LOCK_KEY).decode() == first.lock.owner
    assert (tmp_path / "beat.alive").exists()  # both are alive for the health check

    # The first stops cleanly: the second takes over at its next tick.
    first.close()
    run(second, 0.7)
    assert second.lock.held
    assert queued(client) > sent_by_first


def test_a_dead_schedulers_lock_expires_and_a_standby_takes_over(schedulers):
    make, client = schedulers
    first, second = make("first"), make("second")
    first.tick()
    second.tick()
    assert first.lock.held and not second.lock.held
    # The first dies (no close, no more ticks): its lock expires after SCHEDULER_LOCK_TTL.
    time.sleep(1.7)
    second.tick()
    assert second.lock.held
    # The first comes back (a paused process): it finds the lock taken and stands by.
    before = queued(client)
    run(second, 0.5)
    sent = queued(client) - before
    first.tick()
    assert not first.lock.held
    run(first, 0.5)
    assert queued(client) - before == sent


def test_with_redis_down_a_scheduler_neither_sends_nor_crashes(schedulers, broker):
    make, _client = schedulers
    scheduler = make("lonely")
    broker.stop()
    started = time.monotonic()
    interval = scheduler.tick()
    assert not scheduler.lock.held and interval >= 1.0
    assert time.monotonic() - started < 3
