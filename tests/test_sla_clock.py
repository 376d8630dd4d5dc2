"""Stage clocks from the event log: the running and paused clock, "day N of M at <agency>"."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.demo import minimal_pdf
from applications.services.reviews import review_decide
from applications.services.revisions import revision_answer
from applications.sla.clock import current_stages, stage_clocks, stage_clocks_for
from tests.journeys import replace_document, routed_at, wita

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# July 2026 has no national holiday before the 17th of August.


@pytest.fixture
def routed(demo, run_outbox):
    return routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))


def by_key(clocks):
    return {c.kind if c.kind != "review" else c.agency_name: c for c in clocks}


def test_intake_and_running_review_clocks(routed):
    clocks = by_key(stage_clocks(routed, now=wita(7, 16, 9)))
    intake = clocks["intake"]
    # Received Monday the 6th (which does not count), accepted Tuesday: 1 day used.
    assert intake.state == "done" and intake.used == 1 and intake.budget == 2
    assert intake.days_late == 0
    dlh = clocks["Dinas Lingkungan Hidup"]
    assert dlh.state == "running"
    # Routed on the 7th: day 1 is the 8th; the 16th is day 7; day 10 is the 21st.
    assert dlh.day == 7 and dlh.budget == 10
    assert dlh.deadline == wita(7, 21, 16)
    assert dlh.label == "day 7 of 10 at Dinas Lingkungan Hidup"
    assert clocks["issuance"].state == "pending"


def test_deadline_matches_the_review_due_time(routed):
    clocks = by_key(stage_clocks(routed, now=wita(7, 8, 9)))
    for review in routed.reviews.select_related("agency"):
        assert clocks[review.agency.name].deadline == review.due_at


def test_paused_clock_while_revision_requested_and_carried_over(routed):
    dinkes = routed.reviews.select_related("agency", "assignee").get(agency__code="DINKES")
    items = [{"kind": "document", "key": "denah", "note": "Tambahkan ukuran ruang"}]
    with time_machine.travel(wita(7, 9, 11), tick=False):
        review_decide(
            review_id=dinkes.pk,
            actor=dinkes.assignee,
            decision="request_revision",
            revision_items=items,
        )
    # While the applicant takes their time, the clock stands still at 2 days used.
    for now in (wita(7, 10, 9), wita(7, 13, 15)):
        clock = by_key(stage_clocks(routed, now=now))[dinkes.agency.name]
        assert clock.state == "paused" and clock.used == 2
        assert clock.paused == [(wita(7, 9, 11), None)]
        assert "waiting for the applicant" in clock.label
        assert clock.days_late == 0
    with time_machine.travel(wita(7, 14, 10), tick=False):
        replace_document(routed, "denah", minimal_pdf(b"revised"))
        revision_answer(review_id=dinkes.pk, actor=routed.applicant, note="Sudah")
    dinkes.refresh_from_db()
    clock = by_key(stage_clocks(routed, now=wita(7, 16, 9)))[dinkes.agency.name]
    assert clock.paused == [(wita(7, 9, 11), wita(7, 14, 10))]
    assert clock.state == "running" and clock.day == 4
    assert clock.label.startswith("day 4 of 10 at Dinas Kesehatan")
    # 8 days were left on the 9th (the 8th and the 9th were used); the answer on the 14th is a
    # new receipt, so they count again from the 15th and end on the 24th.
    assert clock.deadline == dinkes.due_at == wita(7, 24, 16)
    # Finished late: 2 working days past the deadline.
    with time_machine.travel(wita(7, 28, 10), tick=False):
        review_decide(review_id=dinkes.pk, actor=dinkes.assignee, decision="recommend")
    clock = by_key(stage_clocks(routed, now=wita(7, 29, 9)))[dinkes.agency.name]
    assert clock.state == "done" and clock.days_late == 2 and clock.used == 12
    assert not clock.on_time


def test_returned_file_pauses_the_intake_clock(demo, run_outbox):
    from accounts.models import User
    from applications.services.intake import application_resubmit, application_return
    from ptsp.workdays import add_working_days
    from tests.journeys import submitted_application

    verifier = User.objects.get(email="verifikator.btg@ptsp.local")
    with time_machine.travel(wita(7, 6, 9), tick=False):
        application = submitted_application()
        # As the filing service does at submission: the intake clock starts.
        application.due_at = add_working_days(application.region, wita(7, 6, 9), 2)
        application.save(update_fields=["due_at"])
    docs = list(application.documents.filter(is_current=True))
    verdicts = {d.pk: {"verdict": "accepted"} for d in docs}
    verdicts[docs[0].pk] = {"verdict": "rejected", "note": "Buram"}
    with time_machine.travel(wita(7, 6, 14), tick=False):
        application_return(application_id=application.pk, actor=verifier, verdicts=verdicts)
    clock = stage_clocks(application, now=wita(7, 10, 9))[0]
    assert clock.kind == "intake" and clock.state == "paused" and clock.used == 0
    with time_machine.travel(wita(7, 13, 9), tick=False):
        replace_document(application, docs[0].requirement_code)
        application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    clock = stage_clocks(application, now=wita(7, 14, 9))[0]
    # Returned on its day of receipt: both days were left; resubmitted on the 13th, day 1 is
    # the 14th and day 2 the 15th.
    assert clock.state == "running" and clock.day == 1 and clock.budget == 2
    assert clock.deadline == application.due_at == wita(7, 15, 16)
    assert clock.label.startswith("day 1 of 2 at ")


def test_current_stages_are_the_parallel_reviews(routed):
    current = current_stages(stage_clocks(routed, now=wita(7, 8, 9)))
    assert sorted(c.agency_name for c in current) == [
        "Dinas Kesehatan",
        "Dinas Lingkungan Hidup",
    ]


def test_clock_queries_are_fixed_whatever_the_number_of_files(demo, run_outbox):
    from applications.models import Application

    before = set(Application.objects.values_list("pk", flat=True))  # the demo's own files
    first = routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    mine = Application.objects.exclude(pk__in=before)
    stage_clocks_for(mine, now=wita(7, 8, 9))  # warm the holiday cache
    with CaptureQueriesContext(connection) as one:
        stage_clocks_for(Application.objects.filter(pk=first.pk), now=wita(7, 8, 9))
    for _ in range(3):
        routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    with CaptureQueriesContext(connection) as four:
        clocks = stage_clocks_for(mine, now=wita(7, 8, 9))
    assert len(clocks) == 4
    assert len(four) == len(one)


def test_stage_clock_include_renders(routed, client, login):
    from django.template.loader import render_to_string
    from django.utils import translation

    from applications.sla.clock import stage_clock_context

    with translation.override("en"):
        html = render_to_string(
            "applications/_stage_clock.html", stage_clock_context(routed, now=wita(7, 16, 9))
        )
    assert "Day 7 of 10 at Dinas Lingkungan Hidup" in html


def test_applicant_page_queries_do_not_grow_with_the_file(demo, run_outbox, client, login):
    """The application page loads the file once, with its events and reviews, and derives the
    timeline and the clocks from them: a routed file with many events costs what a new one
    costs."""
    from django.urls import reverse

    from tests.journeys import submitted_application

    fresh = submitted_application()
    routed = routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))
    assert routed.events.count() > fresh.events.count() and routed.reviews.count() == 2
    login(routed.applicant.email)
    counts = []
    for application in (fresh, routed, fresh):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("applications:detail", args=[application.pk]))
        assert page.status_code == 200
        counts.append(len(queries))
    # the person, the file, its rows (events, reviews, documents: one statement)
    assert counts[1] == counts[2] <= 3, counts
    assert (
        "Dinas Lingkungan Hidup"
        in client.get(reverse("applications:detail", args=[routed.pk])).content.decode()
    )


def test_a_new_regional_holiday_moves_the_clock_at_once(routed):
    """Holidays are cached per process; adding one clears the cache."""
    from datetime import date

    from agencies.models import RegionHoliday

    before = by_key(stage_clocks(routed, now=wita(7, 16, 9)))["Dinas Lingkungan Hidup"]
    RegionHoliday.objects.create(region=routed.region, date=date(2026, 7, 13), name="Hari jadi")
    after = by_key(stage_clocks(routed, now=wita(7, 16, 9)))["Dinas Lingkungan Hidup"]
    assert (before.day, after.day) == (7, 6)
    assert after.deadline == wita(7, 22, 16)


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        # Intake budget: 2 working days.
        (wita(7, 6, 15, 14), wita(7, 8, 16)),  # Monday 15:14: days 1-2 are Tue-Wed
        (wita(7, 6, 16, 30), wita(7, 9, 16)),  # after hours: received Tuesday, due Thursday
        (wita(7, 11, 10), wita(7, 15, 16)),  # Saturday: received Monday, due Wednesday
    ],
)
def test_the_day_of_submission_does_not_count(demo, filed, due):
    """Issue 21 item 3: a file filed at 15:14 does not lose that day from its budget."""
    from tests.journeys import submitted_application

    with time_machine.travel(filed, tick=False):
        application = submitted_application()
    assert application.due_at == due
    assert stage_clocks(application, now=filed)[0].deadline == due
