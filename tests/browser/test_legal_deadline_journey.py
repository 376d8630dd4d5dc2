"""Issue 18: a file approaches its legal deadline - the officer sees the warning, the monitor
the at-risk list; another passes it and shows as deemed approved. Instants are computed from
the real now on the region's calendar (the live server runs on the real clock)."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from agencies.models import Region
from applications.models import Notification
from applications.sla.legal import legal_guard
from outbox.testing import run_pending
from ptsp.workdays import Calendar
from tests.browser.helpers import login_as
from tests.journeys import CLINIC_DATA, VERIFIER, applicant, draft, route, submit
from tests.test_legal_deadlines import MONITOR, legal_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accept_time(cal: Calendar, now, *, wanted) -> datetime:
    """An acceptance instant on a past working day whose 5-day legal deadline `wanted(due)`."""
    day = cal.local(now).date()
    for _ in range(60):
        day -= timedelta(days=1)
        if not cal.is_working_day(day):
            continue
        accepted = datetime.combine(day, time(10, 0), tzinfo=cal.tz)
        if wanted(cal.add_working_days(accepted, 5)):
            return accepted
    raise AssertionError("no such day")


def _file(ptype, accepted):
    with time_machine.travel(accepted - timedelta(hours=1), tick=False):
        application = submit(draft(ptype, applicant(), CLINIC_DATA))
    with time_machine.travel(accepted, tick=False):
        route(application, run_pending, verifier=User.objects.get(email=VERIFIER))
    application.refresh_from_db()
    return application


def test_officer_warned_monitor_sees_at_risk_then_deemed(live_server, page):
    call_command("seed_demo", "--quiet")
    page.set_default_timeout(30000)
    cal = Calendar(Region.objects.get(code="BTG"))
    now = timezone.now()
    horizon_day = cal.local(now).date()
    for _ in range(2):
        horizon_day = cal.next_working_day(horizon_day)
    near = _file(
        legal_type(),
        _accept_time(cal, now, wanted=lambda due: now < due <= cal.end_of_service(horizon_day)),
    )
    past = _file(
        legal_type(code="FP-T2"),
        _accept_time(cal, now, wanted=lambda due: due < now - timedelta(hours=1)),
    )
    result = legal_guard()
    assert result.notices == 1 and result.deemed == 1
    run_pending()

    # The officer is told (in the app and by mail) and sees the warning on the review page.
    review = near.reviews.select_related("assignee").get()
    assert Notification.objects.filter(recipient=review.assignee, kind="legal_warning").exists()
    login_as(page, live_server, review.assignee.email)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    expect(page.locator(".legal-clock")).to_contain_text("At risk of deemed approval")
    expect(page.locator(".legal-clock")).to_contain_text("by law")

    # The monitor sees it in the at-risk list; the other file is deemed approved.
    login_as(page, live_server, MONITOR)
    page.goto(f"{live_server.url}/monitoring/")
    expect(page.locator("#legal-at-risk")).to_contain_text(near.tracking_number)
    expect(page.locator("#legal-at-risk")).not_to_contain_text(past.tracking_number)
    page.goto(f"{live_server.url}/monitoring/files/{past.pk}/")
    expect(page.locator(".legal-clock")).to_contain_text("Deemed approved by law")
