"""In a real browser (Playwright, Debian's Chromium): the signer batch-signs 5 files with one
BSrE passphrase; the progress page follows each file; one fails (BSrE's answer for it does not
hold), the other 4 are issued, and their files verify on the public page."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Status
from bsre.client import SIGN_PDF_PATH
from permits.models import Permit, SigningBatchItem
from permits.verification import check_file
from tests.bsre.conftest import BSRE_PASSPHRASE
from tests.bsre.test_configuration import SIGNER, configure_bsre
from tests.conftest import in_worker_thread
from tests.journeys import recommended_application
from tests.stepup import fresh_code

PASSWORD = "demo-ptsp-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_batch_sign_five_files_one_failing(
    demo, signing_cert, simulator, monkeypatch, live_server, page, run_outbox, tmp_path
):
    simulator._faults.clear()
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(Path(signing_cert.SIGNING_CA_PATH).read_bytes() + simulator.ca_pem())
    signing_cert.SIGNING_CA_PATH = str(bundle)
    signing_cert.SITE_URL = live_server.url
    configure_bsre(simulator, monkeypatch)
    files = [recommended_application() for _ in range(5)]
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", SIGNER)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    # The queue: choose the five files, one step-up, one BSrE passphrase.
    page.goto(base + reverse("permits:signing_queue"))
    expect(page.get_by_test_id("bsre-signing")).to_be_visible()
    for box in page.get_by_test_id("choose").all():
        box.check()
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", fresh_code(SIGNER))
    page.select_option("select[name=kind]", "passphrase")
    page.fill("input[name=secret]", BSRE_PASSPHRASE)
    # BSrE's answer for the first file will not hold: that file fails alone.
    simulator.fail_next("bad_answer", paths=[SIGN_PDF_PATH])
    page.get_by_test_id("sign-selected").click()
    expect(page.get_by_test_id("batch-status")).to_be_visible()
    assert page.get_by_test_id("batch-item").count() == 5
    assert BSRE_PASSPHRASE not in page.content()

    # The worker signs; the page follows each file by polling, without a reload.
    in_worker_thread(run_outbox, timeout=120)
    expect(page.get_by_test_id("batch-status")).to_have_attribute("data-finished", "true")
    expect(page.get_by_test_id("batch-status")).to_contain_text("4 of 5 files issued")
    states = [item.get_attribute("data-state") for item in page.get_by_test_id("batch-item").all()]
    assert states == ["failed", "done", "done", "done", "done"]
    # The reason, as the worker recorded it (in the region's language).
    expect(page.get_by_test_id("batch-item").first).to_contain_text("tidak dapat digunakan")

    first = files[0]
    first.refresh_from_db()
    assert first.status == Status.RECOMMENDED
    issued = list(Permit.objects.filter(status=Permit.Status.VALID).order_by("sequence"))
    assert [p.sequence for p in issued] == [1, 2, 3, 4]  # no gap, no number for the failure
    assert SigningBatchItem.objects.filter(state="done").count() == 4

    # Each issued file verifies: its own hash, a valid signature chaining to the roots.
    for permit in issued:
        report = check_file(permit.file.open("rb").read(), permit=permit)
        assert report.hash_matches and report.signature.valid and report.signature.trusted
    # And one on the public page, reached from its link on the progress page.
    page.get_by_test_id("batch-verify").first.click()
    expect(page.get_by_test_id("permit-number")).to_have_text(issued[0].number)
