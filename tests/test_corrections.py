"""The applicant's correction period (issue 18 part B): the deadline on the region's calendar,
reminders halfway and one working day before (each once), the lapse or the way back to the OPD
at the end, answers at the edge, OSS 41/42/43/44, bad configuration, and the lapsed file as the
applicant sees it.

No calendar date is typed: every day is found on the region's calendar from today (a Thursday
before a weekend, a national holiday, a day made cuti bersama here), and the clock is frozen at
instants computed from those days."""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from agencies.models import Region, RegionHoliday
from applications.models import CorrectionPeriod, Event, Notification, ReviewStatus, Status
from applications.services.filing import application_withdraw
from applications.services.intake import application_resubmit, application_return
from applications.services.reviews import review_decide
from applications.services.revisions import revision_answer
from applications.sla.corrections import corrections_sweep
from catalog.models import PermitType, PermitTypeVersion
from catalog.services import correction_period_of, permit_type_publish
from oss.mapping import kd_status_for
from ptsp.errors import Conflict, DomainError
from ptsp.workdays import Calendar, national_holidays
from tests.journeys import (
    VERIFIER,
    clinic_type,
    minimal_pdf,
    replace_document,
    route,
    submitted_application,
)

pytestmark = pytest.mark.django_db

ITEMS = [{"kind": "document", "key": "denah", "note": "Tambahkan ukuran ruang"}]


# --- the calendar, from today ---------------------------------------------------------------


def calendar() -> Calendar:
    return Calendar(Region.objects.get(code="BTG"))


def today(cal: Calendar) -> date:
    return cal.local(timezone.now()).date()


def find_day(cal: Calendar, ok, *, start: date | None = None, limit: int = 800) -> date:
    day = start or today(cal) + timedelta(days=7)
    for _ in range(limit):
        if ok(day):
            return day
        day += timedelta(days=1)
    raise AssertionError("no such day on the calendar")


def at(cal: Calendar, day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=cal.tz)


def working_run(cal: Calendar, n: int, *, start: date | None = None) -> list[date]:
    """A working day followed by the n working days after it: [day of return, day 1..n]."""
    first = find_day(cal, cal.is_working_day, start=start)
    days = [first]
    for _ in range(n):
        days.append(cal.next_working_day(days[-1]))
    return days


# --- files ----------------------------------------------------------------------------------


def correction_type(*, intake=2, review=2, end="lapse") -> PermitType:
    ptype = clinic_type()
    ptype.correction_intake_days = intake
    ptype.correction_review_days = review
    ptype.correction_end = end
    ptype.full_clean()
    ptype.save()
    permit_type_publish(permit_type=ptype)
    return ptype


def verifier() -> User:
    return User.objects.get(email=VERIFIER)


def return_at(when, **kind):
    """A clinic-like file submitted and returned (the floor plan rejected) at `when`."""
    correction_type(**kind)
    with time_machine.travel(when, tick=False):
        application = submitted_application()
        documents = {d.requirement_code: d for d in application.documents.all()}
        application_return(
            application_id=application.pk,
            actor=verifier(),
            verdicts={
                documents["ktp"].pk: {"verdict": "accepted"},
                documents["denah"].pk: {"verdict": "rejected", "note": "Skala tidak terbaca"},
            },
        )
    application.refresh_from_db()
    return application


def period_of(application, review=None) -> CorrectionPeriod:
    return CorrectionPeriod.objects.get(application=application, review=review)


def kinds(application) -> Counter:
    return Counter(
        Notification.objects.filter(
            application=application, kind__startswith="correction_"
        ).values_list("kind", flat=True)
    )


# --- the deadline ---------------------------------------------------------------------------


def test_a_return_before_a_weekend_is_due_after_it(demo):
    cal = calendar()
    thursday = find_day(
        cal,
        lambda d: (
            d.weekday() == 3
            and cal.is_working_day(d)
            and cal.is_working_day(d + timedelta(days=1))
            and cal.is_working_day(d + timedelta(days=4))
        ),
    )
    application = return_at(at(cal, thursday, 10), intake=2)
    period = period_of(application)
    # Day 1 is Friday, the weekend does not count, day 2 is Monday: due Monday 16:00.
    assert period.due_at == cal.end_of_service(thursday + timedelta(days=4))
    assert period.days == 2 and period.stage == "intake" and period.end_policy == "lapse"
    notice = Notification.objects.get(application=application, kind="returned")
    assert f"{period.due_at.astimezone(cal.tz):%d-%m-%Y %H:%M}" in notice.body


def test_a_national_holiday_is_skipped(demo):
    cal = calendar()

    def before_holiday(d):
        after = d + timedelta(days=1)
        return (
            cal.is_working_day(d) and after.weekday() < 5 and after in national_holidays(after.year)
        )

    day = find_day(cal, before_holiday)
    holiday = day + timedelta(days=1)
    application = return_at(at(cal, day, 10), intake=1)
    due = period_of(application).due_at
    assert cal.local(due).date() == cal.next_working_day(day)
    assert cal.local(due).date() > holiday


def test_a_cuti_bersama_day_is_skipped_and_is_not_the_day_before(demo):
    cal = calendar()
    # A working day c between two working days: the region makes it cuti bersama.
    c = find_day(
        cal,
        lambda d: (
            cal.is_working_day(d - timedelta(days=1))
            and cal.is_working_day(d)
            and cal.is_working_day(d + timedelta(days=1))
            and d.weekday() < 4
        ),
    )
    RegionHoliday.objects.create(
        region=Region.objects.get(code="BTG"),
        date=c,
        name="Cuti bersama (uji)",
        kind=RegionHoliday.Kind.CUTI_BERSAMA,
    )
    cal = calendar()
    assert not cal.is_working_day(c)
    returned_on = c - timedelta(days=1)
    application = return_at(at(cal, returned_on, 10), intake=2)
    period = period_of(application)
    day1 = c + timedelta(days=1)
    day2 = cal.next_working_day(day1)
    assert period.due_at == cal.end_of_service(day2)
    # "One working day before" the deadline is day 1, not the cuti bersama day.
    assert period.day_before_at == at(cal, day1, 0)
    assert corrections_sweep(now=at(cal, c, 12)).reminders == 0
    assert corrections_sweep(now=at(cal, day1, 0, 1)).reminders == 1
    assert kinds(application) == Counter({"correction_reminder": 1})


def test_the_last_minute_of_service_hours(demo):
    cal = calendar()
    day, next1, next2 = working_run(cal, 2)
    # Returned at 15:59: received that day, due the next working day at 16:00.
    early = return_at(at(cal, day, 15, 59), intake=1)
    assert period_of(early).due_at == cal.end_of_service(next1)
    # Returned at 16:00: received the next working day, due the one after.
    late = return_at(at(cal, day, 16, 0), intake=1)
    assert period_of(late).due_at == cal.end_of_service(next2)


# --- answers at the edge --------------------------------------------------------------------


def test_an_answer_one_second_before_the_end_is_accepted(demo):
    cal = calendar()
    day, _d1 = working_run(cal, 1)
    application = return_at(at(cal, day, 10), intake=1)
    due = period_of(application).due_at
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        replace_document(application, "denah", minimal_pdf(b"readable"))
        application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    period = period_of(application)
    assert period.outcome == "answered" and period.closed_at is not None
    # The sweep has nothing to do with it any more.
    assert corrections_sweep(now=due + timedelta(days=3)).periods == 0


def test_an_answer_one_second_after_the_end_is_refused_and_changes_nothing(demo, english):
    cal = calendar()
    day, _d1 = working_run(cal, 1)
    application = return_at(at(cal, day, 10), intake=1)
    due = period_of(application).due_at
    replace_document(application, "denah", minimal_pdf(b"readable"))
    events = application.events.count()
    with (
        time_machine.travel(due + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError, match="correction period ended"),
    ):
        application_resubmit(application_id=application.pk, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.events.count() == events
    assert period_of(application).closed_at is None
    # Then the sweep lapses it.
    assert corrections_sweep(now=due + timedelta(seconds=2)).lapsed == 1
    application.refresh_from_db()
    assert application.status == Status.LAPSED


# --- reminders and the lapse, each once -----------------------------------------------------


def test_reminders_halfway_and_one_day_before_then_the_lapse_each_once(demo):
    cal = calendar()
    day, _d1, d2, d3, d4 = working_run(cal, 4)
    application = return_at(at(cal, day, 10), intake=4)
    period = period_of(application)
    assert period.halfway_at == cal.end_of_service(d2)
    assert period.day_before_at == at(cal, d3, 0)
    assert period.due_at == cal.end_of_service(d4)

    assert corrections_sweep(now=at(cal, d2, 15, 59)).reminders == 0
    assert corrections_sweep(now=at(cal, d2, 16)).reminders == 1
    assert corrections_sweep(now=at(cal, d2, 16, 10)).reminders == 0
    assert corrections_sweep(now=at(cal, d3, 0, 5)).reminders == 1
    assert corrections_sweep(now=at(cal, d3, 9)).reminders == 0
    assert kinds(application) == Counter({"correction_reminder": 2})
    # The deadline itself is still in time; a microsecond later the file lapses, once.
    assert corrections_sweep(now=period.due_at).lapsed == 0
    after = period.due_at + timedelta(seconds=1)
    assert corrections_sweep(now=after).lapsed == 1
    for _ in range(2):
        assert corrections_sweep(now=after + timedelta(minutes=10)).periods == 0
    application.refresh_from_db()
    assert application.status == Status.LAPSED and application.closed_at is not None
    lapse = Event.objects.get(application=application, action="lapse")
    assert lapse.from_status == Status.RETURNED and lapse.actor is None
    assert lapse.data["correction_due_at"] == period.due_at.isoformat()
    assert kinds(application) == Counter({"correction_reminder": 2, "correction_lapsed": 1})
    assert period_of(application).outcome == "lapsed"


def test_a_sweep_that_runs_late_sends_only_what_is_still_true(demo):
    cal = calendar()
    day, _d1, _d2, _d3, d4 = working_run(cal, 4)
    application = return_at(at(cal, day, 10), intake=4)
    # The worker was down until the last day: only "one day before", not "halfway" too.
    assert corrections_sweep(now=at(cal, d4, 9)).reminders == 1
    assert corrections_sweep(now=at(cal, d4, 10)).reminders == 0
    reminder = Notification.objects.get(application=application, kind="correction_reminder")
    assert "Last working day" in reminder.subject or "Hari kerja terakhir" in reminder.subject
    # Down again past the deadline: it lapses, with no further reminder.
    period = period_of(application)
    result = corrections_sweep(now=period.due_at + timedelta(days=5))
    assert (result.lapsed, result.reminders) == (1, 0)


def test_a_withdrawn_file_does_not_lapse(demo):
    cal = calendar()
    day, d1, _d2 = working_run(cal, 2)
    application = return_at(at(cal, day, 10), intake=2)
    with time_machine.travel(at(cal, d1, 10), tick=False):
        application_withdraw(
            application_id=application.pk, actor=application.applicant, reason="Batal"
        )
    result = corrections_sweep(now=period_of(application).due_at + timedelta(hours=1))
    assert (result.closed, result.lapsed) == (1, 0)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert not Event.objects.filter(application=application, action="lapse").exists()


# --- an OPD's revision request --------------------------------------------------------------


def routed_file(when, **kind):
    correction_type(**kind)
    with time_machine.travel(when, tick=False):
        application = submitted_application()
        route(application, verifier=verifier())
    return application


def ask(application, when, *, restart=False):
    review = application.reviews.select_related("assignee").get(agency__code="DINKES")
    with time_machine.travel(when, tick=False):
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="request_revision",
            revision_items=ITEMS,
            restart=restart,
        )
    review.refresh_from_db()
    return review


def test_an_unanswered_revision_request_lapses_the_file_and_closes_its_reviews(demo):
    cal = calendar()
    day, d1, _d2, d3 = working_run(cal, 3)
    application = routed_file(at(cal, day, 9), review=2, end="lapse")
    review = ask(application, at(cal, d1, 10))
    period = period_of(application, review)
    assert period.stage == "review" and period.due_at == cal.end_of_service(d3)
    assert corrections_sweep(now=period.due_at + timedelta(seconds=1)).lapsed == 1
    application.refresh_from_db()
    assert application.status == Status.LAPSED
    statuses = set(application.reviews.values_list("status", flat=True))
    assert statuses == {ReviewStatus.CANCELLED}
    # A late answer is refused (the review was closed with the file), nothing changes.
    with pytest.raises(Conflict):
        revision_answer(review_id=review.pk, actor=application.applicant, note="terlambat")


def test_back_to_the_opd_when_the_type_says_so(demo):
    cal = calendar()
    day, d1, _d2, _d3 = working_run(cal, 3)
    application = routed_file(at(cal, day, 9), review=2, end="back_to_office")
    review = ask(application, at(cal, d1, 10))
    due_before = review.due_at
    period = period_of(application, review)
    assert period.end_policy == "back_to_office"
    end = period.due_at + timedelta(minutes=5)
    assert corrections_sweep(now=end).back_to_office == 1
    review.refresh_from_db()
    application.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW
    assert application.status == Status.IN_REVIEW
    # The review's clock resumes with the days it had left when the request stopped it (42):
    # routed on `day`, stopped on day 1 (which counts as used): 9 of its 10 days left.
    routed_ev = review.events.get(action="routed")
    left = cal.days_left(start=routed_ev.at, paused_at=period.started_at, due_at=due_before)
    assert left == 9
    assert review.due_at == cal.add_working_days(end, left)
    assert Counter(
        Notification.objects.filter(kind="correction_expired").values_list(
            "recipient__email", flat=True
        )
    ) == Counter({application.applicant.email: 1, review.assignee.email: 1})
    assert Event.objects.filter(application=application, action="correction_expired").count() == 1
    assert kd_status_for("correction_expired") == "42"
    assert corrections_sweep(now=end + timedelta(days=1)).periods == 0


def test_a_re_confirmation_restarts_the_opd_clock_from_zero(demo):
    cal = calendar()
    day, _d1, _d2, d3, d4 = working_run(cal, 4)
    application = routed_file(at(cal, day, 9), review=5)
    review = ask(application, at(cal, d3, 10), restart=True)
    ask_event = Event.objects.get(application=application, action="request_revision")
    assert ask_event.data.get("restart") is True
    assert kd_status_for(ask_event.action, ask_event.data) == "43"
    assert period_of(application, review).restart
    answer_at = at(cal, d4, 11)
    with time_machine.travel(answer_at, tick=False):
        replace_document(application, "denah", minimal_pdf(b"with sizes"))
        revision_answer(review_id=review.pk, actor=application.applicant, note="Sudah")
    review.refresh_from_db()
    # The whole budget again (10 working days from the answer), not the days left.
    assert review.due_at == cal.add_working_days(answer_at, review.budget_days)
    answer_event = Event.objects.get(application=application, action="answer_revision")
    assert kd_status_for(answer_event.action, answer_event.data) == "44"


def test_a_plain_request_keeps_41_and_42(demo):
    assert kd_status_for("request_revision", {}) == "41"
    assert kd_status_for("answer_revision", {}) == "42"
    assert kd_status_for("lapse", {}) == "90"


# --- bad configuration ----------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1])
def test_a_period_under_one_day_is_refused_by_the_catalog(demo, english, days):
    ptype = clinic_type()
    versions = ptype.versions.count()
    ptype.correction_review_days = days
    with pytest.raises(ValidationError) as refused:
        ptype.full_clean()
    assert "correction_review_days" in refused.value.message_dict
    with pytest.raises(ValidationError, match="at least 1 working day"):
        permit_type_publish(permit_type=ptype)
    assert ptype.versions.count() == versions


def test_a_version_with_zero_days_refuses_the_return_and_changes_nothing(demo, english):
    application = submitted_application()
    version = application.catalog_version
    bad = PermitTypeVersion.objects.create(
        permit_type=version.permit_type,
        number=version.number + 100,
        snapshot={**version.snapshot, "correction_intake_days": 0},
    )
    type(application).objects.filter(pk=application.pk).update(catalog_version=bad)
    with pytest.raises(ValidationError):
        correction_period_of(bad.snapshot, "intake")
    documents = {d.requirement_code: d for d in application.documents.all()}
    with pytest.raises(DomainError, match="wrongly configured"):
        application_return(
            application_id=application.pk,
            actor=verifier(),
            verdicts={
                documents["ktp"].pk: {"verdict": "accepted"},
                documents["denah"].pk: {"verdict": "rejected", "note": "x"},
            },
        )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not CorrectionPeriod.objects.filter(application=application).exists()
    assert not application.events.filter(action="return").exists()


def test_a_version_from_before_the_period_gets_the_default():
    assert correction_period_of({}, "intake") == (10, "lapse")
    assert correction_period_of({"correction_end": "back_to_office"}, "review") == (
        10,
        "back_to_office",
    )
    # A return at intake always lapses at its end.
    assert correction_period_of({"correction_end": "back_to_office"}, "intake")[1] == "lapse"


# --- what the applicant sees ----------------------------------------------------------------


def test_the_deadline_and_the_lapse_are_shown_on_the_web_and_the_api(demo, login, english):
    cal = calendar()
    day, _d1 = working_run(cal, 1)
    application = return_at(at(cal, day, 10), intake=1)
    period = period_of(application)
    client = login(application.applicant.email)
    page = client.get(f"/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'id="correction-period"' in html
    assert period.due_at.astimezone(cal.tz).strftime("%H:%M") in html
    body = client.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["status"] == "returned"
    assert body["correction_due_at"] is not None

    corrections_sweep(now=period.due_at + timedelta(seconds=1))
    page = client.get(f"/applications/{application.pk}/")
    html = page.content.decode()
    assert 'id="lapsed"' in html and "status-lapsed" in html
    body = client.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["status"] == "lapsed"
    assert body["correction_due_at"] is None


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_lapse_the_file_once(demo):
    import threading

    from django.db import connection

    cal = calendar()
    day, _d1 = working_run(cal, 1)
    application = return_at(at(cal, day, 10), intake=1)
    after = period_of(application).due_at + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(corrections_sweep(now=after).lapsed)
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
    # Whichever sweep found the row locked left it; a later run finds nothing owed.
    assert sum(results) + corrections_sweep(now=after).lapsed == 1
    assert Event.objects.filter(application=application, action="lapse").count() == 1
    assert kinds(application)["correction_lapsed"] == 1


def test_the_periodic_task_runs_the_sweep(demo):
    from applications.tasks import corrections_sweep as task

    cal = calendar()
    day, _d1 = working_run(cal, 1)
    application = return_at(at(cal, day, 10), intake=1)
    with time_machine.travel(period_of(application).due_at + timedelta(minutes=1), tick=False):
        assert task() == 1
        assert task() == 0


def test_the_staff_see_the_deadline_and_the_api_takes_a_re_confirmation(demo, login, english):
    from rest_framework.test import APIClient

    from agencies.demo import DEMO_PASSWORD

    cal = calendar()
    day, _d1 = working_run(cal, 1)
    returned = return_at(at(cal, day, 10), intake=1)
    page = login(VERIFIER).get(f"/intake/{returned.pk}/").content.decode()
    assert 'id="correction-period"' in page and "application lapses" in page

    application = routed_file(timezone.now())
    review = application.reviews.select_related("assignee").get(agency__code="DINKES")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert api.login(username=review.assignee.email, password=DEMO_PASSWORD)
    response = api.post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"decision": "request_revision", "revision_items": ITEMS, "restart": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["correction_due_at"] is not None
    assert period_of(application, review).restart
    review_page = login(review.assignee.email).get(f"/reviews/{review.pk}/").content.decode()
    assert "Re-confirmation" in review_page


def test_the_sweep_reads_only_due_periods(demo, django_assert_num_queries):
    cal = calendar()
    day, d1, *_rest = working_run(cal, 4)
    for _ in range(3):
        return_at(at(cal, day, 10), intake=4)
    # Nothing is owed on day 1 morning: one query, whatever the number of open periods.
    with django_assert_num_queries(1):
        assert corrections_sweep(now=at(cal, d1, 9)).periods == 0


def test_files_waiting_before_the_deploy_get_a_period_from_now(demo):
    from io import StringIO

    from django.core.management import call_command

    cal = calendar()
    day, d1, *_rest = working_run(cal, 3)
    application = return_at(at(cal, day, 10), intake=2)
    # As a file returned before the periods existed: none open.
    CorrectionPeriod.objects.filter(application=application).delete()
    with time_machine.travel(at(cal, d1, 11), tick=False):
        out = StringIO()
        call_command("corrections_backfill", stdout=out)
        assert "opened: 1" in out.getvalue()
        call_command("corrections_backfill", stdout=StringIO())  # again: nothing new
    period = period_of(application)
    assert period.started_at == at(cal, d1, 11)
    assert period.due_at == cal.add_working_days(at(cal, d1, 11), 2)
