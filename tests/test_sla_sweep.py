"""The SLA sweep: reminder, due today, overdue (agency head), badly overdue (DPMPTSP), each
exactly once under repeated, crashed and late runs."""

from collections import Counter

import pytest

from applications.models import Notification, SlaNotice
from applications.sla import sweep as sla
from applications.sla.sweep import sla_sweep
from ptsp.workdays import add_working_days
from tests.journeys import routed_at, submitted_application, wita

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(demo, run_outbox):
    # Two reviews (DINKES, DLH), 10 working days each, routed Tuesday 7 July (which does not
    # count): due Tuesday 21 July 2026, 16:00 WITA.
    return routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))


def sla_notifications():
    return Counter(
        (n.kind, n.recipient.email)
        for n in Notification.objects.filter(kind__startswith="sla_").select_related("recipient")
    )


def test_levels_in_order_each_once(routed):
    reviews = list(routed.reviews.select_related("agency", "assignee"))
    assert {r.due_at for r in reviews} == {wita(7, 21, 16)}
    assert sla_sweep(now=wita(7, 17, 9)).notices == 0
    # Monday: due on the next working day (Tuesday) -> reminder to each assignee.
    assert sla_sweep(now=wita(7, 20, 9)).notices == 2
    assert sla_sweep(now=wita(7, 20, 9, 10)).notices == 0
    assert sla_notifications() == Counter({("sla_reminder", r.assignee.email): 1 for r in reviews})
    # Tuesday morning: due today.
    assert sla_sweep(now=wita(7, 21, 9)).notices == 2
    assert sla_sweep(now=wita(7, 21, 15)).notices == 0
    # Tuesday after 16:00: overdue -> the agency heads.
    assert sla_sweep(now=wita(7, 21, 16, 1)).notices == 2
    heads = {"kepala.dinkes.btg@ptsp.local", "kepala.dlh.btg@ptsp.local"}
    got = sla_notifications()
    assert {e for (k, e) in got if k == "sla_overdue"} == heads
    # Two working days late: no escalation yet; three: the DPMPTSP monitor and signer.
    assert sla_sweep(now=wita(7, 23, 9)).notices == 0
    assert sla_sweep(now=wita(7, 24, 9)).notices == 2
    got = sla_notifications()
    assert got[("sla_escalation", "monitor.btg@ptsp.local")] == 2  # one per review
    assert got[("sla_escalation", "kepala.btg@ptsp.local")] == 2
    for _ in range(3):
        assert sla_sweep(now=wita(7, 30, 9)).notices == 0
    assert SlaNotice.objects.count() == 8
    assert all(count == 1 for (kind, _), count in got.items() if kind != "sla_escalation")


def test_worker_down_then_back_sends_each_notice_still_true_once(routed):
    # Nothing ran for two weeks; the first sweep after the restart catches up with what is true
    # now: overdue and badly overdue. "Due tomorrow" and "due today" are no longer true.
    first = sla_sweep(now=wita(7, 24, 10))
    assert first.notices == 4  # 2 levels x 2 reviews
    again = sla_sweep(now=wita(7, 24, 10, 10))
    assert again.notices == 0 and again.stages == 0
    kinds = Counter(k for (k, _e) in sla_notifications().elements())
    assert kinds["sla_reminder"] == 0 and kinds["sla_due_today"] == 0
    assert kinds["sla_overdue"] == 2
    assert SlaNotice.objects.filter(level="escalation").count() == 2


def test_only_the_reminder_true_now_is_sent(routed):
    """Issue 21 item 4: a sweep on the due day sends "due today" and not "due tomorrow" too,
    and no later sweep sends the stale one."""
    assert sla_sweep(now=wita(7, 21, 9)).notices == 2
    kinds = Counter(k for (k, _e) in sla_notifications().elements())
    assert kinds == Counter({"sla_due_today": 2})
    for now in (wita(7, 21, 10), wita(7, 21, 15, 59)):
        assert sla_sweep(now=now).notices == 0
    assert not SlaNotice.objects.filter(level="reminder").exists()
    assert sla_notifications() == Counter(
        {("sla_due_today", r.assignee.email): 1 for r in routed.reviews.select_related("assignee")}
    )


def test_crashed_sweep_rolls_back_its_notice_and_the_rerun_sends_the_rest_once(routed, monkeypatch):
    real_notify = sla.notify
    calls = {"n": 0}

    def flaky_notify(**kwargs):
        calls["n"] += 1
        created = real_notify(**kwargs)
        if calls["n"] == 3:
            raise RuntimeError("worker killed half-way")
        return created

    monkeypatch.setattr(sla, "notify", flaky_notify)
    with pytest.raises(RuntimeError):
        sla_sweep(now=wita(7, 24, 10))
    # The two notices before the crash are kept; the third was rolled back with its rows.
    assert SlaNotice.objects.count() == 2
    kept = Notification.objects.filter(kind__startswith="sla_").count()
    monkeypatch.setattr(sla, "notify", real_notify)
    assert sla_sweep(now=wita(7, 24, 10, 5)).notices == 2
    assert sla_sweep(now=wita(7, 24, 10, 10)).notices == 0
    assert SlaNotice.objects.count() == 4
    assert kept < Notification.objects.filter(kind__startswith="sla_").count()
    counts = sla_notifications()
    assert counts[("sla_escalation", "monitor.btg@ptsp.local")] == 2
    assert all(count == 1 for (kind, _), count in counts.items() if kind != "sla_escalation"), (
        counts
    )


def test_paused_review_gets_no_reminder(routed):
    import time_machine

    from applications.services.reviews import review_decide

    dinkes = routed.reviews.select_related("assignee").get(agency__code="DINKES")
    with time_machine.travel(wita(7, 9, 11), tick=False):
        review_decide(
            review_id=dinkes.pk,
            actor=dinkes.assignee,
            decision="request_revision",
            revision_items=[{"kind": "document", "key": "denah", "note": "Ukuran ruang"}],
        )
    sla_sweep(now=wita(7, 24, 10))
    assert not SlaNotice.objects.filter(stage=f"review:{dinkes.pk}").exists()
    assert SlaNotice.objects.filter(stage__startswith="review:").count() == 2  # DLH only


def test_intake_stage_reminds_the_verifiers_and_escalates(demo):
    import time_machine

    with time_machine.travel(wita(7, 6, 9), tick=False):
        application = submitted_application()
    application.due_at = add_working_days(application.region, wita(7, 6, 9), 2)  # Wed 8 July
    application.save(update_fields=["due_at"])
    assert sla_sweep(now=wita(7, 6, 10)).notices == 0  # day 0: nothing due yet
    assert sla_sweep(now=wita(7, 7, 10)).notices == 1  # due on the next working day
    assert sla_sweep(now=wita(7, 8, 10)).notices == 1  # due today
    assert sla_sweep(now=wita(7, 13, 10)).notices == 2  # overdue, 3 days late
    got = sla_notifications()
    assert got[("sla_reminder", "verifikator.btg@ptsp.local")] == 1
    assert got[("sla_due_today", "verifikator.btg@ptsp.local")] == 1
    assert got[("sla_overdue", "kepala.btg@ptsp.local")] == 1
    assert got[("sla_escalation", "monitor.btg@ptsp.local")] == 1
    assert sla_sweep(now=wita(7, 13, 11)).notices == 0


def test_sweep_reads_only_due_rows(routed, django_assert_max_num_queries):
    # Far from any deadline the sweep is a handful of queries, whatever the number of files.
    with django_assert_max_num_queries(6):
        assert sla_sweep(now=wita(7, 8, 9)).notices == 0


def test_periodic_task_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"] == "agencies.tasks.sla_sweep"


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_notice_once(demo, run_outbox):
    import threading

    from django.db import connection

    routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sla_sweep(now=wita(7, 24, 10)).notices)
        except Exception as error:  # pragma: no cover - shown in the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == 4
    assert SlaNotice.objects.count() == 4
    counts = sla_notifications()
    assert all(c == 1 for (kind, _), c in counts.items() if kind != "sla_escalation"), counts
    assert counts[("sla_escalation", "monitor.btg@ptsp.local")] == 2


def test_the_periodic_task_runs_the_sweep(routed):
    import time_machine

    from applications.tasks import sla_sweep as task

    with time_machine.travel(wita(7, 24, 10), tick=False):
        assert task() == 4
        assert task() == 0
