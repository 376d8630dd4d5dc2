"""The Content Security Policy in a real browser: no page breaks it (no violation reported), the
intake check page frames its document from our own origin, and an injected inline script does
not run."""

import pytest
from django.core.management import call_command

from tests.browser.helpers import login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    return violations


def test_pages_run_under_the_policy_without_violations(live_server, page):
    from accounts.models import User
    from tests.journeys import submitted_application

    call_command("seed_demo", "--quiet")
    application = submitted_application()
    violations = _watch(page)
    for path in ("/", "/catalog/", "/track/", "/accounts/login/", "/accounts/register/"):
        page.goto(f"{live_server.url}{path}")
    login_as(page, live_server, "budi.santoso@example.id")
    page.goto(f"{live_server.url}/applications/")
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    login_as(page, live_server, "verifikator.btg@ptsp.local")
    page.goto(f"{live_server.url}/intake/{application.pk}/")
    page.locator("details.doc-preview summary").first.click()  # previews load on demand
    frames = page.locator("iframe")
    if frames.count():
        frame = frames.first.element_handle().content_frame()
        frame.wait_for_load_state()
    page.wait_for_timeout(300)
    assert not violations, violations
    # The policy is in force: an inline script added by an attacker does not run.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.__injected") is None
    assert User.objects.filter(email="verifikator.btg@ptsp.local").exists()
    page.wait_for_timeout(300)
    assert any("inline script" in v for v in violations), violations
