"""In a real browser: the signer signs and sees the permit issued without reloading, the
applicant downloads the signed PDF, and the public verification page accepts that file."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from permits.models import Permit
from tests.conftest import in_worker_thread
from tests.journeys import recommended_application
from tests.stepup import fresh_code

PASSWORD = "demo-ptsp-2026"


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_download_and_verify_in_the_browser(
    demo, signing_cert, live_server, page, run_outbox, tmp_path
):
    signing_cert.SITE_URL = live_server.url
    application = recommended_application()
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # The signer signs from the queue, confirming with the password and a code from the app.
    _log_in(page, base, "kepala.btg@ptsp.local")
    page.goto(base + reverse("permits:signing_queue"))
    page.get_by_role("link", name="Open").first.click()
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", fresh_code("kepala.btg@ptsp.local"))
    page.get_by_test_id("sign-and-issue").click()
    # The answer replaces the page: wait for it, not for the load state of the page clicked on.
    expect(page.get_by_test_id("issuance-status")).to_contain_text("Being issued")

    # The worker renders and signs; the page follows by polling, without a reload.
    in_worker_thread(run_outbox, timeout=60)
    number = Permit.objects.get(application=application).number
    page.get_by_test_id("issued-number").wait_for(timeout=10_000)
    assert page.get_by_test_id("issued-number").inner_text() == number

    # The applicant downloads the signed PDF.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _log_in(page, base, "budi.santoso@example.id")
    page.goto(base + reverse("permits:my_permits"))
    with page.expect_download() as download_info:
        page.get_by_test_id("download-permit").first.click()
    pdf_path = tmp_path / "downloaded.pdf"
    download_info.value.save_as(pdf_path)
    permit = Permit.objects.get(application=application)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"

    # Anyone checks it on the public page reached from the QR code.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + reverse("permits:verify", args=[permit.verification_token]))
    assert page.get_by_test_id("permit-number").inner_text() == number
    page.set_input_files("input[name=file]", str(pdf_path))
    page.get_by_role("button", name="Check the file").click()
    result = page.get_by_test_id("check-result").inner_text()
    assert re.search(r"Genuine: this is the issued file", result), result
    assert "Signed with the region's certificate." in result
