"""The signer's step-up in tests: the password and an unused code of the person's app."""

import time

import pyotp

from agencies.demo import DEMO_PASSWORD
from security.models import TOTPDevice
from security.totp import STEP


def fresh_code(email: str) -> str:
    """A code the person's authenticator app would accept now and that was not used yet: the
    earliest unused step of the three accepted (the current one and one either side)."""
    device = TOTPDevice.objects.get(user__email=email)
    now_step = int(time.time()) // STEP
    step = max(now_step - 1, device.last_used_step + 1)
    assert step <= now_step + 1, "every code of this 30-second window was used already"
    return pyotp.TOTP(device.secret).at(step * STEP)


def used_code(email: str) -> str:
    """The last code the person used (refused as "already used")."""
    device = TOTPDevice.objects.get(user__email=email)
    return pyotp.TOTP(device.secret).at(device.last_used_step * STEP)


def step_up(email: str, password: str = DEMO_PASSWORD, **extra) -> dict:
    """The body of a step-up form or API call: the password and a fresh code."""
    return {"password": password, "code": fresh_code(email), **extra}
