"""Demo: the demo signers get an authenticator app with a published secret, so that `make run`
keeps working: get the current code with `make totp` (or any authenticator app fed this key)."""

from django.utils import timezone

from agencies.models import Membership, Role
from security.models import TOTPDevice

DEMO_TOTP_SECRET = "PTSPDEMOSIGNERKEYPTSPDEMOSIGNERK"  # noqa: S105 - published demo key


def seed():
    signers = Membership.objects.filter(role=Role.SIGNER).values_list("user_id", flat=True)
    for user_id in set(signers):
        TOTPDevice.objects.get_or_create(
            user_id=user_id,
            defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()},
        )
