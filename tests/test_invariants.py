"""The invariant checks find work whose effect is missing, enqueue it again and report it."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from applications.services.intake import application_accept
from operations.invariants import invariants_check
from outbox.models import OutboxMessage
from permits.models import Permit
from permits.services.issuance import permit_issue
from tests.journeys import all_accepted, recommended_application, submitted_application

pytestmark = pytest.mark.django_db


def test_an_accepted_file_without_reviews_is_routed_again(demo, run_outbox, caplog):
    application = submitted_application()
    run_outbox()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        verdicts=all_accepted(application),
    )
    # Its routing was "completed" without effect (e.g. recorded before the outbox knew better).
    OutboxMessage.objects.filter(dedupe_key=f"route:{application.pk}").update(
        dispatched_at=timezone.now(), completed_at=timezone.now()
    )
    assert invariants_check().unrouted == []  # within the grace minute: left alone
    with caplog.at_level(logging.WARNING, logger="ptsp.invariants"):
        report = invariants_check(grace=timedelta(0))
    assert report.unrouted == [application.pk]
    assert "routing again" in caplog.text
    run_outbox()
    assert application.reviews.count() == 2
    assert invariants_check(grace=timedelta(0)).repaired == 0  # nothing left to repair


def test_a_permit_issuing_too_long_is_issued_again(demo, signing_cert, run_outbox):
    application = recommended_application()
    permit = permit_issue(
        application_id=application.pk, actor=User.objects.get(email="kepala.btg@ptsp.local")
    )
    OutboxMessage.objects.filter(dedupe_key__startswith=f"permit-issue:{permit.pk}:").update(
        dispatched_at=timezone.now(), failed_at=timezone.now()
    )
    assert invariants_check(grace=timedelta(0)).stuck_issuing == [permit.pk]
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID
    assert invariants_check(grace=timedelta(0)).repaired == 0
