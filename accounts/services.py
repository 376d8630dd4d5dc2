"""Writes for accounts: registering applicants and keeping their preferences."""

from django.db import transaction

from accounts.models import ApplicantProfile, User
from outbox.services import enqueue


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
