"""The TOTP second factor: required for signers, optional for other staff, replay refused,
recovery by a platform admin."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pyotp
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from security.demo import DEMO_TOTP_SECRET
from security.models import TOTPDevice
from security.totp import VERIFIED

pytestmark = pytest.mark.django_db

SIGNER = "kepala.btg@ptsp.local"
VERIFIER = "verifikator.btg@ptsp.local"


@pytest.fixture
def enforced(settings, demo, client):
    settings.TOTP_ENFORCED = True
    client.cookies["django_language"] = "en"
    return client


def _password(client, email, ip="127.0.0.1"):
    response = client.post(
        reverse("accounts:login"),
        {"username": email, "password": DEMO_PASSWORD},
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302
    return response


def test_a_signer_must_give_the_code_before_any_page(enforced):
    client = enforced
    _password(client, SIGNER)
    queue = client.get(reverse("permits:signing_queue"))
    assert queue.status_code == 302
    assert queue["Location"] == reverse("security:totp_verify") + "?next=%2Fsigning%2F"
    assert client.get(reverse("applications:download_document", args=[1])).status_code == 302
    wrong = client.post(reverse("security:totp_verify"), {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert client.get(reverse("permits:signing_queue")).status_code == 302
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    before = client.cookies["sessionid"].value
    assert client.post(reverse("security:totp_verify"), {"code": code}).status_code == 302
    assert client.cookies["sessionid"].value != before  # new session key after the second step
    assert client.get(reverse("permits:signing_queue")).status_code == 200


def test_a_signer_without_an_app_must_enrol_and_the_get_stores_nothing(enforced, client):
    signer = User.objects.get(email=SIGNER)
    TOTPDevice.objects.filter(user=signer).delete()  # a platform admin reset it
    _password(client, SIGNER)
    response = client.get(reverse("permits:signing_queue"))
    assert response["Location"] == reverse("security:totp_enrol")
    page = client.get(reverse("security:totp_enrol"))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "Signers must use a second factor" in body
    assert not TOTPDevice.objects.filter(user=signer).exists()
    secret = re.search(r"<code>([A-Z2-7]+)</code>", body).group(1)
    bad = client.post(reverse("security:totp_enrol"), {"code": "123456"})
    assert bad.status_code == 400 and not TOTPDevice.objects.filter(user=signer).exists()
    ok = client.post(reverse("security:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    assert TOTPDevice.objects.get(user=signer).confirmed_at is not None
    assert client.get(reverse("permits:signing_queue")).status_code == 200


def test_other_staff_may_go_without_or_opt_in(enforced, client):
    _password(client, VERIFIER)
    assert client.get(reverse("applications:intake_queue")).status_code == 200
    page = client.get(reverse("security:totp_enrol")).content.decode()
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    client.post(reverse("security:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    client.post(reverse("accounts:logout"))
    _password(client, VERIFIER)
    assert client.get(reverse("applications:intake_queue")).status_code == 302


def test_wrong_codes_are_counted_per_account_and_a_right_password_does_not_reset_them(
    enforced, client
):
    """The hole of issue 14: 36 wrong codes, then the right one worked, because each right
    password cleared the count. Now five wrong codes pause the codes of the account for its
    window, whatever passwords are given in between, and the message says so."""
    _password(client, SIGNER)
    for n in range(5):
        wrong = client.post(reverse("security:totp_verify"), {"code": "000000"})
        assert wrong.status_code == 400, n
        if n == 2:  # log out and in again: the password is right, the count goes on
            client.post(reverse("accounts:logout"))
            _password(client, SIGNER)
    right = client.post(
        reverse("security:totp_verify"), {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}
    )
    assert right.status_code == 429
    assert "Too many wrong codes for this account" in right.content.decode()
    assert not client.session.get(VERIFIED)
    # From another address too (the attacker may move): the account's codes are paused.
    client.post(reverse("accounts:logout"))
    _password(client, SIGNER, ip="10.66.0.2")
    elsewhere = client.post(
        reverse("security:totp_verify"),
        {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
        REMOTE_ADDR="10.66.0.2",
    )
    assert elsewhere.status_code == 429
    # …until the window has passed.
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        later = client.post(
            reverse("security:totp_verify"),
            {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
            REMOTE_ADDR="10.66.0.2",
        )
    assert later.status_code == 302


def test_wrong_codes_are_counted_per_client_address(enforced, client):
    """Failures are counted under the client's address (they were once all counted under
    "unknown"): five wrong codes from one address for two accounts pause codes from there."""
    from ptsp import ratelimit

    for email in (SIGNER, "kepala.plg@ptsp.local"):
        client.post(reverse("accounts:logout"))
        _password(client, email, ip="10.77.0.1")
        for _ in range(3 if email == SIGNER else 2):
            client.post(
                reverse("security:totp_verify"), {"code": "000000"}, REMOTE_ADDR="10.77.0.1"
            )
    assert ratelimit.count("otp-fail:ip:10.77.0.1") == 5
    assert ratelimit.count("otp-fail:ip:unknown") == 0
    refused = client.post(
        reverse("security:totp_verify"),
        {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
        REMOTE_ADDR="10.77.0.1",
    )
    assert refused.status_code == 429 and "from your network" in refused.content.decode()
    assert TOTPDevice.objects.get(user__email="kepala.plg@ptsp.local").last_used_step == 0


def test_a_reused_code_is_refused_with_a_message_saying_so(enforced, client):
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    _password(client, SIGNER)
    assert client.post(reverse("security:totp_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password(client, SIGNER)
    replay = client.post(reverse("security:totp_verify"), {"code": code})
    assert replay.status_code == 400
    assert "This code was already used" in replay.content.decode()
    assert not client.session.get(VERIFIED)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/signing/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
    ],
)
def test_the_next_target_after_the_code_stays_on_the_site(enforced, client, target):
    _password(client, SIGNER)
    response = client.post(
        reverse("security:totp_verify") + "?" + urlencode({"next": target}),
        {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_next_target_of_this_site_is_followed(enforced, client):
    _password(client, SIGNER)
    response = client.post(
        reverse("security:totp_verify") + "?next=/signing/",
        {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()},
    )
    assert response["Location"] == "/signing/"


def test_a_platform_admin_resets_a_lost_app(enforced, client):
    signer = User.objects.get(email=SIGNER)
    device = TOTPDevice.objects.get(user=signer)
    client.force_login(User.objects.get(email="admin@ptsp.local"))
    response = client.post(
        reverse("admin:security_totpdevice_changelist"),
        {"action": "reset_devices", "_selected_action": [device.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=signer).exists()
    # A region admin (monitor) cannot.
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    assert client.get(reverse("admin:security_totpdevice_changelist")).status_code == 403


def test_a_reused_code_is_refused_in_indonesian_by_default(settings, demo, client):
    settings.TOTP_ENFORCED = True
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    _password(client, SIGNER)
    client.post(reverse("security:totp_verify"), {"code": code})
    client.post(reverse("accounts:logout"))
    _password(client, SIGNER)
    replay = client.post(reverse("security:totp_verify"), {"code": code})
    assert replay.status_code == 400 and "Kode ini sudah pernah dipakai" in replay.content.decode()
