from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import ApplicantProfile, User


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
            context = {
                "user": user,
                "site_url": settings.SITE_URL,
                "confirm_url": _confirm_url(user),
            }
            subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
            body = render_to_string("accounts/email/welcome_body.txt", context)
        send_mail(subject, body, None, [user.email])
        profile.welcome_sent_at = timezone.now()
        profile.save(update_fields=["welcome_sent_at"])


def _confirm_url(user) -> str:
    from accounts.services import email_confirmation_token

    if user.email_confirmed_at is not None:
        return ""
    path = reverse("accounts:email_confirm", args=[email_confirmation_token(user)])
    return f"{settings.SITE_URL}{path}"


@shared_task(
    name="accounts.tasks.send_confirmation_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_confirmation_email(user_id: int) -> None:
    """Send the link that confirms the person's address (asked again from the profile)."""
    user = User.objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    if user is None:
        return
    with translation.override(user.language):
        context = {"user": user, "confirm_url": _confirm_url(user)}
        subject = render_to_string("accounts/email/confirm_subject.txt", context).strip()
        body = render_to_string("accounts/email/confirm_body.txt", context)
    send_mail(subject, body, None, [user.email])


@shared_task(
    name="accounts.tasks.send_existing_account_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_existing_account_notice(user_id: int) -> None:
    """Tell an account's owner that someone tried to register with their address or NIK."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(user.language):
        context = {"user": user, "site_url": settings.SITE_URL}
        subject = render_to_string("accounts/email/existing_subject.txt", context).strip()
        body = render_to_string("accounts/email/existing_body.txt", context)
    send_mail(subject, body, None, [user.email])
