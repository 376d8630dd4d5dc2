from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.urls import reverse

from applications.models import Notification
from applications.services.reviews import application_route
from applications.sla.corrections import corrections_sweep as sweep_corrections
from applications.sla.sweep import sla_sweep as sweep
from ptsp.mail import MailClaimed, send_once, stable_message_id


def _notification_mail(notification: Notification) -> EmailMessage:
    body = notification.body
    if notification.url or notification.application_id:
        # The link opens the page its recipient may see when they follow it.
        link = reverse("applications:notification_open", args=[notification.pk])
        body = f"{body}\n\n{settings.SITE_URL}{link}"
    return EmailMessage(notification.subject, body, None, [notification.recipient.email])


@shared_task(
    bind=True,
    name="applications.tasks.send_notification_email",
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=8,
    time_limit=45,
    soft_time_limit=40,
)
def send_notification_email(self, notification_id: int) -> str:
    """E-mail one notification, exactly once (ptsp.mail.send_once): claimed before sending,
    marked after, with a stable Message-ID. A duplicate delivery, a retry or a "run again"
    finds it sent and does nothing; a delivery that finds a fresh claim of another one tries
    again when that claim expires. Mail-server and database errors are retried with back-off."""
    try:
        return send_once(
            rows=Notification.objects.select_related("recipient"),
            pk=notification_id,
            claimed_field="email_claimed_at",
            sent_field="emailed_at",
            build=_notification_mail,
            message_id=stable_message_id("notification", notification_id),
        )
    except MailClaimed as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc


# The two tasks below keep the names they had in `agencies.tasks` (issue 15 moved the code):
# waiting outbox rows and the beat schedule call them by name.


@shared_task(
    name="agencies.tasks.route_application",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=10,
)
def route_application(application_id: int) -> int:
    """Create the application's reviews, one per agency of its route. Idempotent: a duplicate
    or a rerun after a crash leaves exactly one review per agency."""
    return len(application_route(application_id=application_id))


@shared_task(name="agencies.tasks.sla_sweep", ignore_result=True)
def sla_sweep() -> int:
    """Celery beat, every few minutes: send the SLA reminders and escalations owed now, each
    exactly once (see applications.sla.sweep). Safe to overlap with a late or duplicate run."""
    return sweep().notices


@shared_task(name="applications.tasks.corrections_sweep", ignore_result=True)
def corrections_sweep() -> int:
    """Celery beat, every few minutes: the applicants' correction periods — reminders halfway
    and one working day before, and the lapse (or the way back to the OPD) at the end, each
    once (see applications.sla.corrections). Safe to overlap with a late or duplicate run."""
    result = sweep_corrections()
    return result.reminders + result.lapsed + result.back_to_office
