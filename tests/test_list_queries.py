"""The lists people page through cost the same number of queries for one row as for twenty:
the applicant's list, the front office's intake queue, the OPD officer's inbox and the API's
lists (applications, intake, reviews). Each page is read once with one file in it and once with
twenty; the counts must be equal and each row must be on the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from tests.journeys import APPLICANT, VERIFIER, route, submitted_application

pytestmark = pytest.mark.django_db

ROWS = 20


def count(client, url: str) -> tuple[int, bytes]:
    """Queries of one GET in the steady state (a first GET fills the per-process caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100} if "/api/" in url else None)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content


def counted(pages: list[tuple[str, str]], rows) -> dict[str, int]:
    """The queries of each (who, url) page; each of `rows(who, url)` must be on it."""
    result = {}
    for who, url in pages:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        assert client.login(username=who, password=DEMO_PASSWORD), who
        result[url], body = count(client, url)
        for application in rows(who):
            assert application.tracking_number.encode() in body, (url, application)
    return result


def test_the_applicants_and_the_front_offices_lists_cost_the_same_for_one_row_and_twenty(demo):
    pages = [
        (APPLICANT, reverse("applications:my_applications")),
        (APPLICANT, reverse("api:applications")),
        (VERIFIER, reverse("applications:intake_queue")),
        (VERIFIER, reverse("api:intake_queue")),
    ]
    files = [submitted_application()]
    one = counted(pages, lambda who: files)
    files += [submitted_application() for _ in range(ROWS - 1)]
    assert counted(pages, lambda who: files) == one


def test_the_officers_inbox_costs_the_same_for_one_row_and_twenty(demo, run_outbox):
    """Every file goes to the same DINKES officer (the other officers are away)."""
    files = [route(submitted_application(), run_outbox)]
    officer = files[0].reviews.get(agency__code="DINKES").assignee
    others = User.objects.filter(
        memberships__agency__code="DINKES", memberships__agency__region__code="BTG"
    ).exclude(pk=officer.pk)
    others.update(is_active=False)
    pages = [
        (officer.email, reverse("applications:inbox")),
        (officer.email, reverse("api:reviews")),
    ]
    one = counted(pages, lambda who: files)
    files += [route(submitted_application(), run_outbox) for _ in range(ROWS - 1)]
    assert {f.reviews.get(agency__code="DINKES").assignee for f in files} == {officer}
    assert counted(pages, lambda who: files) == one
