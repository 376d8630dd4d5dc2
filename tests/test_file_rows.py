"""The rows a file's pages read (issue 20): its events, reviews and current documents, read in
one statement as JSON arrays (`applications.selectors.file_rows`), are the rows the ORM's
`.values()` gives, with the same types; the clocks and the timeline built from them agree with
those built from model instances."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Document, Event, Review
from applications.selectors import DOCUMENT_COLUMNS, document_rows, file_rows
from applications.sla.clock import EVENT_COLUMNS, REVIEW_COLUMNS, stage_clocks
from applications.timeline import TIMELINE_EVENT_COLUMNS, TIMELINE_REVIEW_COLUMNS, build_timeline
from tests.journeys import routed_at, wita

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def routed(demo, run_outbox):
    return routed_at(wita(7, 7, 10), run_outbox, submitted=wita(7, 6, 9))


def reference(pk):
    """The same rows through the ORM, as the pages read them before."""
    events = list(
        Event.objects.filter(application_id=pk)
        .order_by("at", "id")
        .values(
            *EVENT_COLUMNS,
            *TIMELINE_EVENT_COLUMNS,
            actor_name=F("actor__full_name"),
            review_agency_name=F("review__agency__name"),
        )
    )
    reviews = list(
        Review.objects.filter(application_id=pk)
        .order_by("id")
        .values(
            *REVIEW_COLUMNS["fields"],
            *TIMELINE_REVIEW_COLUMNS,
            "revision_items",
            **REVIEW_COLUMNS["expressions"],
        )
    )
    documents = list(
        Document.objects.filter(application_id=pk, is_current=True)
        .order_by("requirement_code")
        .values(*DOCUMENT_COLUMNS)
    )
    return events, reviews, documents


def test_the_rows_read_in_one_statement_are_the_orms_rows(routed):
    application = Application.objects.select_related("region", "catalog_version").get(pk=routed.pk)
    with CaptureQueriesContext(connection) as queries:
        events, reviews = file_rows(application)
        documents = document_rows(application)
        file_rows(application)  # read once per page
    assert len(queries) == 1
    want_events, want_reviews, want_documents = reference(routed.pk)
    assert events == want_events and len(events) >= 4
    assert reviews == want_reviews and len(reviews) == 2
    assert documents == want_documents and documents
    # The types survive the JSON: instants with their zone, numbers, the event's data.
    assert events[0]["at"].utcoffset() is not None
    assert isinstance(reviews[0]["budget_days"], int) and isinstance(documents[0]["size"], int)
    assert {r["agency_name"] for r in reviews} == {"Dinas Lingkungan Hidup", "Dinas Kesehatan"}


def test_the_clocks_and_the_timeline_from_rows_agree_with_the_instances(routed):
    application = Application.objects.select_related("region", "catalog_version", "applicant").get(
        pk=routed.pk
    )
    events, reviews = file_rows(application)
    from applications.sla.clock import stage_clock_context

    now = wita(7, 16, 9)
    from_rows = stage_clock_context(application, events=events, reviews=reviews, now=now)
    apart = stage_clocks(routed.pk, now=now)
    summary = [(c.key, c.state, c.used, c.deadline, c.label) for c in apart]
    assert [(c.key, c.state, c.used, c.deadline, c.label) for c in from_rows["stage_clocks"]] == (
        summary
    )
    assert "day 7 of 10 at Dinas Lingkungan Hidup" in [c.label for c in apart]
    # The API builds the timeline from Event instances; the pages from rows: the same steps.
    instances = list(
        application.events.select_related("actor", "review__agency", "review__assignee").order_by(
            "at", "id"
        )
    )
    assert [vars(s) for s in build_timeline(application, events, reviews)] == [
        vars(s) for s in build_timeline(application, instances)
    ]


def test_a_file_with_no_event_or_review_reads_empty_rows(demo):
    bare = Application.objects.filter(events__isnull=True, reviews__isnull=True).first()
    assert bare is not None  # the demo's drafts
    assert file_rows(bare) == ([], [])
    assert document_rows(bare) == reference(bare.pk)[2]
    assert file_rows(Application(pk=10**9)) == ([], [])  # no such file: nothing, no error
