from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, send_mail
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ApplicantProfile, User
from accounts.services import email_confirmation_token
from ptsp.mail import MailClaimed, send_once, stable_message_id


def _welcome_mail(profile: ApplicantProfile) -> EmailMessage | None:
    user = profile.user
    if not user.is_active:
        return None
    with translation.override(user.language):
        context = {
            "user": user,
            "site_url": settings.SITE_URL,
            "confirm_url": _confirm_url(user),
            "set_password_url": _set_password_url(user),
        }
        subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
        body = render_to_string("accounts/email/welcome_body.txt", context)
    return EmailMessage(subject, body, None, [user.email])


@shared_task(
    bind=True,
    name="accounts.tasks.send_welcome_email",
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
    time_limit=45,
    soft_time_limit=40,
)
def send_welcome_email(self, user_id: int) -> str:
    """Welcome a newly registered applicant, in their language, with the link that confirms
    their address: exactly once (ptsp.mail.send_once, like the notifications), so that a
    duplicate delivery, a retry or a "run again" never sends a second copy."""
    try:
        return send_once(
            rows=ApplicantProfile.objects.select_related("user"),
            pk=ApplicantProfile.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
            or 0,
            claimed_field="welcome_claimed_at",
            sent_field="welcome_sent_at",
            build=_welcome_mail,
            message_id=stable_message_id("welcome", user_id),
        )
    except MailClaimed as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc


def _set_password_url(user) -> str:
    """For an account made for someone (from OSS-RBA's data, oss.services.inbound) that has no
    password yet: the link that sets one, which claims the account. "" otherwise."""
    if user.has_usable_password():
        return ""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )
    return f"{settings.SITE_URL}{path}"


def _confirm_url(user) -> str:
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
