import pytest
from rest_framework.test import APIClient

from accounts.models import User
from agencies.demo import DEMO_PASSWORD

VERIFIER = "verifikator.btg@ptsp.local"
VERIFIER_PLG = "verifikator.plg@ptsp.local"
SIGNER = "kepala.btg@ptsp.local"
SIGNER_PLG = "kepala.plg@ptsp.local"
MONITOR = "monitor.btg@ptsp.local"
APPLICANT = "budi.santoso@example.id"
OTHER_APPLICANT = "siti.rahma@example.id"


@pytest.fixture
def api():
    """A REST client speaking English unless a test says otherwise."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def as_user(api):
    """Log the API client in with a browser session as `email`."""

    def _as(email: str):
        api.logout()
        api.credentials()
        assert api.login(username=email, password=DEMO_PASSWORD), email
        return api

    return _as


def user(email: str) -> User:
    return User.objects.get(email=email)


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]
