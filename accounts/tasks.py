from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
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

    Safe to run twice: the profile's `welcome_sent_at` is claimed before sending, and released
    if the mail server refuses, so that a retry sends it once.
    """
    claimed = ApplicantProfile.objects.filter(
        user_id=user_id, user__is_active=True, welcome_sent_at__isnull=True
    ).update(welcome_sent_at=timezone.now())
    if not claimed:
        return
    profile = ApplicantProfile.objects.select_related("user").get(user_id=user_id)
    user = profile.user
    with translation.override(user.language):
        context = {"user": user, "site_url": settings.SITE_URL}
        subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
        body = render_to_string("accounts/email/welcome_body.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        ApplicantProfile.objects.filter(pk=profile.pk).update(welcome_sent_at=None)
        raise
