"""In a real browser (Playwright, Debian's Chromium): in a region that signs with BSrE the signer
finds a confirmed rejection's letter under "Rejection letters to sign", signs it with the step-up
and the BSrE passphrase, and the progress page shows it signed."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Notification
from permits.models import RejectionLetter
from tests.bsre.conftest import BSRE_PASSPHRASE
from tests.bsre.test_configuration import SIGNER, configure_bsre
from tests.bsre.test_rejection_letters_bsre import rejected_application
from tests.conftest import in_worker_thread
from tests.stepup import fresh_code

PASSWORD = "demo-ptsp-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_a_rejection_letter_with_bsre(
    demo, signing_cert, simulator, monkeypatch, live_server, page, run_outbox, tmp_path
):
    simulator._faults.clear()
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(Path(signing_cert.SIGNING_CA_PATH).read_bytes() + simulator.ca_pem())
    signing_cert.SIGNING_CA_PATH = str(bundle)
    configure_bsre(simulator, monkeypatch)
    application = rejected_application()
    letter = application.rejection_letter
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", SIGNER)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(base + reverse("permits:signing_queue"))
    expect(page.get_by_test_id("letter-row")).to_contain_text(letter.number)
    page.get_by_test_id("choose-letter").check()
    page.fill("input[name=letters-password]", PASSWORD)
    page.fill("input[name=letters-code]", fresh_code(SIGNER))
    page.select_option("select[name=letters-kind]", "passphrase")
    page.fill("input[name=letters-secret]", BSRE_PASSPHRASE)
    page.get_by_test_id("sign-letters").click()
    expect(page.get_by_test_id("batch-status")).to_be_visible()
    assert BSRE_PASSPHRASE not in page.content()

    in_worker_thread(run_outbox, timeout=120)
    expect(page.get_by_test_id("batch-status")).to_have_attribute("data-finished", "true")
    expect(page.get_by_test_id("batch-status")).to_contain_text("1 of 1 letters signed")
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.SIGNED and letter.file
    assert Notification.objects.filter(kind="rejected", application=application).count() == 1
