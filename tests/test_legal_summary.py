"""The legal report's daily summary (issue 20 for issue 18's "Legal deadlines per agency and
month", monitoring.summary `LegalDay`): the report read from the summary equals the report
counted from the files, over summarised days and today; the refresh is idempotent; what
changes a summarised day (a late deemed approval, a review's event after the legal decision,
a holiday) has it counted again; "left undecided" holds whatever status closes a review at the
deemed approval; the migration fills the summary of the decisions already there.

Every instant is computed from the region's calendar weeks after the real today
(`quiet_monday`), never typed: the clock is frozen there.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from agencies.models import Region, RegionHoliday
from applications.models import LegalState, Review, ReviewStatus
from applications.services.reviews import review_decide
from applications.sla.legal import legal_guard
from applications.workflow import application_transition
from monitoring.models import LegalDay, SummaryState
from monitoring.selectors import legal_report, monitoring_scope
from monitoring.summary import review_days_rebuild, review_days_refresh
from ptsp.errors import Conflict
from tests import test_legal_deadlines as legal
from tests.journeys import SIGNER
from tests.test_legal_deadlines import MONITOR, accepted_file, at, calendar, legal_type

# The legal-deadline tests' fixtures: English messages, a quiet Monday weeks from today.
english = legal.english
monday = legal.monday

pytestmark = pytest.mark.django_db


def recommend_at(application, when):
    review = application.reviews.select_related("assignee").get()
    with time_machine.travel(when, tick=False):
        review_decide(review_id=review.pk, actor=review.assignee, decision="recommend", reasons="")


def sign_at(application, when):
    with time_machine.travel(when, tick=False):
        application_transition(
            application_id=application.pk,
            action="start_issuance",
            actor=User.objects.get(email=SIGNER),
        )


def working_day_after(day, n):
    cal = calendar()
    for _ in range(n):
        day = cal.next_working_day(day)
    return day


@pytest.fixture
def decided(monday, run_outbox):
    """Four DINKES files accepted on a Monday (legal deadline: UU 30/2014's 5 working days,
    the next Monday 16:00; the review's budget: 3 working days, Thursday 16:00):
    A signed on Wednesday (met); C recommended on Tuesday, signed a second after its deadline
    (late); B never reviewed and D recommended on Tuesday, both deemed approved by the sweep
    five minutes after the deadline. The report: 4 decided, 1 within the legal deadline
    (A), 3 within the internal budget (A, C, D), 1 deemed approval left undecided (B)."""
    tuesday, wednesday = working_day_after(monday, 1), working_day_after(monday, 2)
    files = {
        "A": accepted_file(legal_type(code="FP-A"), at(monday, 10), run_outbox),
        "B": accepted_file(legal_type(code="FP-B"), at(monday, 11), run_outbox),
        "C": accepted_file(legal_type(code="FP-C"), at(monday, 10, 30), run_outbox),
        "D": accepted_file(legal_type(code="FP-D"), at(monday, 12), run_outbox),
    }
    recommend_at(files["A"], at(tuesday, 10))
    recommend_at(files["C"], at(tuesday, 11))
    recommend_at(files["D"], at(tuesday, 12))
    sign_at(files["A"], at(wednesday, 10))
    deadline = files["B"].legal_due_at
    assert all(f.legal_due_at == deadline for f in files.values())
    sign_at(files["C"], deadline + timedelta(seconds=1))
    assert legal_guard(now=deadline + timedelta(minutes=5)).deemed == 2
    for application in files.values():
        application.refresh_from_db()
    assert [files[k].legal_state for k in "ABCD"] == [
        LegalState.MET,
        LegalState.DEEMED,
        LegalState.LATE,
        LegalState.DEEMED,
    ]
    SummaryState.objects.all().delete()  # the migration's backfill ran on an empty database
    LegalDay.objects.all().delete()
    return files


def scope():
    return monitoring_scope(User.objects.get(email=MONITOR))


def report(day, **period):
    """The report around `day` (a month either side, or `period`), as plain tuples."""
    start = period.get("start", day - timedelta(days=31))
    end = period.get("end", day + timedelta(days=31))
    return [
        (m.agency.code, m.month, m.decided, m.within_legal, m.within_internal, m.deemed)
        for m in legal_report(scope(), start=start, end=end)
    ]


def totals(rows, code="DINKES"):
    return tuple(sum(r[i] for r in rows if r[0] == code) for i in range(2, 6))


def live(day, **period):
    """The report counted from the files: no region summarised (restored afterwards)."""
    states = list(SummaryState.objects.all())
    SummaryState.objects.all().delete()
    rows = report(day, **period)
    SummaryState.objects.bulk_create(states)
    return rows


def refresh(now):
    with time_machine.travel(now, tick=False):
        return review_days_refresh()


def legal_rows():
    return sorted(
        LegalDay.objects.values_list(
            "agency__code", "day", "decided", "within_legal", "within_internal", "deemed"
        )
    )


def test_the_report_from_the_summary_and_today_equals_the_report_counted(decided, monday):
    counted = report(monday)
    assert totals(counted) == (4, 1, 3, 1)
    deadline_day = calendar().local(decided["B"].legal_due_at).date()
    wednesday = working_day_after(monday, 2)
    # The evening of the deadline: Wednesday is summarised, the deadline's day is today.
    refresh(at(deadline_day, 18))
    btg = Region.objects.get(code="BTG")
    assert SummaryState.objects.get(region=btg).through == deadline_day - timedelta(days=1)
    assert legal_rows() == [("DINKES", wednesday, 1, 1, 1, 0)]
    assert report(monday) == counted
    monitored = scope()
    with CaptureQueriesContext(connection) as queries:
        legal_report(monitored, start=monday, end=monday + timedelta(days=31))
    assert monitored.agencies and len(queries) == 1
    # The next morning every day is summarised.
    refresh(at(deadline_day + timedelta(days=1), 9))
    assert legal_rows() == [
        ("DINKES", wednesday, 1, 1, 1, 0),
        ("DINKES", deadline_day, 3, 0, 2, 1),
    ]
    assert report(monday) == counted == live(monday)
    # A period ending before the deadline's day, one starting on it: the same as counted.
    for period in (
        {"start": monday, "end": deadline_day - timedelta(days=1)},
        {"start": deadline_day, "end": deadline_day + timedelta(days=40)},
    ):
        assert report(monday, **period) == live(monday, **period)
    assert totals(report(monday, start=monday, end=wednesday)) == (1, 1, 1, 0)


def test_the_refresh_is_idempotent(decided, monday):
    deadline_day = calendar().local(decided["B"].legal_due_at).date()
    now = at(deadline_day + timedelta(days=2), 9)
    assert refresh(now) > 0
    rows = legal_rows()
    assert refresh(now) == 0
    with time_machine.travel(now, tick=False):
        review_days_rebuild()
        review_days_rebuild()
    assert legal_rows() == rows and len(rows) == 2


def test_a_late_deemed_approval_has_its_summarised_day_counted_again(monday, run_outbox):
    """The worker was down: the sweep deems the file three days after its deadline, with the
    deadline as the legal moment, a day already summarised."""
    application = accepted_file(legal_type(), at(monday, 10), run_outbox)
    SummaryState.objects.all().delete()
    deadline = application.legal_due_at
    deadline_day = calendar().local(deadline).date()
    late = deadline + timedelta(days=3)
    refresh(late)
    btg = Region.objects.get(code="BTG")
    assert SummaryState.objects.get(region=btg).through >= deadline_day
    assert totals(report(monday)) == (0, 0, 0, 0)
    assert legal_guard(now=late).deemed == 1
    assert SummaryState.objects.get(region=btg).through == deadline_day - timedelta(days=1)
    assert totals(report(monday)) == (1, 0, 0, 1)
    refresh(late)
    assert report(monday) == live(monday)
    assert totals(report(monday)) == (1, 0, 0, 1)


def test_a_decision_refused_after_the_deemed_approval_changes_no_summarised_day(
    decided,
    monday,
):
    """B's officer tries to recommend after B was deemed approved: refused (the deemed approval
    closed the review), nothing recorded; B's summarised day stands and B stays a deemed
    approval DINKES left undecided."""
    deadline = decided["B"].legal_due_at
    deadline_day = calendar().local(deadline).date()
    refresh(at(deadline_day + timedelta(days=2), 9))
    counted = report(monday)
    btg = Region.objects.get(code="BTG")
    through = SummaryState.objects.get(region=btg).through
    review = Review.objects.get(application=decided["B"])
    assert review.status == ReviewStatus.CLOSED_DEEMED
    with pytest.raises(Conflict):
        recommend_at(decided["B"], at(deadline_day + timedelta(days=2), 10))
    assert SummaryState.objects.get(region=btg).through == through
    assert report(monday) == counted == live(monday)
    assert totals(counted) == (4, 1, 3, 1)


def test_left_undecided_holds_whatever_status_closes_the_review_at_the_deemed_approval(
    decided,
    monday,
):
    """A deemed approval closes the still-open reviews (`closed_deemed`, dated at the deemed
    moment): the OPD still had not recommended or rejected by then, and that is not a decision
    within its budget."""
    review = Review.objects.get(application=decided["B"])
    assert review.status == ReviewStatus.CLOSED_DEEMED
    assert review.decided_at == decided["B"].deemed_at
    assert totals(live(monday)) == (4, 1, 3, 1)
    # An officer's recommendation still awaiting the head's approval is not the OPD's decision.
    Review.objects.filter(application=decided["D"]).update(status="awaiting_head_approval")
    assert totals(live(monday)) == (4, 1, 2, 2)
    deadline_day = calendar().local(decided["B"].legal_due_at).date()
    refresh(at(deadline_day + timedelta(days=1), 9))
    assert totals(report(monday)) == (4, 1, 2, 2)


def test_a_new_holiday_has_the_region_counted_again(decided, monday):
    deadline_day = calendar().local(decided["B"].legal_due_at).date()
    now = at(deadline_day + timedelta(days=2), 9)
    refresh(now)
    counted = report(monday)
    btg = Region.objects.get(code="BTG")
    with time_machine.travel(now, tick=False):
        RegionHoliday.objects.create(
            region=btg, date=deadline_day + timedelta(days=1), name="Hari jadi kota"
        )
    assert not SummaryState.objects.filter(region=btg).exists()
    assert report(monday) == counted
    refresh(now)
    assert report(monday) == counted and len(legal_rows()) == 2


def test_the_migration_summarises_the_legal_decisions_already_there(decided, monday):
    deadline_day = calendar().local(decided["B"].legal_due_at).date()
    now = at(deadline_day + timedelta(days=2), 9)
    refresh(now)
    rows, counted = legal_rows(), report(monday)
    assert len(rows) == 2 and counted == live(monday)
    with time_machine.travel(now, tick=False):
        with connection.cursor() as cursor:  # the rows' deferred FK checks, before the DROP
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        executor = MigrationExecutor(connection)
        executor.migrate([("monitoring", "0003_review_day_summary")])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("monitoring", "0004_legal_day_summary")])
    assert legal_rows() == rows
    assert report(monday) == counted
