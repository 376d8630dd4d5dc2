"""Every row of the transition table, allowed and refused, for every status and kind of actor.

This test sets statuses directly (queryset update) on purpose: it checks the table itself, for
statuses that the services would need long journeys to reach.
"""

import pytest

from accounts.models import User
from applications.models import Application, Event, Review, ReviewStatus, Status
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
from tests.journeys import all_accepted, submitted_application

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


def test_the_workflow_module_holds_the_settling_moves_and_no_unused_rows():
    """How the application follows its reviews is the application table's `follows_reviews`
    rows: each (status, status the reviews call for) pair has at most one move."""
    from applications.workflow import settle_action, status_for_reviews

    assert "answer_revision_partial" not in APPLICATION_TRANSITIONS
    S, R = Status, ReviewStatus
    assert settle_action(S.IN_REVIEW, S.REVISION_REQUESTED) == "request_revision"
    assert settle_action(S.REVISION_REQUESTED, S.REVISION_REQUESTED) == "request_revision"
    assert settle_action(S.REVISION_REQUESTED, S.IN_REVIEW) == "answer_revision"
    assert settle_action(S.IN_REVIEW, S.REJECTION_PROPOSED) == "propose_rejection"
    assert settle_action(S.REVISION_REQUESTED, S.REJECTION_PROPOSED) == "propose_rejection"
    assert settle_action(S.REJECTION_PROPOSED, S.IN_REVIEW) == "send_back_rejection"
    assert settle_action(S.IN_REVIEW, S.RECOMMENDED) == "recommend"
    assert settle_action(S.REVISION_REQUESTED, S.RECOMMENDED) is None
    assert settle_action(S.REJECTION_PROPOSED, S.RECOMMENDED) is None
    follows = [t for t in APPLICATION_TRANSITIONS.values() if t.follows_reviews]
    pairs = [(source, t.target) for t in follows for source in t.sources]
    assert len(pairs) == len(set(pairs))
    assert status_for_reviews([R.RECOMMENDED, R.CANCELLED]) == S.RECOMMENDED
    assert status_for_reviews([R.RECOMMENDED, R.REJECTED, R.REVISION_REQUESTED]) == (
        S.REJECTION_PROPOSED
    )
    assert status_for_reviews([R.RECOMMENDED, R.REVISION_REQUESTED]) == S.REVISION_REQUESTED
    assert status_for_reviews([R.RECOMMENDED, R.IN_REVIEW]) == S.IN_REVIEW
    assert status_for_reviews([R.CANCELLED]) == S.IN_REVIEW


def test_event_actions_are_an_enum_derived_from_the_tables():
    from applications.workflow import PERMIT_TRANSITIONS, RECORDED_EVENTS, Action

    expected = (
        set(APPLICATION_TRANSITIONS)
        | {f"review_{action}" for action in REVIEW_TRANSITIONS}
        | {t.event for t in PERMIT_TRANSITIONS.values() if t.event}
        | set(RECORDED_EVENTS)
    )
    assert {a.value for a in Action} == expected
    assert (
        Action.REVIEW_RECOMMEND == "review_recommend" and Action.PERMIT_EXPIRED == "permit_expired"
    )


def test_the_permit_table_names_the_permits_statuses_and_refuses_wrong_moves():
    from applications import workflow
    from permits.models import Permit

    names = {workflow.PERMIT_ISSUING, workflow.PERMIT_VALID, workflow.PERMIT_REVOKED}
    assert names | {workflow.PERMIT_EXPIRED} == set(Permit.Status.values)
    for transition in workflow.PERMIT_TRANSITIONS.values():
        assert transition.sources <= set(Permit.Status.values)
        assert transition.target in Permit.Status.values
    permit = Permit(status=Permit.Status.EXPIRED)
    with pytest.raises(Conflict):
        workflow.permit_transition(permit=permit, action="expire", actor=None)
    assert permit.status == Permit.Status.EXPIRED
    with pytest.raises(NotAllowed):  # only a signer revokes, never the system
        workflow.permit_transition(permit=Permit(status="valid"), action="revoke", actor=None)
