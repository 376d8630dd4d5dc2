"""Legal deadlines and the fiktif-positif guard (issue 18 part A).

Every instant is computed from the region's calendar, starting weeks after the real today (a
Monday whose three following weeks have no day off), never typed: the clock is frozen there.
"""

from collections import Counter
from datetime import datetime, time, timedelta

import holidays
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from agencies.models import Agency, Region, RegionHoliday
from applications.models import Event, LegalState, Notification, SlaNotice
from applications.services.reviews import review_decide
from applications.services.revisions import revision_answer
from applications.sla.legal import legal_guard
from applications.sla.sweep import sla_sweep
from applications.workflow import Action, application_transition
from catalog.legal import UU30_DAYS
from catalog.models import FormField, PermitType, Requirement, RouteStep
from catalog.services import permit_type_publish
from oss.mapping import kd_status_for
from ptsp.errors import Conflict
from ptsp.workdays import Calendar
from tests.journeys import (
    CLINIC_DATA,
    SIGNER,
    VERIFIER,
    WITA,
    applicant,
    demo_type,
    draft,
    pay_levy,
    recommend,
    route,
    submit,
)

pytestmark = pytest.mark.django_db

HEAD = "kepala.dinkes.btg@ptsp.local"
MONITOR = "monitor.btg@ptsp.local"


def legal_type(*, code="FP-T", review_days=3, policy="signer", **legal) -> PermitType:
    """A one-OPD type (DINKES) under UU 30/2014's default unless `legal` sets sectoral days."""
    region = Region.objects.get(code="BTG")
    ptype = PermitType.objects.create(
        region=region,
        code=code,
        name_id="Izin uji fiktif positif",
        name_en="Deemed-approval test permit",
        intake_days=1,
        issuance_days=1,
        deemed_policy=policy,
        **legal,
    )
    RouteStep.objects.create(
        permit_type=ptype,
        agency=Agency.objects.get(region=region, code="DINKES"),
        review_days=review_days,
    )
    Requirement.objects.create(
        permit_type=ptype, code="ktp", name_id="KTP", name_en="ID", accepted_kinds=["pdf"]
    )
    FormField.objects.create(
        permit_type=ptype, key="jumlah_ruang", label_id="Ruang", label_en="Rooms", kind="integer"
    )
    permit_type_publish(permit_type=ptype)
    return ptype


def calendar() -> Calendar:
    return Calendar(Region.objects.get(code="BTG"))


def at(day, hh, mm=0, ss=0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=WITA)


def quiet_monday(cal: Calendar, *, after_days=21):
    """A Monday at least `after_days` from now whose next three weeks' weekdays all work."""
    day = timezone.localdate(timezone.now(), WITA) + timedelta(days=after_days)
    for _ in range(400):
        day += timedelta(days=1)
        if day.weekday() == 0 and all(
            cal.is_working_day(day + timedelta(days=n))
            for n in range(21)
            if (day + timedelta(days=n)).weekday() < 5
        ):
            return day
    raise AssertionError("no quiet Monday within a year")


def accepted_file(ptype, when, run_outbox, submitted=None):
    """A file of `ptype` submitted at `submitted` (default `when`), accepted at `when`."""
    with time_machine.travel(submitted or when, tick=False):
        application = submit(draft(ptype, applicant(), CLINIC_DATA))
    with time_machine.travel(when, tick=False):
        route(application, run_outbox, verifier=User.objects.get(email=VERIFIER))
    application.refresh_from_db()
    return application


def legal_notices():
    return Counter(
        (n.recipient.email, n.subject.split(":")[0])
        for n in Notification.objects.filter(kind="legal_warning").select_related("recipient")
    )


@pytest.fixture(autouse=True)
def english():
    """The messages and pages in English (the catalogue's source), whatever the default."""
    with translation.override("en"):
        yield


@pytest.fixture
def monday(demo):
    return quiet_monday(calendar())


# --- the catalog ---------------------------------------------------------------------------


def test_default_is_uu30_five_working_days_frozen_in_the_version(demo):
    ptype = legal_type()
    legal = ptype.versions.get().snapshot["legal"]
    assert legal["decision_days"] == UU30_DAYS == 5
    assert "UU 30/2014" in legal["basis"] and legal["policy"] == "signer"


def test_sectoral_deadlines_are_frozen_and_a_change_is_a_new_version(demo):
    ptype = legal_type(
        review_days=10, legal_review_days=12, legal_issuance_days=2, legal_deadline_basis="PP X"
    )
    assert ptype.versions.get().snapshot["legal"]["decision_days"] == 14
    ptype.legal_review_days = 15
    ptype.save()
    version = permit_type_publish(permit_type=ptype)
    assert version.number == 2 and version.snapshot["legal"]["decision_days"] == 17


@pytest.mark.parametrize(
    "values,field,words",
    [
        # Shorter than the internal budget.
        (
            {"review_days": 10, "legal_review_days": 8, "legal_issuance_days": 2},
            "legal_review_days",
            "shorter than the internal budget (10",
        ),
        (
            {"legal_intake_days": 1, "legal_review_days": 3, "legal_issuance_days": 1},
            None,
            None,
        ),
        # Only one of the two stage deadlines.
        ({"legal_review_days": 5}, "legal_issuance_days", "Set both"),
        # The internal budget does not fit UU 30/2014's five days and no sectoral deadline.
        ({"review_days": 10}, "legal_review_days", "longer than UU 30/2014"),
    ],
)
def test_a_deadline_shorter_than_the_budget_or_missing_is_refused_at_publish(
    demo, values, field, words
):
    region = Region.objects.get(code="BTG")
    review_days = values.pop("review_days", 3)
    ptype = PermitType.objects.create(
        region=region,
        code="FP-BAD",
        name_id="x",
        name_en="x",
        legal_deadline_basis="Peraturan sektoral uji",
        **values,
    )
    RouteStep.objects.create(
        permit_type=ptype,
        agency=Agency.objects.get(region=region, code="DINKES"),
        review_days=review_days,
    )
    if field is None:
        assert permit_type_publish(permit_type=ptype).number == 1
        return
    with pytest.raises(ValidationError) as refused:
        permit_type_publish(permit_type=ptype)
    assert words in " ".join(refused.value.message_dict[field])
    assert not ptype.versions.exists()  # nothing recorded


def test_full_clean_refuses_a_sectoral_deadline_without_its_basis_or_shorter_issuance(demo):
    region = Region.objects.get(code="BTG")
    ptype = PermitType(
        region=region,
        code="FP-BAD",
        name_id="x",
        name_en="x",
        issuance_days=3,
        legal_review_days=5,
        legal_issuance_days=2,
    )
    with pytest.raises(ValidationError) as refused:
        ptype.full_clean()
    errors = refused.value.message_dict
    assert "Name the regulation" in errors["legal_deadline_basis"][0]
    assert "shorter than the internal budget (3" in errors["legal_issuance_days"][0]
    # "No deemed approval" needs the law that says so.
    ptype = PermitType(
        region=region, code="FP-NONE", name_id="x", name_en="x", deemed_policy="none"
    )
    with pytest.raises(ValidationError) as refused:
        ptype.full_clean()
    assert "legal_deadline_basis" in refused.value.message_dict


# --- the clock ---------------------------------------------------------------------------------


def test_the_complete_file_starts_five_working_days_over_the_weekend(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox, submitted=at(monday, 8, 30))
    assert app.legal_state == LegalState.RUNNING
    # Received Monday (does not count); Tue..Fri and the next Monday: due Monday 16:00.
    assert app.legal_due_at == at(monday + timedelta(days=7), 16)


@pytest.mark.parametrize("minute,due_offset", [(59, 7), (60, 8)])
def test_last_minute_of_service_hours(monday, run_outbox, minute, due_offset):
    accepted = at(monday, 15) + timedelta(minutes=minute)  # 15:59 counts Monday; 16:00 not
    app = accepted_file(legal_type(), accepted, run_outbox, submitted=at(monday, 9))
    assert app.legal_due_at == at(monday + timedelta(days=due_offset), 16)


def test_a_cuti_bersama_day_is_skipped(monday, run_outbox):
    thursday = monday + timedelta(days=3)
    RegionHoliday.objects.create(
        region=Region.objects.get(code="BTG"), date=thursday, name="Cuti bersama"
    )
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    assert app.legal_due_at == at(monday + timedelta(days=8), 16)  # Tuesday
    # The 1-day warning falls on the Monday before, the 3-day one on the Wednesday (Thursday off).
    guard = lambda now: legal_guard(now=now)  # noqa: E731
    assert guard(at(monday + timedelta(days=1), 23, 59)).notices == 0
    assert guard(at(monday + timedelta(days=2), 0, 1)).notices == 1
    assert SlaNotice.objects.get().level == "legal_3"
    assert guard(at(monday + timedelta(days=4), 15)).notices == 0  # Friday: still 2 days
    assert guard(at(monday + timedelta(days=7), 0, 1)).notices == 1
    assert set(SlaNotice.objects.values_list("level", flat=True)) == {"legal_3", "legal_1"}


def test_a_national_holiday_is_skipped(demo, run_outbox):
    cal = calendar()
    start = timezone.localdate(timezone.now(), WITA) + timedelta(days=7)
    holiday = next(
        day
        for year in (start.year, start.year + 1)
        for day in sorted(holidays.country_holidays("ID", years=[year]))
        if day > start and day.weekday() < 4
    )
    before = holiday - timedelta(days=1)
    while not cal.is_working_day(before):
        before -= timedelta(days=1)
    app = accepted_file(legal_type(), at(before, 10), run_outbox)
    assert app.legal_due_at == cal.add_working_days(at(before, 10), 5)
    counted = [
        before + timedelta(days=n)
        for n in range(1, (app.legal_due_at.date() - before).days + 1)
        if cal.is_working_day(before + timedelta(days=n))
    ]
    assert len(counted) == 5 and holiday not in counted


def test_the_clock_stops_while_the_applicant_answers_a_revision(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    review = app.reviews.select_related("assignee").get()
    with time_machine.travel(at(monday + timedelta(days=2), 10), tick=False):  # Wednesday: day 2
        review_decide(
            review_id=review.pk,
            actor=review.assignee,
            decision="request_revision",
            reasons="Lengkapi KTP.",
            revision_items=[{"kind": "field", "key": "jumlah_ruang", "note": "Berapa?"}],
        )
    app.refresh_from_db()
    assert app.legal_state == LegalState.PAUSED and app.legal_days_left == 3
    # Nothing runs while paused: a sweep far past the first deadline deems nothing.
    assert legal_guard(now=at(monday + timedelta(days=14), 10)).deemed == 0
    answered = at(monday + timedelta(days=14), 11)
    with time_machine.travel(answered, tick=False):
        revision_answer(review_id=review.pk, actor=app.applicant, note="Sudah")
    app.refresh_from_db()
    assert app.legal_state == LegalState.RUNNING
    assert app.legal_due_at == calendar().add_working_days(answered, 3)


# --- the guard ---------------------------------------------------------------------------------


def test_warnings_at_three_and_one_working_days_each_once(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    due = app.legal_due_at  # next Monday 16:00
    officer = app.reviews.get().assignee.email
    assert legal_guard(now=at(monday + timedelta(days=1), 23, 59)).notices == 0
    # Wednesday 00:00 is the start of the 3rd working day before Monday.
    for _ in range(2):
        legal_guard(now=at(monday + timedelta(days=2), 0, 0))
    assert SlaNotice.objects.filter(stage=f"legal:{app.pk}").count() == 1
    got = legal_notices()
    assert {email for email, _ in got} >= {officer, HEAD, MONITOR}
    assert all(n == 1 for n in got.values())
    # Friday (over the weekend): 1 working day before; twice run, once sent.
    assert sla_sweep(now=at(monday + timedelta(days=4), 8)).legal_notices == 1
    assert sla_sweep(now=at(monday + timedelta(days=4), 8, 10)).legal_notices == 0
    assert set(SlaNotice.objects.filter(due_at=due).values_list("level", flat=True)) == {
        "legal_3",
        "legal_1",
    }


def test_a_late_sweep_sends_only_the_warning_still_true(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    # The worker was down from Tuesday to Saturday.
    assert legal_guard(now=at(monday + timedelta(days=5), 10)).notices == 1
    assert list(SlaNotice.objects.filter(stage=f"legal:{app.pk}").values_list("level", flat=True))
    assert SlaNotice.objects.get().level == "legal_1"


def test_deemed_at_the_deadline_once_dated_by_the_deadline(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    due = app.legal_due_at
    assert legal_guard(now=due).deemed == 0  # exactly at the deadline: not yet
    app.refresh_from_db()
    assert app.status == "in_review"
    # The sweep runs a week late (an outage), twice.
    late = due + timedelta(days=7)
    assert sla_sweep(now=late).deemed == 1
    assert sla_sweep(now=late + timedelta(minutes=10)).deemed == 0
    app.refresh_from_db()
    assert app.status == "recommended"
    assert app.legal_state == LegalState.DEEMED and app.deemed_at == due
    event = Event.objects.get(application=app, action=Action.DEEM_APPROVE)
    assert "UU 30/2014" in event.note and event.data["legal_deadline"] == due.isoformat()
    assert event.data["undecided_agencies"] == ["DINKES"]
    assert kd_status_for(event.action) == "57"
    told = Notification.objects.filter(kind="deemed_approved", application=app)
    assert {n.recipient.email for n in told} >= {SIGNER, HEAD, app.applicant.email}
    # The open review was closed by it; the officer's recommendation after it is refused
    # with the reason, and changes nothing.
    review = app.reviews.select_related("assignee").get()
    assert review.status == "closed_deemed" and review.decided_at == due
    with pytest.raises(Conflict, match="deemed approved by law"):
        review_decide(
            review_id=review.pk, actor=review.assignee, decision="recommend", reasons="ok"
        )
    app.refresh_from_db()
    assert app.status == "recommended" and app.legal_state == LegalState.DEEMED


def test_one_second_after_the_deadline_is_deemed(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    assert legal_guard(now=app.legal_due_at + timedelta(seconds=1)).deemed == 1


def _recommended(app):
    review = app.reviews.select_related("assignee").get()
    review_decide(review_id=review.pk, actor=review.assignee, decision="recommend", reasons="ok")
    app.refresh_from_db()
    return app


def test_a_decision_one_second_before_is_not_deemed(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    _recommended(app)
    with time_machine.travel(app.legal_due_at - timedelta(seconds=1), tick=False):
        application_transition(
            application_id=app.pk, action="start_issuance", actor=User.objects.get(email=SIGNER)
        )
    app.refresh_from_db()
    assert app.legal_state == LegalState.MET
    assert legal_guard(now=app.legal_due_at + timedelta(days=3)).deemed == 0
    assert not Event.objects.filter(application=app, action=Action.DEEM_APPROVE).exists()


def test_a_decision_one_second_after_is_recorded_late_not_undone(monday, run_outbox):
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    _recommended(app)
    # The sweep has not run yet (the worker is down) when the signer signs a second late.
    with time_machine.travel(app.legal_due_at + timedelta(seconds=1), tick=False):
        application_transition(
            application_id=app.pk, action="start_issuance", actor=User.objects.get(email=SIGNER)
        )
    app.refresh_from_db()
    assert app.status == "issuing" and app.legal_state == LegalState.LATE
    assert Event.objects.filter(application=app, action=Action.DECIDED_LATE).count() == 1
    assert legal_guard(now=app.legal_due_at + timedelta(days=1)).deemed == 0
    app.refresh_from_db()
    assert app.status == "issuing"


def test_a_type_without_deemed_approval_is_warned_never_deemed(monday, run_outbox):
    ptype = legal_type(
        policy="none", legal_deadline_basis="UU sektoral: fiktif positif dikecualikan"
    )
    app = accepted_file(ptype, at(monday, 10), run_outbox)
    assert legal_guard(now=at(monday + timedelta(days=4), 9)).notices == 1
    assert legal_guard(now=app.legal_due_at + timedelta(hours=1)).deemed == 0
    app.refresh_from_db()
    assert app.status == "in_review" and app.legal_state == LegalState.PASSED


# --- what people see ---------------------------------------------------------------------------


def test_pages_show_the_legal_deadline_and_the_monitor_the_at_risk_list(
    monday, run_outbox, client, login
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    review = app.reviews.select_related("assignee").get()
    friday = at(monday + timedelta(days=4), 9)
    with time_machine.travel(friday, tick=False):
        login(review.assignee.email)
        page = client.get(f"/reviews/{review.pk}/").content.decode()
        assert "Legal deadline" in page and "At risk of deemed approval" in page
        inbox = client.get("/reviews/inbox/").content.decode()
        assert "legal-due" in inbox
        client.logout()
        login(MONITOR)
        dashboard = client.get("/monitoring/").content.decode()
        assert (
            app.tracking_number in dashboard.split('id="legal-at-risk"')[1].split("</section>")[0]
        )


def test_report_per_opd_and_month_and_its_csv(monday, run_outbox, client, login):
    on_time = accepted_file(legal_type(), at(monday, 10), run_outbox)
    _recommended(on_time)
    with time_machine.travel(at(monday + timedelta(days=3), 10), tick=False):
        application_transition(
            application_id=on_time.pk,
            action="start_issuance",
            actor=User.objects.get(email=SIGNER),
        )
    deemed = accepted_file(legal_type(code="FP-T2"), at(monday, 11), run_outbox)
    deemed.refresh_from_db()
    legal_guard(now=deemed.legal_due_at + timedelta(minutes=5))
    from monitoring.selectors import legal_report, monitoring_scope

    scope = monitoring_scope(User.objects.get(email=MONITOR))
    start = monday - timedelta(days=31)
    end = monday + timedelta(days=31)
    rows = [r for r in legal_report(scope, start=start, end=end) if r.agency.code == "DINKES"]
    assert sum(r.decided for r in rows) == 2
    assert sum(r.within_legal for r in rows) == 1
    assert sum(r.deemed for r in rows) == 1
    login(MONITOR)
    csv_text = client.get(
        f"/monitoring/export.csv?kind=legal&start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    ).content.decode()
    assert csv_text.splitlines()[0].startswith("agency,month,decided,within_legal_deadline")
    assert any(line.startswith("DINKES,") for line in csv_text.splitlines()[1:])


def test_deemed_file_shows_as_deemed_to_the_applicant(monday, run_outbox, client, login):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    app = accepted_file(legal_type(), at(monday, 10), run_outbox)
    legal_guard(now=app.legal_due_at + timedelta(seconds=1))
    login(app.applicant.email)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "Deemed approved by law" in page


def test_a_levied_file_waiting_for_payment_stops_the_legal_clock(demo):
    """The demo PBG (sectoral 28 + 2 working days): the time between the bill and the payment
    is the applicant's; the bank's payment runs the clock again with the days left."""
    application = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    assert application.legal_state == LegalState.RUNNING
    application = recommend(application)
    assert application.status == "awaiting_payment"
    assert application.legal_state == LegalState.PAUSED
    left = application.legal_days_left
    assert 1 <= left <= 30
    application = pay_levy(application)
    assert application.legal_state == LegalState.RUNNING
    paid = Event.objects.get(application=application, action=Action.PAYMENT_CONFIRMED).at
    assert application.legal_due_at == calendar().add_working_days(paid, left)


def test_automatic_issuance_is_refused_for_a_region_without_its_own_seal(demo):
    """Without a certificate of the region's own on the server (two regions: never the
    deployment's), `auto` is refused: nothing could issue it (tests/test_deemed_auto_issuance.py
    for the region that can, and for BSrE)."""
    ptype = PermitType(
        region=Region.objects.get(code="BTG"),
        code="FP-A",
        name_id="x",
        name_en="x",
        deemed_policy="auto",
    )
    with pytest.raises(ValidationError) as refused:
        ptype.full_clean()
    message = refused.value.message_dict["deemed_policy"][0]
    assert "cannot be issued automatically in this region" in message
    assert "no signing certificate of its own" in message


@pytest.mark.django_db(transaction=True)
def test_two_guards_at_once_deem_once_and_warn_once(demo, run_outbox):
    import threading

    from django.db import connection

    monday = quiet_monday(calendar())
    near = accepted_file(legal_type(), at(monday, 10), run_outbox)
    past = accepted_file(legal_type(code="FP-T2"), at(monday - timedelta(days=7), 10), run_outbox)
    now = at(monday + timedelta(days=4), 9)  # Friday: 1 working day before `near`'s deadline
    assert past.legal_due_at < now
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(legal_guard(now=now))
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
    assert sum(r.deemed for r in results) == 1
    assert sum(r.notices for r in results) == 1
    assert Event.objects.filter(application=past, action=Action.DEEM_APPROVE).count() == 1
    # Its open review was closed once, by the sweep that deemed it.
    assert Event.objects.filter(application=past, action=Action.REVIEW_CLOSE_DEEMED).count() == 1
    assert SlaNotice.objects.filter(stage=f"legal:{near.pk}").count() == 1
    told = Counter(
        Notification.objects.filter(kind="deemed_approved").values_list("recipient_id", flat=True)
    )
    assert told and all(n == 1 for n in told.values())
