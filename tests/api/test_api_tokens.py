"""API tokens expire, die with the password and the roles they were made under, and are listed
and revoked by their owner."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Role
from api.models import ApiToken, Scope
from api.services import api_token_create
from ptsp.errors import DomainError
from tests.api.conftest import APPLICANT, SIGNER, VERIFIER, error, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _token(email, scopes=(Scope.READ,)):
    return api_token_create(user=user(email), name="desk", scopes=list(scopes), actor=None)


def _works(raw) -> bool:
    return (
        Client().get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )


def test_every_token_expires(settings, demo):
    settings.API_TOKEN_DAYS = 30
    token, raw = _token(VERIFIER)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    with pytest.raises(DomainError) as caught:
        api_token_create(
            user=user(VERIFIER),
            name="long",
            scopes=[Scope.READ],
            actor=user(VERIFIER),
            expires_at=timezone.now() + timedelta(days=31),
        )
    assert caught.value.code == "expiry_too_far" and "at most 30 days" in str(caught.value.message)
    assert _works(raw)
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1), tick=False):
        response = Client().get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401
        assert error(response)["code"] == "authentication_failed"


def test_the_token_page_refuses_a_too_long_expiry_with_a_message(demo):
    client = Client()
    client.force_login(user(VERIFIER))
    far = (timezone.localtime() + timedelta(days=400)).strftime("%Y-%m-%d %H:%M")
    response = client.post(
        reverse("api:tokens"), {"name": "x", "scopes": ["read"], "expires_at": far}
    )
    assert "A token lives at most 90 days" in response.content.decode()
    assert not ApiToken.objects.filter(user=user(VERIFIER)).exists()


def test_a_password_change_by_any_door_revokes_every_token(demo, mailoutbox):
    import re

    _t1, first = _token(VERIFIER)
    # The person changes it.
    client = Client()
    client.force_login(user(VERIFIER))
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "demo-ptsp-2026",
            "new_password1": "mahakam-senja-2027",
            "new_password2": "mahakam-senja-2027",
        },
    )
    assert not _works(first)
    assert ApiToken.objects.get(prefix=first[:11]).revoke_reason == ApiToken.RevokeReason.PASSWORD
    # A reset by e-mail.
    _t2, second = _token(VERIFIER)
    anonymous = Client()
    anonymous.post(reverse("accounts:password_reset"), {"email": VERIFIER})
    link = re.search(r"http\S+/password/reset/\S+/", mailoutbox[-1].body).group(0)
    form = anonymous.get(link.split("testserver", 1)[-1], follow=True)
    anonymous.post(
        form.redirect_chain[-1][0],
        {"new_password1": "pesut-mahakam-2028", "new_password2": "pesut-mahakam-2028"},
    )
    assert not _works(second)
    # A platform admin sets it.
    _t3, third = _token(VERIFIER)
    platform = Client()
    platform.force_login(user("admin@ptsp.local"))
    platform.post(
        reverse("admin:auth_user_password_change", args=[user(VERIFIER).pk]),
        {"password1": "bontang-kota-2029", "password2": "bontang-kota-2029"},
    )
    assert not _works(third)
    # Saving the person without a new password revokes nothing.
    _t4, fourth = _token(VERIFIER)
    person = user(VERIFIER)
    person.full_name = "Rina V."
    person.save()
    assert _works(fourth)


def test_a_role_change_revokes_every_token(demo):
    _token_row, raw = _token(VERIFIER)
    membership = Membership.objects.get(user=user(VERIFIER), role=Role.VERIFIER)
    membership.is_active = False
    membership.save()
    assert not _works(raw)
    _token_row, again = _token(VERIFIER)
    membership.is_active = True
    membership.save()
    assert not _works(again)
    _token_row, last = _token(SIGNER)
    Membership.objects.filter(user=user(SIGNER)).first().delete()
    assert not _works(last)


def test_the_owner_lists_and_revokes_its_tokens_even_an_applicant(as_user, demo):
    """An admin may make a token for an applicant's app; the applicant sees and revokes it."""
    token, raw = api_token_create(
        user=user(APPLICANT), name="mobile", scopes=[Scope.READ], actor=user("admin@ptsp.local")
    )
    _other, _raw = _token(VERIFIER)
    client = Client()
    client.force_login(user(APPLICANT))
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200 and "mobile" in page.content.decode()
    assert "Create token" not in page.content.decode()  # making tokens stays staff's
    assert client.post(reverse("api:tokens"), {"name": "x", "scopes": ["read"]}).status_code == 403
    api = as_user(APPLICANT)
    listed = api.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["mobile"] and listed[0]["is_active"]
    assert api.post(f"/api/v1/tokens/{_other.pk}/revoke/").status_code == 404  # not theirs
    # A token cannot revoke tokens (browser session only).
    with_token = Client().post(
        f"/api/v1/tokens/{token.pk}/revoke/", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert with_token.status_code == 403
    revoked = api.post(f"/api/v1/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoke_reason"] == "revoked"
    assert not _works(raw)
