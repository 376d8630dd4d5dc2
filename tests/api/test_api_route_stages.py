"""The head's approval through the API (issue 18): the same services as the web pages."""

import pytest

from accounts.models import User
from tests.api.conftest import error
from tests.journeys import applicant, demo_type, draft, route, submit

pytestmark = pytest.mark.django_db

HEAD_DINKES = "kepala.dinkes.btg@ptsp.local"


@pytest.fixture
def awaiting(demo, run_outbox):
    """An IOK file whose stage 1 (DLH) recommended and whose DINKES officer recommended: the
    recommendation awaits the head's approval."""
    from applications.services.reviews import review_decide

    application = route(submit(draft(demo_type("BTG", "IOK"), applicant())), run_outbox)
    dlh = application.reviews.select_related("assignee").get()
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="recommend", reasons="Sesuai.")
    return application.reviews.select_related("assignee").get(agency__code="DINKES")


def test_officer_recommends_and_the_head_approves_through_the_api(awaiting, as_user):
    officer = as_user(awaiting.assignee.email)
    reply = officer.post(
        f"/api/v1/reviews/{awaiting.pk}/decide/",
        {"decision": "recommend", "reasons": "Sesuai."},
        format="json",
    )
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert body["status"] == "awaiting_head_approval"
    assert body["stage"] == 2 and body["needs_head_approval"] is True
    assert body["head_due_at"]

    # The officer may not approve their own recommendation.
    refused = officer.post(
        f"/api/v1/reviews/{awaiting.pk}/head-decision/", {"decision": "approve"}, format="json"
    )
    assert refused.status_code == 403

    head = as_user(HEAD_DINKES)
    queue = head.get("/api/v1/reviews/", {"headed": "true", "status": "approval"})
    assert queue.status_code == 200
    assert [r["id"] for r in queue.json()["results"]] == [awaiting.pk]

    no_note = head.post(
        f"/api/v1/reviews/{awaiting.pk}/head-decision/",
        {"decision": "send_back", "note": ""},
        format="json",
    )
    assert no_note.status_code == 400
    assert (
        error(no_note)["fields"] == {"note": [error(no_note)["message"]]}
        or error(no_note)["message"]
    )
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_head_approval"

    approved = head.post(
        f"/api/v1/reviews/{awaiting.pk}/head-decision/", {"decision": "approve"}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "recommended"
    awaiting.application.refresh_from_db()
    assert awaiting.application.status == "recommended"

    twice = head.post(
        f"/api/v1/reviews/{awaiting.pk}/head-decision/", {"decision": "approve"}, format="json"
    )
    assert twice.status_code == 409


def test_the_head_sends_back_through_the_api(awaiting, as_user):
    from applications.services.reviews import review_decide

    review_decide(
        review_id=awaiting.pk, actor=awaiting.assignee, decision="recommend", reasons="Sesuai."
    )
    head = as_user(HEAD_DINKES)
    reply = head.post(
        f"/api/v1/reviews/{awaiting.pk}/head-decision/",
        {"decision": "send_back", "note": "Periksa ulang izin limbah B3."},
        format="json",
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["status"] == "in_review"
    assert reply.json()["head_note"] == "Periksa ulang izin limbah B3."
    assert User.objects.get(email=HEAD_DINKES).pk != awaiting.assignee_id
