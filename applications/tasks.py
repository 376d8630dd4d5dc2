from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
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
    """E-mail one notification.

    The notification row stays locked while the mail server is talked to, and `emailed_at` is
    written in the same transaction: a duplicate delivery finds it locked or already sent and
    does nothing, and a worker killed mid-send leaves it unsent, for the redelivered task.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return
        body = notification.body
        if notification.url or notification.application_id:
            # The link opens the page its recipient may see when they follow it.
            link = reverse("applications:notification_open", args=[notification.pk])
            body = f"{body}\n\n{settings.SITE_URL}{link}"
        send_mail(notification.subject, body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
