"""One sign-in policy on every door: signing, revoking and confirming a rejection, on the web
and through the API, each ask for the password and a fresh second-factor code, under the same
lockout, and refuse a reused code saying it was already used. A refusal changes nothing."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from applications.models import Status
from applications.services.intake import application_accept
from applications.services.reviews import review_decide
from permits.models import Permit
from ptsp import ratelimit
from security.models import TOTPDevice
from security.totp import code_verify
from tests.journeys import (
    all_accepted,
    issued_permit,
    recommended_application,
    submitted_application,
)
from tests.stepup import fresh_code, step_up, used_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SIGNER = "kepala.btg@ptsp.local"
ADDRESS = "10.20.30.40"


@dataclass(frozen=True)
class Door:
    name: str
    api: bool
    url: str
    extra: dict
    done: object  # () -> bool: the act happened


def _proposed_rejection(run_outbox):
    application = submitted_application()
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        verdicts=all_accepted(application),
    )
    run_outbox()
    review = application.reviews.get(agency__code="DINKES")
    review_decide(review_id=review.pk, actor=review.assignee, decision="reject", reasons="RTRW")
    application.refresh_from_db()
    assert application.status == Status.REJECTION_PROPOSED
    return application


def _doors(kind: str, run_outbox) -> Door:
    if kind.endswith("sign"):
        application = recommended_application()

        def done():
            return Permit.objects.filter(application=application).exists()

        if kind == "web-sign":
            return Door(kind, False, reverse("permits:sign", args=[application.pk]), {}, done)
        return Door(kind, True, f"/api/v1/signing/{application.pk}/sign/", {}, done)
    if kind.endswith("revoke"):
        permit = issued_permit(run_outbox, SIGNER)

        def done():
            permit.refresh_from_db()
            return permit.status == Permit.Status.REVOKED

        extra = {"reason": "Izin dibatalkan."}
        if kind == "web-revoke":
            return Door(kind, False, reverse("permits:revoke", args=[permit.pk]), extra, done)
        return Door(kind, True, f"/api/v1/permits/{permit.pk}/revoke/", extra, done)
    application = _proposed_rejection(run_outbox)

    def done():
        application.refresh_from_db()
        return application.status == Status.REJECTED

    if kind == "web-confirm":
        url = reverse("applications:rejection", args=[application.pk])
        return Door(kind, False, url, {"action": "confirm", "note": ""}, done)
    url = f"/api/v1/signing/rejections/{application.pk}/confirm/"
    return Door(kind, True, url, {"note": ""}, done)


DOORS = ["web-sign", "api-sign", "web-revoke", "api-revoke", "web-confirm", "api-confirm"]


def _client(door: Door):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en") if door.api else Client()
    client.force_login(User.objects.get(email=SIGNER))
    return client


def _post(client, door: Door, data: dict):
    if door.api:
        return client.post(door.url, data, format="json", REMOTE_ADDR=ADDRESS)
    return client.post(door.url, data, REMOTE_ADDR=ADDRESS)


def _refused(response, door: Door, status: int, text: str, code: str | None = None):
    assert response.status_code == status, response.content[:500]
    if door.api:
        body = response.json()["error"]
        assert text in body["message"] or any(
            text in m for ms in body["fields"].values() for m in ms
        )
        if code:
            assert body["code"] == code
    else:
        assert text in response.content.decode()
    assert not door.done(), f"{door.name}: refused, yet it happened"


@pytest.mark.parametrize("kind", DOORS)
def test_every_door_needs_the_password_and_a_fresh_code(kind, demo, signing_cert, run_outbox):
    door = _doors(kind, run_outbox)
    client = _client(door)
    # No code.
    response = _post(client, door, {"password": "demo-ptsp-2026", **door.extra})
    _refused(response, door, 400, "This field is required")
    # A wrong code.
    response = _post(client, door, {"password": "demo-ptsp-2026", "code": "000000", **door.extra})
    _refused(response, door, 400, "That code is not right", "otp_wrong")
    # A wrong password with a right code: the code is not even looked at.
    code = fresh_code(SIGNER)
    response = _post(client, door, {"password": "wrong-one-12", "code": code, **door.extra})
    _refused(response, door, 400, "The password is not correct", "password_incorrect")
    # The password and a fresh code: done.
    response = _post(client, door, step_up(SIGNER, **door.extra))
    assert response.status_code in (200, 202, 302), response.content[:500]
    assert door.done()


@pytest.mark.parametrize("kind", ["web-sign", "api-sign", "web-confirm", "api-confirm"])
def test_a_reused_code_is_refused_saying_it_was_already_used(kind, demo, signing_cert, run_outbox):
    door = _doors(kind, run_outbox)
    client = _client(door)
    # The code the signer just used (e.g. at the login's second step) does not work again.
    first = step_up(SIGNER)
    code_verify(actor=User.objects.get(email=SIGNER), code=first["code"], request=None)
    assert used_code(SIGNER) == first["code"]
    response = _post(client, door, {**first, **door.extra})
    _refused(response, door, 400, "This code was already used", "otp_reused")
    assert TOTPDevice.objects.get(user__email=SIGNER).last_used_step > 0


@pytest.mark.parametrize("kind", DOORS)
def test_a_locked_signer_cannot_act_through_any_door(kind, demo, signing_cert, run_outbox):
    """Ten wrong passwords (at the login page, or at any door) lock the signer's account from
    that address for every door: the right password and a fresh code are refused too."""
    door = _doors(kind, run_outbox)
    client = _client(door)
    for _ in range(10):
        response = _post(client, door, {"password": "wrong-one-12", "code": "1", **door.extra})
        assert response.status_code == 400
    response = _post(client, door, step_up(SIGNER, **door.extra))
    _refused(response, door, 429 if door.api else 400, "Too many failed log-in attempts")
    # The login page from that address says the same: one policy.
    login = Client().post(
        reverse("accounts:login"),
        {"username": SIGNER, "password": "demo-ptsp-2026"},
        REMOTE_ADDR=ADDRESS,
    )
    assert login.status_code == 200 and "Too many failed log-in attempts" in login.content.decode()


def test_fifteen_wrong_passwords_through_the_api_are_counted_and_lock(
    demo, signing_cert, run_outbox
):
    """The hole of issue 14: the API's signing checked the password without the lockout."""
    door = _doors("api-sign", run_outbox)
    client = _client(door)
    statuses = [
        _post(client, door, {"password": f"guess-{n}-xxxx", "code": "123456"}).status_code
        for n in range(15)
    ]
    assert statuses == [400] * 10 + [429] * 5
    assert ratelimit.count(f"login-fail:ip:{ADDRESS}") == 10
    assert not door.done()


def test_a_locked_signer_from_the_login_page_cannot_sign_through_the_api(
    demo, signing_cert, run_outbox
):
    for _ in range(10):
        Client().post(
            reverse("accounts:login"),
            {"username": SIGNER, "password": "wrong-one-12"},
            REMOTE_ADDR=ADDRESS,
        )
    door = _doors("api-sign", run_outbox)
    response = _post(_client(door), door, step_up(SIGNER))
    _refused(response, door, 429, "Too many failed log-in attempts", "locked")
