"""The document check's legal deadline (issue 18; the catalog's `legal_intake_days`): shown at
intake beside the internal budget, warned about at 3 and 1 working days before (once each), on
the monitor's at-risk list, and an acceptance after it recorded `intake_late` - never a deemed
approval (UU 30/2014 art. 53's clock starts from the complete file).

A type with an internal intake budget of 1 day and a legal one of 5, filed on a quiet Monday
weeks after the real today, the clock frozen: the legal deadline is the next Monday 16:00.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation
from django.utils.dateparse import parse_datetime

from accounts.models import User
from agencies.models import Region, RegionHoliday
from applications.models import Event, Notification, SlaNotice
from applications.services.intake import application_resubmit, application_return
from applications.sla.sweep import sla_sweep
from tests.journeys import CLINIC_DATA, VERIFIER, applicant, draft, route, submit
from tests.test_legal_deadlines import at, calendar, legal_type, quiet_monday

pytestmark = pytest.mark.django_db

MONITOR = "monitor.btg@ptsp.local"
BASIS = "PP 28/2025 (nilai uji)"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ptype(demo):
    return legal_type(legal_intake_days=5, legal_deadline_basis=BASIS)


def filed(ptype, when):
    with time_machine.travel(when, tick=False):
        application = submit(draft(ptype, applicant(), CLINIC_DATA))
    application.refresh_from_db()
    return application


def sweep(when):
    with time_machine.travel(when, tick=False):
        return sla_sweep()


def warnings():
    """{(email, level): count}; the level from the notice's dedupe key (the subject is in the
    recipient's language)."""
    return Counter(
        (n.recipient.email, "legal_3" if ":legal_3:" in n.dedupe_key else "legal_1")
        for n in Notification.objects.filter(kind="legal_intake_warning").select_related(
            "recipient"
        )
    )


def verifiers():
    return set(
        User.objects.filter(
            memberships__role="verifier",
            memberships__is_active=True,
            memberships__agency__region__code="BTG",
        ).values_list("email", flat=True)
    )


def test_submission_sets_the_legal_deadline_beside_the_internal_one(ptype):
    monday = quiet_monday(calendar())
    application = filed(ptype, at(monday, 15, 59))  # the last minute: still Monday's receipt
    assert application.due_at == at(monday + timedelta(days=1), 16)  # internal: 1 day
    assert application.legal_intake_due_at == at(monday + timedelta(days=7), 16)  # over a weekend
    assert application.legal_state == ""  # the decision's clock has not started


def test_a_type_without_one_has_none(demo):
    monday = quiet_monday(calendar())
    application = filed(legal_type(), at(monday, 10))
    assert application.legal_intake_due_at is None


def test_warnings_at_3_and_1_working_days_before_each_once(ptype):
    monday = quiet_monday(calendar())
    application = filed(ptype, at(monday, 10))
    sweep(at(monday + timedelta(days=1), 23, 59))  # Tuesday: nothing yet
    assert warnings() == Counter()
    # Wednesday 00:00 is the 3rd working day before Monday (Wed, Thu, Fri).
    sweep(at(monday + timedelta(days=2), 0, 0))
    sweep(at(monday + timedelta(days=2), 10))
    got = warnings()
    heard = {email for email, _ in got}
    assert heard >= verifiers() | {MONITOR}
    assert all(n == 1 for n in got.values())
    assert {s for _, s in got} == {"legal_3"}
    # Friday 00:00, the working day before Monday: the last warning; the weekend adds nothing.
    sweep(at(monday + timedelta(days=4), 0, 0))
    sweep(at(monday + timedelta(days=5), 12))
    got = warnings()
    assert got[(MONITOR, "legal_1")] == 1
    assert sum(got.values()) == 2 * len(heard)
    assert set(
        SlaNotice.objects.filter(stage=f"legal_intake:{application.pk}").values_list("level")
    ) == {("legal_3",), ("legal_1",)}
    # After the deadline: nothing more, and no deemed approval.
    sweep(at(monday + timedelta(days=8), 10))
    application.refresh_from_db()
    assert sum(warnings().values()) == 2 * len(heard)
    assert application.status == "submitted" and application.deemed_at is None


def test_a_late_sweep_sends_only_the_latest_warning(ptype):
    monday = quiet_monday(calendar())
    filed(ptype, at(monday, 10))
    sweep(at(monday + timedelta(days=4), 9))  # first sweep on Friday
    assert {s for _, s in warnings()} == {"legal_1"}


def test_a_cuti_bersama_day_moves_the_deadline_and_its_warnings(ptype):
    monday = quiet_monday(calendar())
    RegionHoliday.objects.create(
        region=Region.objects.get(code="BTG"),
        date=monday + timedelta(days=3),
        name="Cuti bersama",
        kind="cuti_bersama",
    )
    application = filed(ptype, at(monday, 10))
    assert application.legal_intake_due_at == at(monday + timedelta(days=8), 16)  # Tuesday
    sweep(at(monday + timedelta(days=3), 12))  # the holiday (Thursday)
    assert {s for _, s in warnings()} == {"legal_3"}
    sweep(at(monday + timedelta(days=4), 12))  # Friday: nothing new
    assert len({s for _, s in warnings()}) == 1
    sweep(at(monday + timedelta(days=7), 0, 0))  # Monday, the working day before Tuesday
    assert len({s for _, s in warnings()}) == 2


def test_an_acceptance_after_it_records_intake_late(ptype, run_outbox):
    monday = quiet_monday(calendar())
    in_time = filed(ptype, at(monday, 10))
    late = filed(ptype, at(monday, 10, 5))
    deadline = at(monday + timedelta(days=7), 16)
    with time_machine.travel(deadline, tick=False):  # at the deadline itself: in time
        route(in_time, run_outbox)
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        route(late, run_outbox)
    assert not Event.objects.filter(application=in_time, action="intake_late").exists()
    event = Event.objects.get(application=late, action="intake_late")
    assert parse_datetime(event.data["legal_intake_deadline"]) == deadline
    assert event.data["working_days_late"] == 1
    late.refresh_from_db()
    assert late.status == "in_review" and late.deemed_at is None


def test_a_return_stops_it_and_the_answer_resumes_it_with_the_days_left(ptype):
    monday = quiet_monday(calendar())
    application = filed(ptype, at(monday, 10))
    documents = {d.requirement_code: d for d in application.documents.all()}
    with time_machine.travel(at(monday + timedelta(days=2), 10), tick=False):  # Wed, day 2
        application_return(
            application_id=application.pk,
            actor=User.objects.get(email=VERIFIER),
            verdicts={d.pk: {"verdict": "rejected", "note": "Buram"} for d in documents.values()},
        )
    application.refresh_from_db()
    assert application.legal_intake_due_at is None and application.legal_intake_days_left == 3
    from tests.journeys import replace_document

    with time_machine.travel(at(monday + timedelta(days=3), 11), tick=False):  # Thursday
        for code in documents:
            replace_document(application, code)
        application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    # 3 days left from Thursday: Fri, Mon, Tue.
    assert application.legal_intake_due_at == at(monday + timedelta(days=8), 16)


def test_the_queue_the_check_page_and_the_monitor_show_it(ptype, login, client):
    monday = quiet_monday(calendar())
    application = filed(ptype, at(monday, 10))
    due = application.legal_intake_due_at
    with time_machine.travel(at(monday + timedelta(days=3), 10), tick=False):
        login(VERIFIER)
        queue = client.get("/intake/").content.decode()
        page = client.get(f"/intake/{application.pk}/").content.decode()
        client.logout()
        login(MONITOR)
        dashboard = client.get("/monitoring/").content.decode()
    stamp = f'data-legal-intake="{int(due.timestamp())}"'
    assert stamp in queue and stamp in page
    assert 'data-risk-stage="intake"' in dashboard and application.tracking_number in dashboard
