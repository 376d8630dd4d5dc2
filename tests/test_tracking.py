"""The public tracking page: status and stage only, for the right contact; guessing throttled."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.services import filing
from tests.journeys import applicant, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(demo):
    cache.clear()
    application = complete_draft()
    return filing.application_submit(application_id=application.pk, actor=applicant())


def track(client, number, contact, **extra):
    client.cookies["django_language"] = "en"
    return client.post(
        reverse("applications:track"),
        {"tracking_number": number, "contact": contact},
        **extra,
    )


@pytest.mark.parametrize(
    "contact",
    ["budi.santoso@example.id", "BUDI.Santoso@example.id ", "081254001122", "+62 812-5400-1122"],
)
def test_the_right_contact_sees_status_and_stage_only(client, filed, contact):
    response = track(client, filed.tracking_number.lower(), contact)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="track-result"' in page
    assert "Submitted" in page and "DPMPTSP front office" in page
    for private in ("Budi Santoso", "Apotek Uji", "9120301234567", "Jl. Uji", "081254001122"):
        assert private not in page.split('id="track-result"')[1], private


def test_a_wrong_contact_gets_the_same_answer_as_a_wrong_number(client, filed):
    wrong_contact = track(client, filed.tracking_number, "siti.rahma@example.id")
    wrong_number = track(client, "BTG-2026-999999", "budi.santoso@example.id")
    assert wrong_contact.status_code == wrong_number.status_code == 404
    assert 'id="track-result"' not in wrong_contact.content.decode()
    assert "No application matches" in wrong_number.content.decode()


def test_guessing_is_throttled_per_address(client, filed):
    for n in range(10):
        track(client, f"BTG-1999-{n:06d}", "budi.santoso@example.id")
    response = track(client, filed.tracking_number, "budi.santoso@example.id")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # Another client address still gets an answer.
    response = track(
        client, filed.tracking_number, "budi.santoso@example.id", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200


def test_guessing_one_number_from_many_addresses_is_throttled(client, filed):
    for n in range(10):
        track(client, filed.tracking_number, f"guess{n}@example.id", REMOTE_ADDR=f"10.0.0.{n}")
    response = track(
        client, filed.tracking_number, "budi.santoso@example.id", REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429


def test_drafts_cannot_be_tracked(client, demo):
    cache.clear()
    complete_draft()
    response = track(client, "", "budi.santoso@example.id")
    assert response.status_code == 404


def test_tracking_page_needs_no_login(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("applications:track"))
    assert response.status_code == 200 and "Track an application" in response.content.decode()


@pytest.mark.parametrize(
    "number",
    ["BTG-2026\x00-000001", "BTG' OR '1'='1", "<script>alert(1)</script>", "BTG 2026 000001", "-"],
)
def test_a_number_of_the_wrong_shape_is_no_match_and_not_looked_up(client, filed, number):
    """A NUL byte used to reach PostgreSQL and answer 500: now any number outside the
    tracking alphabet gets the page's "no match", is never echoed, and counts against the
    client's address only."""
    with CaptureQueriesContext(connection) as queries:
        response = track(client, number, "budi.santoso@example.id")
    assert not [q for q in queries if "applications_application" in q["sql"]]
    assert response.status_code == 404
    page = response.content.decode()
    assert "No application matches" in page and 'id="track-result"' not in page
    assert "<script>alert" not in page and "\x00" not in page
    # Nothing about a file was read or counted: the real number still answers from here.
    assert track(client, filed.tracking_number, "budi.santoso@example.id").status_code == 200


def test_a_file_in_a_staged_route_shows_its_stages_in_both_languages(
    client, demo, django_assert_max_num_queries
):
    """The demo clinic permit (IOK) goes to DLH, then the Health Office: the page names the
    stages in order (the route read from the version's snapshot), in a few queries."""
    cache.clear()
    from tests.journeys import demo_type, draft, route, submit

    application = route(submit(draft(demo_type("BTG", "IOK"), applicant())))
    assert application.status == "in_review"
    with django_assert_max_num_queries(8):
        english = track(client, application.tracking_number, "budi.santoso@example.id")
    assert english.status_code == 200
    shown = english.content.decode().split('id="track-result"')[1]
    assert "Dinas Lingkungan Hidup → Dinas Kesehatan" in shown, shown
    client.cookies["django_language"] = "id"
    indonesian = client.post(
        reverse("applications:track"),
        {"tracking_number": application.tracking_number, "contact": "081254001122"},
    )
    assert indonesian.status_code == 200
    assert "→" in indonesian.content.decode().split('id="track-result"')[1]
