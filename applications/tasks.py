from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from applications.models import Notification


@shared_task(
    name="applications.tasks.send_notification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification. Safe to run twice: `emailed_at` is claimed before sending and
    released if the mail server refuses, so a retry sends it exactly once."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
    try:
        send_mail(notification.subject, body, None, [notification.recipient.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
