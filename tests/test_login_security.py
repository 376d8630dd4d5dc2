"""Login and session security: lockout, session rotation, lifetimes, disabled accounts, CSP."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import KNOWN_BROWSER_COOKIE
from accounts.models import User
from agencies.demo import DEMO_PASSWORD
from ptsp import ratelimit
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
    client.cookies["django_language"] = "en"
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_ten_failures_from_one_address_lock_that_pair_only(en, demo):
    """The attacker from one address is stopped; the real user from another still gets in."""
    for _ in range(10):
        response = _login(en, APPLICANT, "wrong-password-1", ip="10.0.0.66")
        assert response.status_code == 200 and "_auth_user_id" not in en.session
    refused = _login(en, APPLICANT, ip="10.0.0.66")  # the right password, from there: paused
    text = refused.content.decode()
    assert "Too many failed log-in attempts for this account from your network" in text
    assert "other networks are not affected" in text and "reset your password" in text
    assert "_auth_user_id" not in en.session
    # The real user, from another address, logs in at once.
    assert _login(Client(), APPLICANT, ip="10.0.0.2").status_code == 302
    # Another account from the attacker's address is not affected either.
    assert _login(Client(), "siti.rahma@example.id", ip="10.0.0.66").status_code == 302


def test_failures_from_one_address_for_many_accounts_lock_that_address(en, demo):
    for n in range(30):
        _login(en, f"nobody{n}@example.id", "wrong-password-1", ip="10.9.9.9")
    response = _login(en, APPLICANT, ip="10.9.9.9")
    assert "Too many failed log-in attempts from your network" in response.content.decode()
    assert _login(Client(), APPLICANT, ip="10.9.9.10").status_code == 302


def test_a_distributed_attack_slows_the_account_down_but_a_known_browser_gets_in(en, demo):
    """Past ten failures of one account from all addresses, every further attempt waits a
    growing delay after the last failure; a browser that logged in to the account before
    carries a signed cookie and is not slowed down."""
    known = Client(HTTP_ACCEPT_LANGUAGE="en")
    known.cookies["django_language"] = "en"
    assert _login(known, APPLICANT, ip="10.5.0.200").status_code == 302
    known.post(reverse("accounts:logout"))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(15):  # from 15 addresses, below every per-address limit
            _login(en, APPLICANT, "wrong-password-1", ip=f"10.5.0.{n}")
        # The 11th failure made the next attempt wait (the 12th to 15th were refused before
        # their password was tried: they count no more), from any new address.
        assert ratelimit.count(f"login-fail:ip:10.5.0.{14}") == 0
        slowed = _login(en, APPLICANT, ip="10.5.0.100")
        text = slowed.content.decode()
        assert "This account has had many failed log-in attempts" in text and "1 second" in text
        assert "_auth_user_id" not in en.session
        # The real user's browser, known to the account, is not slowed down.
        assert _login(known, APPLICANT, ip="10.5.0.201").status_code == 302
        # A forged or other account's cookie does not count.
        forged = Client(HTTP_ACCEPT_LANGUAGE="en")
        forged.cookies[KNOWN_BROWSER_COOKIE] = "forged"
        assert _login(forged, APPLICANT, ip="10.5.0.202").status_code == 200
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        # One more failure, then two seconds to wait: the delay grows.
        _login(en, APPLICANT, "wrong-password-1", ip="10.5.0.50")
        assert "2 seconds" in _login(en, APPLICANT, ip="10.5.0.51").content.decode()
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert _login(Client(), APPLICANT, ip="10.5.0.101").status_code == 302


def test_the_slow_down_grows_and_has_a_ceiling():
    from accounts.lockout import account_delay

    assert [account_delay(n) for n in (0, 9, 10, 11, 12, 18)] == [0, 0, 0, 1, 2, 128]
    assert account_delay(40) == 300


def test_a_password_reset_lifts_the_accounts_lock(en, demo, mailoutbox):
    import re

    for _ in range(10):
        _login(en, APPLICANT, "wrong-password-1", ip="10.3.3.3")
    assert "Too many failed" in _login(en, APPLICANT, ip="10.3.3.3").content.decode()
    en.post(reverse("accounts:password_reset"), {"email": APPLICANT})
    link = re.search(r"http\S+/password/reset/\S+/", mailoutbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1]
    form = en.get(path, follow=True)
    new = "samarinda-tepian-2027"
    done = en.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    # The pause is lifted, from the attacker's address too (the new password is not theirs).
    assert _login(en, APPLICANT, new, ip="10.3.3.3").status_code == 302


def test_the_pair_lock_lasts_its_window_from_the_first_failure(en, demo):
    """15 minutes from the first failure, even with no failure in the last 5 (the counters once
    expired 300 s after the last failure: the database cache's default timeout)."""
    from datetime import UTC, datetime

    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            _login(en, APPLICANT, "wrong-password-1", ip="10.4.4.4")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        response = _login(en, APPLICANT, ip="10.4.4.4")
        assert "Too many failed log-in attempts" in response.content.decode()
        assert "1 minute" in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert _login(en, APPLICANT, ip="10.4.4.4").status_code == 302


def test_a_right_password_clears_its_own_pair_only(en, demo):
    for _ in range(9):
        _login(en, APPLICANT, "wrong-password-1", ip="10.1.1.1")
    assert _login(en, APPLICANT, ip="10.1.1.1").status_code == 302
    assert ratelimit.count("login-fail:ip:10.1.1.1") == 9  # the address's count stays


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
    from tests.journeys import submitted_application

    application = submitted_application()
    document = application.documents.first()
    login(STAFF)
    url = reverse("applications:download_document", args=[document.pk])
    inline = client.get(url + "?inline=1")
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    attachment = client.get(url)
    assert "frame-ancestors 'none'" in attachment["Content-Security-Policy"]


def test_the_messages_are_in_indonesian_by_default(client, demo):
    """The default language of the portal: the lockout tells the truth in Indonesian too."""
    for _ in range(10):
        client.post(
            reverse("accounts:login"),
            {"username": APPLICANT, "password": "wrong-password-1"},
            REMOTE_ADDR="10.8.8.8",
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": APPLICANT, "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.8.8.8",
    )
    text = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal untuk akun ini dari jaringan Anda" in text
    assert "jaringan lain tidak terpengaruh" in text
