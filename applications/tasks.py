from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application, Notification


@shared_task(
    name="applications.tasks.send_submission_confirmation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_submission_confirmation(application_id: int) -> None:
    """Tell the applicant their application was received (in-app notice and mail), in their
    language.

    Safe to run twice: the notice has a dedupe key, and its `emailed_at` is claimed before
    sending and released if the mail server refuses, so a retry sends the mail once.
    """
    application = (
        Application.objects.select_related("applicant", "permit_type", "region")
        .filter(pk=application_id, tracking_number__isnull=False)
        .first()
    )
    if application is None:
        return
    user = application.applicant
    key = f"submitted:{application.pk}"
    with translation.override(user.language):
        url = reverse("applications:detail", args=[application.pk])
        context = {
            "user": user,
            "application": application,
            "permit_name": application.permit_type.name,
            "site_url": settings.SITE_URL,
            "url": url,
        }
        subject = render_to_string("applications/email/submitted_subject.txt", context).strip()
        body = render_to_string("applications/email/submitted_body.txt", context)
    try:
        with transaction.atomic():
            notification, _ = Notification.objects.get_or_create(
                dedupe_key=key,
                defaults={
                    "recipient": user,
                    "application": application,
                    "kind": "submitted",
                    "subject": subject,
                    "body": body,
                    "url": url,
                },
            )
    except IntegrityError:
        notification = Notification.objects.get(dedupe_key=key)
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    try:
        send_mail(notification.subject, notification.body, None, [user.email])
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
