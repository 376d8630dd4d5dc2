"""The signer's step-up in tests: the password and an unused code of the person's app."""

import time

import pyotp

from agencies.demo import DEMO_PASSWORD
from security.models import TOTPDevice
from security.totp import STEP


def fresh_code(email: str) -> str:
    """A code the person's authenticator app would accept now, and still a moment later, that was
    not used yet: the current step's, else the next step's. Never the previous step's: it
    leaves the accepted window (the current step and one either side) at the next 30-second
    boundary, which a loaded machine crosses between making the code and the server checking
    it. When both were used, wait for the next step, as a person would."""
    for _attempt in range(2):
        device = TOTPDevice.objects.get(user__email=email)
        now = time.time()
        now_step = int(now) // STEP
        step = max(now_step, device.last_used_step + 1)
        if step <= now_step + 1:
            return pyotp.TOTP(device.secret).at(step * STEP)
        time.sleep((now_step + 1) * STEP - now + 0.05)
    raise AssertionError("every code of this and the next 30-second window was used already")


def used_code(email: str) -> str:
    """The last code the person used (refused as "already used")."""
    device = TOTPDevice.objects.get(user__email=email)
    return pyotp.TOTP(device.secret).at(device.last_used_step * STEP)


def step_up(email: str, password: str = DEMO_PASSWORD, **extra) -> dict:
    """The body of a step-up form or API call: the password and a fresh code."""
    return {"password": password, "code": fresh_code(email), **extra}
