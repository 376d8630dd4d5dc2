"""Authentication and authorisation events each write one structured line on `ptsp.security`
(security.audit) with the client's address behind the trusted proxy and the account, and never
the password, the code or the e-mail address: a failed login, the lockout, a refused attempt, a
wrong second-factor code, a role change, an admin action."""

import io
import json
import logging

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, Membership, Role
from ptsp.observability import context
from ptsp.observability.logging import console_handler
from security.audit import account_ref
from security.demo import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db

APPLICANT = "budi.santoso@example.id"
SIGNER = "kepala.btg@ptsp.local"
WRONG_PASSWORD = "salah-kata-sandi-91"  # the secret that must not be logged
PROXY = "172.18.0.5"
CLIENT_ADDRESS = "198.51.100.23"


@pytest.fixture
def security_lines(settings):
    """The production handler (JSON, context, redaction) on the root logger; the lines of
    `ptsp.security` and the whole text."""
    settings.LOGGING_CONFIG = None
    settings.TRUSTED_PROXY_COUNT = 1
    stream = io.StringIO()
    handler = console_handler(json=True, stream=stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
        return [line for line in parsed if line["logger"] == "ptsp.security"]

    lines.text = stream.getvalue
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)
    context.clear()


def _behind_proxy(client: Client, method: str, url: str, data=None, forged="6.6.6.6"):
    """A request as Caddy forwards it: the client forged an X-Forwarded-For entry, Caddy
    appended the address it saw."""
    return getattr(client, method)(
        url,
        data or {},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{forged}, {CLIENT_ADDRESS}",
    )


def _events(lines, name):
    return [line for line in lines() if line["event"] == name]


def test_failed_logins_and_the_lockout_are_logged_with_address_and_account(
    demo, settings, security_lines
):
    settings.LOGIN_FAILURE_LIMIT = 3
    applicant = User.objects.get(email=APPLICANT)
    client = Client()
    for _ in range(3):
        data = {"username": APPLICANT, "password": WRONG_PASSWORD}
        _behind_proxy(client, "post", reverse("accounts:login"), data)
    _behind_proxy(
        client,
        "post",
        reverse("accounts:login"),
        {"username": APPLICANT, "password": "kunci-lain-7"},
    )
    failed = _events(security_lines, "auth.login_failed")
    assert len(failed) == 3
    for line in failed:
        assert line["level"] == "WARNING"
        assert line["client_address"] == CLIENT_ADDRESS  # not the proxy's, not the forged one
        assert line["account_id"] == str(applicant.pk)
        assert line["account_ref"] == account_ref(APPLICANT)
        assert line["request_id"]
    (locked,) = _events(security_lines, "auth.locked")
    assert locked["scope"] == "account_and_address"
    assert locked["client_address"] == CLIENT_ADDRESS
    assert locked["account_id"] == str(applicant.pk)
    refused = _events(security_lines, "auth.login_refused")
    assert refused and refused[0]["client_address"] == CLIENT_ADDRESS

    text = security_lines.text()
    assert WRONG_PASSWORD not in text and "kunci-lain-7" not in text
    assert APPLICANT not in text and "budi.santoso" not in text
    assert "6.6.6.6" not in json.dumps(security_lines())


def test_an_unknown_account_is_logged_by_its_keyed_hash_only(demo, security_lines):
    nobody = "nobody-here@example.id"
    _behind_proxy(
        Client(),
        "post",
        reverse("accounts:login"),
        {"username": nobody, "password": WRONG_PASSWORD},
    )
    (line,) = _events(security_lines, "auth.login_failed")
    assert line.get("account_id") is None
    assert line["account_ref"] == account_ref(nobody) == account_ref(" Nobody-Here@example.id ")
    assert nobody not in security_lines.text() and WRONG_PASSWORD not in security_lines.text()


def test_wrong_second_factor_codes_and_their_lock_are_logged_without_the_code(
    demo, settings, security_lines
):
    settings.TOTP_ENFORCED = True
    settings.OTP_FAILURE_LIMIT = 2
    signer = User.objects.get(email=SIGNER)
    client = Client()
    data = {"username": SIGNER, "password": DEMO_PASSWORD}
    assert _behind_proxy(client, "post", reverse("accounts:login"), data).status_code == 302
    right = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(2):
        response = _behind_proxy(client, "post", reverse("security:totp_verify"), {"code": wrong})
        assert response.status_code == 400
    refused = _behind_proxy(client, "post", reverse("security:totp_verify"), {"code": right})
    assert refused.status_code == 429

    failed = _events(security_lines, "auth.otp_failed")
    assert len(failed) == 2
    assert {line["reason"] for line in failed} == {"wrong"}
    assert {line["client_address"] for line in failed} == {CLIENT_ADDRESS}
    assert {line["account_id"] for line in failed} == {str(signer.pk)}
    assert {line["scope"] for line in _events(security_lines, "auth.otp_locked")} == {
        "account",
        "address",
    }
    assert _events(security_lines, "auth.otp_refused")[0]["account_id"] == str(signer.pk)
    text = security_lines.text()
    assert wrong not in text and right not in text and DEMO_PASSWORD not in text
    assert DEMO_TOTP_SECRET not in text and SIGNER not in text


def test_a_role_change_in_the_admin_logs_the_admin_action_and_the_role(demo, security_lines):
    admin = User.objects.get(email="admin@ptsp.local")
    applicant = User.objects.get(email=APPLICANT)
    agency = Agency.objects.filter(kind=Agency.Kind.OPD, region__code="BTG").first()
    client = Client()
    client.force_login(admin)
    response = _behind_proxy(
        client,
        "post",
        reverse("admin:agencies_membership_add"),
        {"user": applicant.pk, "agency": agency.pk, "role": Role.OFFICER},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=applicant, agency=agency)

    (granted,) = _events(security_lines, "role.granted")
    assert granted["account_id"] == str(applicant.pk)
    assert granted["actor_id"] == str(admin.pk)
    assert granted["agency_id"] == str(agency.pk) and granted["role"] == Role.OFFICER
    assert granted["client_address"] == CLIENT_ADDRESS
    (action,) = _events(security_lines, "admin.action")
    assert action == {
        **action,
        "action": "add",
        "model": "agencies.membership",
        "object_id": str(membership.pk),
        "actor_id": str(admin.pk),
        "client_address": CLIENT_ADDRESS,
    }

    response = _behind_proxy(
        client,
        "post",
        reverse("admin:agencies_membership_delete", args=[membership.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    (revoked,) = _events(security_lines, "role.revoked")
    assert revoked["account_id"] == str(applicant.pk) and revoked["actor_id"] == str(admin.pk)
    assert [a["action"] for a in _events(security_lines, "admin.action")] == ["add", "delete"]
    assert APPLICANT not in security_lines.text()


def test_making_someone_staff_or_superuser_is_logged(demo, security_lines):
    applicant = User.objects.get(email=APPLICANT)
    applicant.is_staff = True
    applicant.save()
    applicant.save(update_fields=["last_login"])  # an unrelated save: no line
    (line,) = _events(security_lines, "role.staff_flags_changed")
    assert line["account_id"] == str(applicant.pk)
    assert line["is_staff"] is True and line["is_superuser"] is False
