"""A review closed by the file's deemed approval, through the API (issue 18): the same refusal
as the web pages, nothing recorded."""

from datetime import timedelta

import pytest

from applications.models import Event
from applications.sla.sweep import sla_sweep
from tests.api.conftest import error
from tests.test_legal_deadlines import accepted_file, at, calendar, legal_type, quiet_monday

pytestmark = pytest.mark.django_db


def test_a_decision_on_a_closed_review_answers_409_and_records_nothing(demo, run_outbox, as_user):
    app = accepted_file(legal_type(), at(quiet_monday(calendar()), 10), run_outbox)
    assert sla_sweep(now=app.legal_due_at + timedelta(hours=1)).deemed == 1
    review = app.reviews.select_related("assignee").get()
    events = Event.objects.count()
    reply = as_user(review.assignee.email).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"decision": "recommend", "reasons": "Sesuai."},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert reply.status_code == 409, reply.content
    assert "deemed approved by law" in error(reply)["message"]
    assert Event.objects.count() == events
    review.refresh_from_db()
    assert review.status == "closed_deemed"
    detail = as_user(review.assignee.email).get(f"/api/v1/reviews/{review.pk}/")
    assert detail.status_code == 200 and detail.json()["status"] == "closed_deemed"
