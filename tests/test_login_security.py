"""Login and session security: lockout, session rotation, lifetimes, disabled accounts, CSP."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from security.sessions import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

APPLICANT = "budi.santoso@example.id"
STAFF = "verifikator.btg@ptsp.local"


@pytest.fixture(autouse=True)
def _lifetimes(settings):
    settings.SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
    settings.SESSION_STAFF_IDLE_SECONDS = 30 * 60


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _login(client, email, password=DEMO_PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_ten_failures_lock_the_account_with_a_clear_message(en, demo):
    for _ in range(10):
        response = _login(en, APPLICANT, "wrong-password-1")
        assert response.status_code == 200 and "_auth_user_id" not in en.session
    response = _login(en, APPLICANT, ip="10.0.0.2")  # right password, other IP: still locked
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in en.session
    # Another account from another address is not affected.
    assert _login(en, "siti.rahma@example.id", ip="10.0.0.3").status_code == 302


def test_ten_failures_from_one_ip_lock_that_ip_for_every_account(en, demo):
    for n in range(10):
        _login(en, f"nobody{n}@example.id", "wrong-password-1", ip="10.9.9.9")
    response = _login(en, APPLICANT, ip="10.9.9.9")
    assert "Too many failed log-in attempts" in response.content.decode()
    assert _login(en, APPLICANT, ip="10.9.9.10").status_code == 302


def test_nine_failures_then_success_clears_the_account_counter(en, demo):
    for _ in range(9):
        _login(en, APPLICANT, "wrong-password-1", ip="10.1.1.1")
    assert _login(en, APPLICANT, ip="10.1.1.2").status_code == 302


def test_the_lockout_lasts_its_window_from_the_first_failure(en, demo):
    """15 minutes from the first failure, even with no failure in the last 5 (the counters once
    expired 300 s after the last failure: the database cache's default timeout)."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            _login(en, APPLICANT, "wrong-password-1", ip="10.4.4.4")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        response = _login(en, APPLICANT, ip="10.4.4.5")
        assert "Too many failed log-in attempts" in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert _login(en, APPLICANT, ip="10.4.4.5").status_code == 302


def test_login_rotates_the_session_key(client, demo):
    client.get(reverse("accounts:login"))
    client.session["probe"] = 1
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    assert _login(client, APPLICANT).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def _age(client, key, seconds):
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_staff_idle_for_30_minutes_are_logged_out(en, demo):
    _login(en, STAFF)
    _age(en, SEEN_AT, 29 * 60)
    assert en.get(reverse("applications:intake_queue")).status_code == 200
    _age(en, SEEN_AT, 31 * 60)
    response = en.get(reverse("applications:intake_queue"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in en.session


def test_applicants_have_no_idle_limit_but_everybody_has_12_hours(en, demo):
    _login(en, APPLICANT)
    _age(en, SEEN_AT, 3 * 60 * 60)
    assert en.get(reverse("applications:my_applications")).status_code == 200
    _age(en, LOGIN_AT, 12 * 60 * 60 + 5)
    response = en.get(reverse("applications:my_applications"), follow=True)
    assert "after 12 hours" in response.content.decode()


def test_a_disabled_account_loses_its_sessions_at_once(client, demo):
    _login(client, STAFF)
    assert client.get(reverse("applications:intake_queue")).status_code == 200
    user = User.objects.get(email=STAFF)
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
    response = client.get(reverse("applications:intake_queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_disabled_is_checked_per_request_even_if_the_session_survives(client, demo):
    _login(client, STAFF)
    User.objects.filter(email=STAFF).update(is_active=False)  # no signal: the row only
    response = client.get(reverse("applications:intake_queue"))
    assert response.status_code == 302


def test_csp_header_with_a_fresh_nonce_on_every_page(client, demo):
    first = client.get(reverse("home"))
    second = client.get(reverse("home"))
    policy = first["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "frame-src 'self'",
        "default-src 'self'",
    ):
        assert directive in policy
    assert "http" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert nonce not in second["Content-Security-Policy"]
    body = first.content.decode()
    # Every <script> and <style> of the page carries the nonce; no inline handlers.
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", body):
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+=", body)


def test_documents_shown_inline_may_be_framed_by_our_own_pages_only(client, login, demo):
    from tests.workflow_builders import submitted_application

    application = submitted_application()
    document = application.documents.first()
    login(STAFF)
    url = reverse("applications:download_document", args=[document.pk])
    inline = client.get(url + "?inline=1")
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    attachment = client.get(url)
    assert "frame-ancestors 'none'" in attachment["Content-Security-Policy"]
