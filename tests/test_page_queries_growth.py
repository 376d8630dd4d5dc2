"""The busy pages cost the same number of queries for one row as for twenty (issue 20): the
application page (the applicant's and the staff's), the tracking page and the intake check with
a short history and a long one; the catalog with a few permit types and twenty more; the
agency queue and the dashboard with one file and twenty. (The lists are in
tests/test_list_queries.py, the review and signing pages in tests/test_staff_page_queries.py.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.journeys import (
    APPLICANT,
    VERIFIER,
    clinic_type,
    replace_document,
    return_for_a_blurred_plan,
    route,
    submitted_application,
)

pytestmark = pytest.mark.django_db

ROWS = 20
MONITOR = "monitor.btg@ptsp.local"


def queries_of(client, url: str, data=None, method="get") -> tuple[int, str]:
    """Queries of one request in the steady state (a first one fills the per-process caches)."""
    send = getattr(client, method)
    send(url, data)
    with CaptureQueriesContext(connection) as captured:
        response = send(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content.decode()


def returned_and_resubmitted(application, times: int):
    """The front office returns the file (floor plan unreadable) and the applicant sends a new
    floor plan, `times` times: two events and a document version each time."""
    from applications.services.intake import application_resubmit

    for i in range(times):
        return_for_a_blurred_plan(application, note=f"Denah buram {i}")
        replace_document(application, "denah")
        application_resubmit(application_id=application.pk, actor=application.applicant)
    return application


def test_the_application_tracking_and_check_pages_cost_the_same_for_a_long_history(
    client, demo, login
):
    short = submitted_application()
    long = returned_and_resubmitted(submitted_application(), ROWS // 2)
    assert long.events.count() >= ROWS > short.events.count()

    def pages(application):
        return [
            (APPLICANT, "get", reverse("applications:detail", args=[application.pk]), None),
            (MONITOR, "get", reverse("monitoring:file", args=[application.pk]), None),
            (VERIFIER, "get", reverse("applications:intake_check", args=[application.pk]), None),
            (
                None,
                "post",
                reverse("applications:track"),
                {"tracking_number": application.tracking_number, "contact": APPLICANT},
            ),
        ]

    counts = {}
    for application in (short, long):
        for who, method, url, data in pages(application):
            client.logout()
            if who:
                login(who)
            n, html = queries_of(client, url, data, method)
            assert application.tracking_number in html
            counts.setdefault((who, method), []).append(n)
    for key, (few, many) in counts.items():
        assert few == many, (key, few, many)


def test_the_catalog_costs_the_same_for_twenty_more_permit_types(client, demo):
    url = reverse("catalog:catalog")
    few, _html = queries_of(client, url)
    for i in range(ROWS):
        clinic_type(code=f"UJI-{i}")
    many, html = queries_of(client, url)
    assert few == many
    assert html.count("Izin Operasional Klinik (uji)") == ROWS
    detail = [reverse("catalog:catalog_detail", args=["BTG", code]) for code in ("UJI-0", "UJI-9")]
    assert queries_of(client, detail[0])[0] == queries_of(client, detail[1])[0]


def test_the_agency_queue_and_the_dashboard_cost_the_same_for_one_file_and_twenty(
    client, demo, login, run_outbox
):
    """DINKES decides each file (the dashboard counts it), DLH's reviews stay open (its head's
    queue lists them)."""
    from applications.services.reviews import review_decide

    def routed_and_decided():
        application = route(submitted_application(), run_outbox)
        review = application.reviews.select_related("assignee").get(agency__code="DINKES")
        review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
        return application

    files = [routed_and_decided()]
    pages = [
        ("kepala.dlh.btg@ptsp.local", reverse("applications:agency_queue")),
        (MONITOR, reverse("monitoring:dashboard")),
        (
            MONITOR,
            reverse("monitoring:agency", args=[files[0].reviews.get(agency__code="DLH").agency_id]),
        ),
    ]

    def counted():
        result = {}
        for who, url in pages:
            client.logout()
            login(who)
            result[url], html = queries_of(client, url)
            if "agency" in url and "monitoring" not in url:
                for application in files:
                    assert application.tracking_number in html
        return result

    one = counted()
    files += [routed_and_decided() for _ in range(ROWS - 1)]
    assert counted() == one
    client.logout()
    login(MONITOR)
    figures = client.get(reverse("monitoring:dashboard")).context["figures"]
    assert {f.agency.code: f.finished for f in figures}["DINKES"] == ROWS
