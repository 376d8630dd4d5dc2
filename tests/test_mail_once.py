"""Mail exactly once: claimed before sending, marked after, a stable Message-ID; database errors
after the send are retried and never send a second copy (ptsp/mail.py)."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from applications.models import Notification
from applications.services.notifications import notify
from ptsp.celery import app
from tests.journeys import submitted_application
from tests.mail_backends import TerminatesDatabaseAfterSend

TASK = "applications.tasks.send_notification_email"


def a_notification(run_outbox) -> Notification:
    application = submitted_application()
    run_outbox()
    mail.outbox.clear()
    notify(
        recipients=[application.applicant], kind="submitted", application=application, dedupe="m"
    )
    return Notification.objects.get(dedupe_key__startswith="submitted:m:")


def send(notification_id: int):
    return app.tasks[TASK].apply(args=[notification_id], throw=True)


@pytest.mark.django_db
def test_one_mail_with_a_stable_message_id_and_a_rerun_sends_nothing(demo, run_outbox):
    notification = a_notification(run_outbox)
    assert send(notification.pk).result == "sent"
    assert send(notification.pk).result == "already sent"
    assert len(mail.outbox) == 1
    assert (
        mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@ptsp.local>"
    )
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_claimed_at is not None


@pytest.mark.django_db
def test_a_fresh_claim_of_another_delivery_is_left_alone_and_tried_later(demo, run_outbox):
    notification = a_notification(run_outbox)
    Notification.objects.filter(pk=notification.pk).update(email_claimed_at=timezone.now())
    with pytest.raises(Retry):
        send(notification.pk)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_stale_claim_of_a_dead_worker_is_sent_with_the_same_message_id(demo, run_outbox):
    notification = a_notification(run_outbox)
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert send(notification.pk).result == "sent"
    assert (
        mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@ptsp.local>"
    )


@pytest.mark.django_db
def test_a_mail_server_error_releases_the_claim_for_the_retry(demo, run_outbox, settings):
    notification = a_notification(run_outbox)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    with pytest.raises(Retry, match="Connection refused"):
        send(notification.pk)
    notification.refresh_from_db()
    assert notification.email_claimed_at is None and notification.emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_the_database_failing_after_the_send_does_not_send_twice(demo, run_outbox, settings):
    notification = a_notification(run_outbox)
    settings.EMAIL_BACKEND = "tests.mail_backends.TerminatesDatabaseAfterSend"
    before = TerminatesDatabaseAfterSend.terminated
    assert send(notification.pk).result == "sent"
    assert TerminatesDatabaseAfterSend.terminated == before + 1  # the backend really died
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(notification.pk).result == "already sent"  # a rerun from the failed-work page
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def welcome(user_id: int):
    from accounts.tasks import send_welcome_email

    return send_welcome_email.apply(args=[user_id], throw=True)


def _registered_applicant():
    from tests.factories import ApplicantFactory

    return ApplicantFactory(email="welcome.once@example.id")


@pytest.mark.django_db
def test_the_welcome_mail_is_sent_once_with_a_stable_message_id():
    user = _registered_applicant()
    assert welcome(user.pk).result == "sent"
    assert welcome(user.pk).result == "already sent"
    assert [m.to for m in mail.outbox] == [["welcome.once@example.id"]]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<welcome-{user.pk}@ptsp.local>"
    user.applicant_profile.refresh_from_db()
    assert user.applicant_profile.welcome_sent_at is not None


@pytest.mark.django_db
def test_a_welcome_claimed_by_another_delivery_is_not_sent_twice():
    from accounts.models import ApplicantProfile

    user = _registered_applicant()
    ApplicantProfile.objects.filter(user=user).update(welcome_claimed_at=timezone.now())
    with pytest.raises(Retry):
        welcome(user.pk)
    assert mail.outbox == []
    # A profile-less account (staff) has no welcome: nothing to send, nothing raised.
    from tests.factories import UserFactory

    staff = UserFactory(email="staff.nowelcome@ptsp.local")
    assert welcome(staff.pk).result == "nothing to send"
