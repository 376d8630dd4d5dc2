from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import ApplicantProfile


@shared_task(
    name="accounts.tasks.send_welcome_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_welcome_email(user_id: int) -> None:
    """Welcome a newly registered applicant, in their language.

    The profile row stays locked while the mail server is talked to and `welcome_sent_at` is
    written in the same transaction: a duplicate delivery does nothing, and a worker killed
    mid-send leaves the welcome unsent for the redelivered task.
    """
    with transaction.atomic():
        profile = (
            ApplicantProfile.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(user_id=user_id, user__is_active=True, welcome_sent_at__isnull=True)
            .first()
        )
        if profile is None:
            return
        user = profile.user
        with translation.override(user.language):
            context = {"user": user, "site_url": settings.SITE_URL}
            subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
            body = render_to_string("accounts/email/welcome_body.txt", context)
        send_mail(subject, body, None, [user.email])
        profile.welcome_sent_at = timezone.now()
        profile.save(update_fields=["welcome_sent_at"])
