"""The client's address behind the reverse proxy (ptsp.middleware.ClientAddressMiddleware): taken
from X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies, so that per-address limits count
clients, not the proxy, and a client without a proxy cannot choose its own address."""

import itertools

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ptsp.middleware import PROXY_ADDR, ClientAddressMiddleware

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.5"  # Caddy's address on the compose network
_NUMBERS = itertools.count(1)


def _resolved(meta: dict) -> dict:
    request = RequestFactory().get("/", **meta)
    ClientAddressMiddleware(lambda r: None)(request)
    return request.META


def test_the_default_outside_production_is_no_proxy(settings):
    from django.conf import settings as live

    assert live.TRUSTED_PROXY_COUNT == 0
    assert live.MIDDLEWARE[0] == "ptsp.middleware.ClientAddressMiddleware"
    assert live.REST_FRAMEWORK["NUM_PROXIES"] == 0  # DRF counts by the resolved REMOTE_ADDR


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the left entry is the client's word
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # a balancer in front of Caddy
        (1, " 2001:DB8::1 ", "2001:db8::1"),
        # ignored: REMOTE_ADDR stays the proxy's
        (0, "198.51.100.7", PROXY),
        (1, "", PROXY),
        (1, "not-an-ip", PROXY),
        (1, "unknown", PROXY),
        (1, "198.51.100.7:4431", PROXY),
        (1, "198.51.100.7, <script>", PROXY),
        (1, "198.51.100.7,", PROXY),
        (2, "198.51.100.7", PROXY),  # fewer entries than proxies
    ],
)
def test_the_address_the_nearest_trusted_proxy_saw(settings, trusted, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    meta = _resolved({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for})
    assert meta["REMOTE_ADDR"] == expected
    if expected == PROXY:
        assert PROXY_ADDR not in meta
    else:
        assert meta[PROXY_ADDR] == PROXY


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, demo, settings):
    """The login lockout stays keyed on the connection's address, whatever the header says."""
    settings.TRUSTED_PROXY_COUNT = 0
    client.cookies["django_language"] = "en"
    url = reverse("accounts:login")
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(
            url,
            {"username": f"nobody{n}@example.id", "password": "wrong-password-1"},
            REMOTE_ADDR="10.5.5.5",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(
        url,
        {"username": "budi.santoso@example.id", "password": "demo-ptsp-2026"},
        REMOTE_ADDR="10.5.5.5",
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert "Too many failed log-in attempts" in response.content.decode()
    response = client.post(
        url,
        {"username": "budi.santoso@example.id", "password": "demo-ptsp-2026"},
        REMOTE_ADDR="10.5.5.6",
    )
    assert response.status_code == 302


def _guess(client, forwarded_for: str):
    """A wrong guess, each time of another tracking number (the page also counts per number)."""
    return client.post(
        reverse("applications:track"),
        {"tracking_number": f"BTG-1999-{next(_NUMBERS):06d}", "contact": "guess@example.id"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_one_proxy_two_clients_are_counted_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.cookies["django_language"] = "en"
    for _ in range(10):
        assert _guess(client, "198.51.100.1").status_code == 404
    assert _guess(client, "198.51.100.1").status_code == 429
    # Prepending a made-up address does not give the first client a fresh counter.
    assert _guess(client, "203.0.113.9, 198.51.100.1").status_code == 429
    # The second client behind the same proxy is not held by the first one's guesses.
    assert _guess(client, "198.51.100.2").status_code == 404


def test_behind_a_proxy_a_garbage_header_counts_as_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        assert _guess(client, f"garbage-{n}").status_code == 404
    # Every malformed header was counted under the proxy's address, not as ten new clients.
    assert _guess(client, "garbage-new").status_code == 429
    assert _guess(client, "198.51.100.3").status_code == 404


def test_the_access_log_records_the_clients_address(client, login, demo, settings):
    from security.models import DocumentAccess
    from tests.journeys import submitted_application

    settings.TRUSTED_PROXY_COUNT = 1
    document = submitted_application().documents.filter(is_current=True).first()
    login("verifikator.btg@ptsp.local")
    response = client.get(
        reverse("applications:download_document", args=[document.pk]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert response.status_code == 200
    assert DocumentAccess.objects.get().ip_address == "198.51.100.23"


@pytest.mark.parametrize("forwarded_for", ["198.51.100.7", "6.6.6.6, 198.51.100.7", "garbage"])
def test_the_api_throttle_counts_the_same_address(settings, forwarded_for):
    from rest_framework.request import Request

    from api.throttling import PerAnonymousIpThrottle

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/api/v1/catalog/", REMOTE_ADDR=PROXY)
    request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    ClientAddressMiddleware(lambda r: None)(request)
    ident = PerAnonymousIpThrottle().get_ident(Request(request))
    assert ident == request.META["REMOTE_ADDR"]
    assert ident == ("198.51.100.7" if forwarded_for != "garbage" else PROXY)


@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_bad_proxy_count_refuses_to_start_and_names_the_variable(value):
    from tests.test_production_settings import run

    result = run({"TRUSTED_PROXY_COUNT": value})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr
