"""Cookies, HSTS and the second factor as configured in production (a subprocess with
DJANGO_ENV=production, like tests/test_production_settings.py)."""

import json

from tests.test_production_settings import run

NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "TOTP_ENFORCED",
    "TOTP_REQUIRED_ROLES",
    "SESSION_STAFF_IDLE_SECONDS",
    "SESSION_ABSOLUTE_SECONDS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW",
    "MIDDLEWARE",
    "TRUSTED_PROXY_COUNT",
    "SIGNING_CERT_PER_REGION",
    "VERIFY_CHECKS_PER_WINDOW",
    "VERIFY_CHECKS_PER_PERMIT",
    "VERIFY_CHECK_WINDOW_SECONDS",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "API_TOKEN_DAYS",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "OTP_FAILURE_LIMIT",
]


def test_production_cookies_hsts_and_second_factor():
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))"
    )
    result = run({}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    # The language cookie too (issue 14: it was not Secure in production).
    assert values["LANGUAGE_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_HTTPONLY"]
    assert values["API_TOKEN_DAYS"] == 90
    assert values["LOGIN_ADDRESS_FAILURE_LIMIT"] == 30 and values["OTP_FAILURE_LIMIT"] == 5
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["TOTP_ENFORCED"] and values["TOTP_REQUIRED_ROLES"] == ["signer"]
    assert values["SESSION_STAFF_IDLE_SECONDS"] == 30 * 60
    assert values["SESSION_ABSOLUTE_SECONDS"] == 12 * 60 * 60
    assert values["LOGIN_FAILURE_LIMIT"] == 10 and values["LOGIN_FAILURE_WINDOW"] == 15 * 60
    middleware = values["MIDDLEWARE"]
    # Behind Caddy: the client's address is the one X-Forwarded-For entry Caddy sets, decided
    # before anything reads it.
    assert values["TRUSTED_PROXY_COUNT"] == 1
    assert middleware[0] == "ptsp.middleware.ClientAddressMiddleware"
    assert values["VERIFY_CHECKS_PER_WINDOW"] == 20 and values["VERIFY_CHECKS_PER_PERMIT"] == 60
    assert values["VERIFY_CHECK_WINDOW_SECONDS"] == 600
    # Unset: on as soon as the deployment hosts more than one region (docs/deploy.md).
    assert values["SIGNING_CERT_PER_REGION"] is None
    for name in (
        "security.csp.ContentSecurityPolicyMiddleware",
        "security.sessions.SessionLifetimeMiddleware",
        "security.totp.TwoFactorMiddleware",
    ):
        assert name in middleware
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < (
        middleware.index("security.sessions.SessionLifetimeMiddleware")
    )
