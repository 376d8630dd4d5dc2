"""Writes for accounts: registering applicants and keeping their preferences."""

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from outbox.services import enqueue
from ptsp.errors import DomainError

CONFIRM_SALT = "accounts.email-confirmation"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week


def applicant_register(
    *, email: str, full_name: str, nik: str, phone: str, password: str, language: str = "id"
) -> User:
    """Create an applicant account with its profile and send a welcome mail (after commit).

    Who may call: anyone (public registration). Inputs are validated by the form or serializer
    first; the unique constraints on e-mail and NIK are the last guard.
    """
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name.strip(), language=language
        )
        ApplicantProfile.objects.create(user=user, nik=nik, phone=phone)
        enqueue(
            "accounts.tasks.send_welcome_email", args=[user.pk], dedupe_key=f"welcome:{user.pk}"
        )
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language a person chose; notifications to them are written in it."""
    if user.is_authenticated and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)


def registration_request(
    *, email: str, full_name: str, nik: str, phone: str, password: str, language: str = "id"
) -> User | None:
    """The registration form's one answer, whoever asks (issue 21 item 9): a new e-mail address
    and NIK make an account whose owner gets the welcome with the link to confirm the address;
    an address or NIK that already has an account makes nothing, and its owner is told by
    e-mail that someone tried. The page says the same in both cases, so it never tells whether
    an account exists. Returns the new user, or None."""
    email = email.strip().lower()
    owners = list(User.objects.filter(email__iexact=email)) + [
        p.user for p in ApplicantProfile.objects.filter(nik=nik).select_related("user")
    ]
    if owners:
        for owner in {o.pk: o for o in owners}.values():
            enqueue(
                "accounts.tasks.send_existing_account_notice",
                args=[owner.pk],
                dedupe_key=f"existing-account:{owner.pk}:{timezone.now():%Y%m%d%H}",
            )
        return None
    return applicant_register(
        email=email,
        full_name=full_name,
        nik=nik,
        phone=phone,
        password=password,
        language=language,
    )


def email_confirmation_token(user: User) -> str:
    """A signed, expiring token for the link that confirms `user`'s current address."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)


def email_confirm(*, token: str) -> User:
    """Confirm the address the token was made for. Who: whoever holds the link (it went to
    that address only). Changes: `email_confirmed_at` (once). Raises DomainError for a
    tampered, expired or stale token (the address changed since)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(
            _("This confirmation link has expired. Log in and ask for a new one."),
            code="confirm_expired",
        ) from error
    except signing.BadSignature as error:
        raise DomainError(_("This confirmation link is not valid."), code="confirm_bad") from error
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
        if user is None or user.email != data.get("e"):
            raise DomainError(_("This confirmation link is not valid."), code="confirm_bad")
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
    return user


def email_confirmation_resend(*, user: User) -> None:
    """Send the confirmation link again (at most once a minute). Who: the logged-in person."""
    if user.email_confirmed_at is not None:
        return
    enqueue(
        "accounts.tasks.send_confirmation_email",
        args=[user.pk],
        dedupe_key=f"confirm:{user.pk}:{timezone.now():%Y%m%d%H%M}",
    )
