"""A regional holiday added, changed or deleted after files were accepted moves their stored
deadlines (issue 18): legal clocks, open reviews, the head's approval, correction periods.

A file of a one-OPD type under UU 30/2014's default (decision 5 working days after the complete
file; review 3 days) accepted on a quiet Monday at 10:00, weeks after the real today, the clock
frozen: the legal deadline is the next Monday 16:00, the review's Thursday 16:00.
"""

import logging
import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from agencies.models import Region, RegionHoliday
from applications.models import CorrectionPeriod, LegalState
from applications.sla.holidays import deadlines_move
from tests.journeys import CLINIC_DATA, applicant, draft, submit
from tests.test_corrections import return_at
from tests.test_legal_deadlines import accepted_file, at, calendar, legal_type, quiet_monday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def running(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    application = accepted_file(legal_type(), at(monday, 10), run_outbox)
    assert application.legal_state == LegalState.RUNNING
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    review = application.reviews.get()
    assert review.due_at == at(monday + timedelta(days=3), 16)
    return application, review, monday


def holiday(day, region="BTG", kind="cuti_bersama"):
    return RegionHoliday.objects.create(
        region=Region.objects.get(code=region), date=day, name="Cuti bersama", kind=kind
    )


def test_a_holiday_added_inside_a_running_period_moves_the_deadlines_a_day_later(
    running, caplog, django_capture_on_commit_callbacks
):
    application, review, monday = running
    # A guard's schedule is set, and must be looked at again after the move.
    type(application).objects.filter(pk=application.pk).update(
        legal_next_at=at(monday + timedelta(days=4), 0)
    )
    with (
        caplog.at_level(logging.INFO, logger="ptsp.sla"),
        time_machine.travel(at(monday + timedelta(days=1), 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        holiday(monday + timedelta(days=2))  # Wednesday
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=8), 16)  # Tuesday
    assert application.legal_next_at is None
    assert review.due_at == at(monday + timedelta(days=4), 16)  # Friday
    lines = [r.getMessage() for r in caplog.records if "holiday moved deadline" in r.getMessage()]
    [line] = [line for line in lines if f"application={application.pk} " in line]
    assert f"legal={application.pk} " in line and f"review={review.pk} " in line


def test_a_holiday_after_the_deadline_or_on_a_weekend_changes_nothing(running):
    application, review, monday = running
    with time_machine.travel(at(monday + timedelta(days=1), 10), tick=False):
        holiday(monday + timedelta(days=8))  # the Tuesday after the legal deadline
        holiday(monday + timedelta(days=5))  # Saturday
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    assert review.due_at == at(monday + timedelta(days=3), 16)


def test_a_holiday_deleted_moves_the_deadlines_earlier(demo, run_outbox):
    cal = calendar()
    monday = quiet_monday(cal)
    day_off = holiday(monday + timedelta(days=2))  # Wednesday, known before the file
    application = accepted_file(legal_type(), at(monday, 10), run_outbox)
    review = application.reviews.get()
    assert application.legal_due_at == at(monday + timedelta(days=8), 16)
    assert review.due_at == at(monday + timedelta(days=4), 16)
    with time_machine.travel(at(monday + timedelta(days=1), 10), tick=False):
        day_off.delete()
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    assert review.due_at == at(monday + timedelta(days=3), 16)


def test_a_holiday_moved_to_another_date_moves_them_back(running):
    application, review, monday = running
    with time_machine.travel(at(monday + timedelta(days=1), 10), tick=False):
        day_off = holiday(monday + timedelta(days=2))
        day_off.date = monday + timedelta(days=14)  # long after every deadline
        day_off.save()
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    assert review.due_at == at(monday + timedelta(days=3), 16)
    with time_machine.travel(at(monday + timedelta(days=1), 11), tick=False):
        day_off.name = "Hari jadi kota"  # the same day: nothing moves
        day_off.save()
    application.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)


def test_another_region_is_untouched(running):
    application, review, monday = running
    with time_machine.travel(at(monday + timedelta(days=1), 10), tick=False):
        holiday(monday + timedelta(days=2), region="PLG")
    application.refresh_from_db()
    review.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    assert review.due_at == at(monday + timedelta(days=3), 16)


def test_a_deadline_already_passed_stands(running):
    """Friday: the review's deadline (Thursday 16:00) has passed; a cuti bersama declared
    late for that Thursday leaves it, but moves the legal clock still running."""
    application, review, monday = running
    with time_machine.travel(at(monday + timedelta(days=4), 10), tick=False):
        holiday(monday + timedelta(days=3))
    application.refresh_from_db()
    review.refresh_from_db()
    assert review.due_at == at(monday + timedelta(days=3), 16)
    assert application.legal_due_at == at(monday + timedelta(days=8), 16)


def test_a_deletion_never_moves_a_deadline_before_the_change(running):
    """Deadline Monday 16:00 with Wednesday off; at Monday 17:00 the Wednesday is deleted:
    counted again the deadline would be last Friday, already past: it stays."""
    application, _review, monday = running
    region = Region.objects.get(code="BTG")
    later = at(monday + timedelta(days=7), 15)
    moved = deadlines_move(
        region=region,
        old_days={monday + timedelta(days=2)},
        new_days=set(),
        changed={monday + timedelta(days=2)},
        now=later,
    )
    # Old calendar (Wednesday off): the deadline Monday 16:00 would count as day 4, and
    # counted again it becomes Friday 16:00, before `later`: kept.
    application.refresh_from_db()
    assert application.legal_due_at == at(monday + timedelta(days=7), 16)
    assert moved.kept >= 1 and moved.legal == 0


def test_an_open_correction_period_moves_with_its_reminders(demo):
    cal = calendar()
    monday = quiet_monday(cal)
    application = return_at(at(monday, 10), intake=4)
    period = CorrectionPeriod.objects.get(application=application)
    assert period.due_at == at(monday + timedelta(days=4), 16)  # Friday
    with time_machine.travel(at(monday + timedelta(days=1), 9), tick=False):
        holiday(monday + timedelta(days=3))  # Thursday
    period.refresh_from_db()
    assert period.due_at == at(monday + timedelta(days=7), 16)  # the next Monday
    assert period.day_before_at == at(monday + timedelta(days=4), 0)  # Friday
    assert period.next_at == min(
        t for t in (period.halfway_at, period.day_before_at) if t is not None
    )


def test_many_running_files_move_in_a_fixed_number_of_queries(
    running, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The move groups files by (old, new) deadline: the queries do not grow with the files.
    HOLIDAY_MOVE_FILES=10000 measures the figure in docs/sla.md (default 300, quick)."""
    application, review, monday = running
    n = int(os.environ.get("HOLIDAY_MOVE_FILES", "300"))
    model = type(application)
    copies = []
    for _ in range(n):
        copy = model.objects.get(pk=application.pk)
        copy.pk = None
        copy.tracking_number = None
        copies.append(copy)
    model.objects.bulk_create(copies, batch_size=1000)
    reviews = []
    for copy in copies:
        r = type(review)(**{f.attname: getattr(review, f.attname) for f in review._meta.fields})
        r.pk = None
        r.application_id = copy.pk
        reviews.append(r)
    type(review).objects.bulk_create(reviews, batch_size=1000)
    with (
        time_machine.travel(at(monday + timedelta(days=1), 10), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        started = time.monotonic()
        with django_assert_max_num_queries(40):
            holiday(monday + timedelta(days=2))
        seconds = time.monotonic() - started
    started = time.monotonic()
    for callback in callbacks:
        callback()
    logged = time.monotonic() - started
    print(
        f"holiday move: {n + 1} running files and their reviews in {seconds:.2f} s "
        f"(the transaction); log lines after it {logged:.2f} s"
    )
    assert model.objects.filter(legal_due_at=at(monday + timedelta(days=8), 16)).count() == n + 1
    assert type(review).objects.filter(due_at=at(monday + timedelta(days=4), 16)).count() == n + 1


def test_the_document_checks_legal_deadline_moves_too(demo):
    cal = calendar()
    monday = quiet_monday(cal)
    ptype = legal_type(code="FP-I", legal_intake_days=5, legal_deadline_basis="PP 28/2025")
    with time_machine.travel(at(monday, 10), tick=False):
        application = submit(draft(ptype, applicant(), CLINIC_DATA))
    application.refresh_from_db()
    assert application.legal_intake_due_at == at(monday + timedelta(days=7), 16)
    with time_machine.travel(at(monday + timedelta(days=1), 10), tick=False):
        holiday(monday + timedelta(days=2))
    application.refresh_from_db()
    assert application.legal_intake_due_at == at(monday + timedelta(days=8), 16)
