"""The client's address behind our reverse proxy, decided once for every later use.

gunicorn leaves REMOTE_ADDR as the address of the peer that opened the connection: behind Caddy
(or nginx) that is the proxy, the same for every visitor. Each proxy we run appends the address
it saw to X-Forwarded-For, so the client's address is the TRUSTED_PROXY_COUNT-th entry from the
right; entries further left were written by the client and prove nothing. With
TRUSTED_PROXY_COUNT = 0 (no proxy: development, tests) the header is ignored, as a client could
forge it. Everything that counts or records a client address reads REMOTE_ADDR after this: the
login lockout, the tracking and verification pages' limits (`ptsp.ratelimit.client_address`),
the document access log (`security.services.client_ip`) and the API throttles (DRF with
NUM_PROXIES = 0, i.e. REMOTE_ADDR).
"""

import ipaddress

from django.conf import settings

PROXY_ADDR = "PTSP_PROXY_ADDR"


def forwarded_client_address(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The address the nearest trusted proxy saw, from an X-Forwarded-For value; None when the
    header has fewer entries than trusted proxies or that entry is not an IP address."""
    if trusted_proxies <= 0 or not forwarded_for:
        return None
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    if len(entries) < trusted_proxies:
        return None
    try:
        return str(ipaddress.ip_address(entries[-trusted_proxies]))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client's address when we are behind
    TRUSTED_PROXY_COUNT proxies and X-Forwarded-For names it; the proxy's address is kept in
    META["PTSP_PROXY_ADDR"]. A missing, short or malformed header leaves REMOTE_ADDR as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = settings.TRUSTED_PROXY_COUNT
        if trusted > 0:
            address = forwarded_client_address(
                request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted
            )
            if address:
                request.META[PROXY_ADDR] = request.META.get("REMOTE_ADDR", "")
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
