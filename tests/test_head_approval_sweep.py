"""The sweep reminds the agency head of an approval and escalates it when overdue (issue 18).

The demo's clinic permit (IOK): DLH (stage 1), then the Health Office (stage 2), whose head
approves the officer's recommendation within 2 working days. Every instant comes from the
region's calendar, weeks after the real today, and the clock is frozen there.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from agencies.models import Region, RegionHoliday
from applications.models import Notification, Review, SlaNotice
from applications.services.reviews import review_decide, review_head_decide
from applications.sla.sweep import sla_sweep
from tests.journeys import applicant, demo_type, draft, route, submit
from tests.test_legal_deadlines import at, calendar, quiet_monday

pytestmark = pytest.mark.django_db

HEAD_DINKES = "kepala.dinkes.btg@ptsp.local"
MONITOR = "monitor.btg@ptsp.local"
REASONS = "Persyaratan teknis terpenuhi."
KINDS = (
    "head_approval_reminder",
    "head_approval_due_today",
    "head_approval_overdue",
    "head_approval_escalation",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def awaiting_head(when, run_outbox) -> Review:
    """An IOK file whose DINKES officer recommends at `when` (the head's 2 days start)."""
    with time_machine.travel(when, tick=False):
        application = route(submit(draft(demo_type("BTG", "IOK"), applicant())), run_outbox)
        dlh = application.reviews.select_related("assignee").get()
        review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="recommend", reasons=REASONS)
        dinkes = application.reviews.select_related("assignee").get(agency__code="DINKES")
        review_decide(
            review_id=dinkes.pk, actor=dinkes.assignee, decision="recommend", reasons=REASONS
        )
    dinkes.refresh_from_db()
    assert dinkes.status == "awaiting_head_approval"
    return dinkes


def sent():
    return Counter(
        (n.kind, n.recipient.email)
        for n in Notification.objects.filter(kind__in=KINDS).select_related("recipient")
    )


def sweep(when):
    with time_machine.travel(when, tick=False):
        return sla_sweep()


def test_reminder_due_today_and_overdue_each_once(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    review = awaiting_head(at(monday, 10), run_outbox)
    wednesday = monday + timedelta(days=2)
    assert review.head_due_at == at(wednesday, 16)  # day 1 Tue, day 2 Wed

    sweep(at(monday, 23, 59))
    assert sent() == Counter()
    # The day before (Tuesday from 00:00): the head is reminded, once however often it runs.
    sweep(at(monday + timedelta(days=1), 0, 0))
    sweep(at(monday + timedelta(days=1), 9))
    assert sent() == Counter({("head_approval_reminder", HEAD_DINKES): 1})
    # Wednesday, the last minute of service hours: due today; the deadline itself not overdue.
    sweep(at(wednesday, 15, 59))
    sweep(at(wednesday, 16, 0))
    assert sent()[("head_approval_due_today", HEAD_DINKES)] == 1
    assert not any(k == "head_approval_overdue" for k, _ in sent())
    # One second after: the DPMPTSP's monitors are told; the head is not told again.
    sweep(at(wednesday, 16, 0, 1))
    sweep(at(wednesday, 17))
    got = sent()
    assert got[("head_approval_overdue", MONITOR)] == 1
    assert {e for k, e in got if k == "head_approval_overdue"} == {
        u.email
        for u in User.objects.filter(
            memberships__role="monitor",
            memberships__is_active=True,
            memberships__agency__kind="dpmptsp",
            memberships__agency__region__code="BTG",
        )
    }
    assert [
        n.level for n in SlaNotice.objects.filter(stage=f"head:{review.pk}").order_by("sent_at")
    ] == ["reminder", "due_today", "overdue"]
    notice = Notification.objects.get(kind="head_approval_overdue", recipient__email=MONITOR)
    assert notice.url == reverse("monitoring:file", args=[review.application_id])
    head_notice = Notification.objects.get(kind="head_approval_reminder")
    assert head_notice.url == reverse("applications:review", args=[review.pk])


def test_a_late_sweep_sends_only_what_is_still_true(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    review = awaiting_head(at(monday, 10), run_outbox)
    # The worker was down until Thursday: no reminder, no "due today", only the escalation.
    sweep(at(monday + timedelta(days=3), 9))
    got = sent()
    assert not any(k in ("head_approval_reminder", "head_approval_due_today") for k, _ in got)
    assert got[("head_approval_overdue", MONITOR)] == 1
    assert set(SlaNotice.objects.filter(stage=f"head:{review.pk}").values_list("level")) == {
        ("overdue",)
    }


def _dpmptsp(role):
    return {
        u.email
        for u in User.objects.filter(
            memberships__role=role,
            memberships__is_active=True,
            memberships__agency__kind="dpmptsp",
            memberships__agency__region__code="BTG",
        )
    }


def test_escalated_to_monitors_and_signers_from_the_third_working_day_after_once(demo, run_outbox):
    """Due Wednesday 16:00; the 3rd working day after is the next Monday (Thursday, Friday,
    Monday): the escalation is owed from its midnight, not over the weekend, and sent once."""
    cal = calendar()
    monday = quiet_monday(cal)
    review = awaiting_head(at(monday, 10), run_outbox)
    next_monday = monday + timedelta(days=7)
    sweep(at(monday + timedelta(days=2), 17))  # overdue
    sweep(at(next_monday - timedelta(days=1), 23, 59, 59))  # Sunday's last second
    assert not any(k == "head_approval_escalation" for k, _ in sent())
    sweep(at(next_monday, 0, 0))
    sweep(at(next_monday, 9))
    got = sent()
    escalated = {e for k, e in got if k == "head_approval_escalation"}
    assert escalated == _dpmptsp("monitor") | _dpmptsp("signer")
    assert _dpmptsp("signer") and all(got[("head_approval_escalation", e)] == 1 for e in escalated)
    levels = SlaNotice.objects.filter(stage=f"head:{review.pk}").order_by("sent_at")
    assert [n.level for n in levels] == ["overdue", "escalation"]
    notice = Notification.objects.filter(kind="head_approval_escalation").first()
    assert notice.url == reverse("monitoring:file", args=[review.application_id])
    assert "terlambat 3 hari kerja" in notice.body  # in the recipient's language (id)


def test_recommended_in_the_last_minute_of_service_hours_and_over_a_weekend(demo, run_outbox):
    """Thursday 15:59 is still received on Thursday: day 1 Friday, day 2 Monday; the
    reminder comes on Friday (the working day before Monday), not on Sunday."""
    cal = calendar()
    thursday = quiet_monday(cal) + timedelta(days=3)
    review = awaiting_head(at(thursday, 15, 59), run_outbox)
    monday = thursday + timedelta(days=4)
    assert review.head_due_at == at(monday, 16)
    sweep(at(thursday, 23, 59))
    assert sent() == Counter()
    sweep(at(thursday + timedelta(days=1), 0, 0))
    assert sent() == Counter({("head_approval_reminder", HEAD_DINKES): 1})
    sweep(at(thursday + timedelta(days=3), 12))  # Sunday: nothing new
    assert sum(sent().values()) == 1
    sweep(at(monday, 8))
    assert sent()[("head_approval_due_today", HEAD_DINKES)] == 1


def test_a_regional_holiday_moves_the_reminder(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    RegionHoliday.objects.create(
        region=Region.objects.get(code="BTG"),
        date=monday + timedelta(days=1),
        name="Cuti bersama",
        kind="cuti_bersama",
    )
    review = awaiting_head(at(monday, 10), run_outbox)
    thursday = monday + timedelta(days=3)
    assert review.head_due_at == at(thursday, 16)  # Tuesday is off: day 1 Wed, day 2 Thu
    sweep(at(monday + timedelta(days=1), 12))  # the holiday: nothing yet
    assert sent() == Counter()
    sweep(at(monday + timedelta(days=2), 0, 0))
    assert sent() == Counter({("head_approval_reminder", HEAD_DINKES): 1})


def test_a_decided_approval_is_not_chased(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    review = awaiting_head(at(monday, 10), run_outbox)
    with time_machine.travel(at(monday, 11), tick=False):
        review_head_decide(
            review_id=review.pk, actor=User.objects.get(email=HEAD_DINKES), decision="approve"
        )
    sweep(at(monday + timedelta(days=5), 9))
    assert sent() == Counter()


def test_the_approvals_queue_marks_overdue_ones(demo, run_outbox, login):
    cal = calendar()
    monday = quiet_monday(cal)
    review = awaiting_head(at(monday, 10), run_outbox)
    client = login(HEAD_DINKES)
    with time_machine.travel(at(monday + timedelta(days=2), 15, 59), tick=False):
        page = client.get("/reviews/approvals/").content.decode()
    assert f'data-overdue="{review.pk}"' not in page
    with time_machine.travel(at(monday + timedelta(days=2), 16, 1), tick=False):
        page = client.get("/reviews/approvals/").content.decode()
    assert f'data-overdue="{review.pk}"' in page
