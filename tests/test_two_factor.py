"""The TOTP second factor: required for signers, optional for other staff, replay refused,
recovery by a platform admin."""

import re

import pyotp
import pytest
from django.urls import reverse

from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from security.demo import DEMO_TOTP_SECRET
from security.models import TOTPDevice

pytestmark = pytest.mark.django_db

SIGNER = "kepala.btg@ptsp.local"
VERIFIER = "verifikator.btg@ptsp.local"


@pytest.fixture
def enforced(settings, demo, client):
    settings.TOTP_ENFORCED = True
    client.cookies["django_language"] = "en"
    return client


def _password(client, email):
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return response


def test_a_signer_must_give_the_code_before_any_page(enforced):
    client = enforced
    _password(client, SIGNER)
    queue = client.get(reverse("permits:signing_queue"))
    assert queue.status_code == 302 and queue["Location"] == reverse("security:totp_verify")
    assert client.get(reverse("applications:download_document", args=[1])).status_code == 302
    wrong = client.post(reverse("security:totp_verify"), {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert client.get(reverse("permits:signing_queue")).status_code == 302
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    before = client.cookies["sessionid"].value
    assert client.post(reverse("security:totp_verify"), {"code": code}).status_code == 302
    assert client.cookies["sessionid"].value != before  # new session key after the second step
    assert client.get(reverse("permits:signing_queue")).status_code == 200


def test_a_code_cannot_be_used_twice(enforced, client):
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    _password(client, SIGNER)
    assert client.post(reverse("security:totp_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password(client, SIGNER)
    replay = client.post(reverse("security:totp_verify"), {"code": code})
    assert replay.status_code == 400


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


def test_wrong_codes_count_towards_the_lockout(enforced, client):
    _password(client, SIGNER)
    for _ in range(10):
        client.post(reverse("security:totp_verify"), {"code": "000000"})
    response = client.post(
        reverse("security:totp_verify"), {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


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
