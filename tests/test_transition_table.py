"""Every row of the transition table, allowed and refused, for every status and kind of actor.

This test sets statuses directly (queryset update) on purpose: it checks the table itself, for
statuses that the services would need long journeys to reach.
"""

import pytest

from accounts.models import User
from agencies.models import Review, ReviewStatus
from applications.models import Application, Event, Status
from applications.services.intake import application_accept
from applications.workflow import (
    APPLICANT,
    APPLICATION_TRANSITIONS,
    REVIEW_TRANSITIONS,
    SYSTEM,
    application_transition,
    review_transition,
)
from ptsp.errors import Conflict, NotAllowed
from tests.workflow_builders import all_accepted, submitted_application

pytestmark = pytest.mark.django_db

ACTORS = {
    APPLICANT: "budi.santoso@example.id",
    "verifier": "verifikator.btg@ptsp.local",
    "signer": "kepala.btg@ptsp.local",
    "monitor": "monitor.btg@ptsp.local",
    "head": "kepala.dinkes.btg@ptsp.local",
    SYSTEM: None,
}


@pytest.fixture
def case(demo, run_outbox):
    application = submitted_application()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email=ACTORS["verifier"]),
        verdicts=all_accepted(application),
    )
    run_outbox()
    review = application.reviews.select_related("assignee").get(agency__code="DINKES")
    actors = {
        kind: (User.objects.get(email=email) if email else None) for kind, email in ACTORS.items()
    }
    actors["officer"] = review.assignee
    actors["stranger"] = User.objects.get(email="siti.rahma@example.id")
    actors["other_region_verifier"] = User.objects.get(email="verifikator.plg@ptsp.local")
    return application, review, actors


@pytest.mark.parametrize("action", sorted(APPLICATION_TRANSITIONS))
def test_application_table(case, action):
    application, review, actors = case
    transition = APPLICATION_TRANSITIONS[action]
    for status in Status.values:
        for kind, actor in actors.items():
            Application.objects.filter(pk=application.pk).update(status=status)
            events_before = Event.objects.count()
            allowed_actor = kind in transition.who
            allowed = allowed_actor and status in transition.sources
            if allowed:
                updated, _ = application_transition(
                    application_id=application.pk, action=action, actor=actor, review=review
                )
                assert updated.status == transition.target, (action, status, kind)
                assert Event.objects.count() == events_before + 1
            else:
                expected = NotAllowed if not allowed_actor else Conflict
                with pytest.raises(expected):
                    application_transition(
                        application_id=application.pk, action=action, actor=actor, review=review
                    )
                assert Application.objects.get(pk=application.pk).status == status, (
                    action,
                    status,
                    kind,
                )
                assert Event.objects.count() == events_before


@pytest.mark.parametrize("action", sorted(REVIEW_TRANSITIONS))
def test_review_table(case, action):
    _application, review, actors = case
    transition = REVIEW_TRANSITIONS[action]
    for status in ReviewStatus.values:
        for kind, actor in actors.items():
            Review.objects.filter(pk=review.pk).update(status=status)
            events_before = Event.objects.count()
            allowed_actor = kind in transition.who
            if allowed_actor and status in transition.sources:
                updated, _ = review_transition(review_id=review.pk, action=action, actor=actor)
                assert updated.status == (transition.target or status)
                assert Event.objects.count() == events_before + 1
            else:
                with pytest.raises(NotAllowed if not allowed_actor else Conflict):
                    review_transition(review_id=review.pk, action=action, actor=actor)
                assert Review.objects.get(pk=review.pk).status == status
                assert Event.objects.count() == events_before


def test_an_officer_of_the_agency_who_is_not_the_assignee_may_not_decide(case):
    from agencies.models import Membership

    _application, review, _actors = case
    colleague = User.objects.create_user(
        email="petugas3.dinkes.btg@ptsp.local", password="x", full_name="Petugas Tiga"
    )
    Membership.objects.create(user=colleague, agency=review.agency, role="officer")
    with pytest.raises(NotAllowed):
        review_transition(review_id=review.pk, action="recommend", actor=colleague)


def test_events_cannot_be_changed_or_deleted(case):
    from django.db import IntegrityError, InternalError, ProgrammingError, transaction

    application, _review, _actors = case
    event = application.events.first()
    for operation in (
        lambda: Event.objects.filter(pk=event.pk).update(note="rewritten"),
        lambda: Event.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
            operation()
    event.refresh_from_db()
    assert event.note == ""
