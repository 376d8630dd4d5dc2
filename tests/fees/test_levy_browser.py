"""Issue 17 in a real browser: a PBG filed and routed, PUPR's officer assesses it on the levy
calculator page and recommends it, the SKRD is issued and the applicant reads its billing code,
then either the bank simulator's teller page pays it (over real HTTP, into the live portal's
H2H receiver) or the applicant uploads a proof the treasurer confirms; the signer signs and the
permit is issued, signed.

The filing itself is done through the services (tests.journeys; the filing journey has its own
browser tests, tests/browser/test_filing_journey.py): the levy is what these walk."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Status
from fees.models import Assessment, Bill, Payment, PaymentProof
from fees.simulator import BankSimulator
from permits.models import Permit
from tests.conftest import in_worker_thread
from tests.journeys import PDF, applicant, demo_type, draft, route, submit
from tests.stepup import fresh_code

PASSWORD = "demo-ptsp-2026"
APPLICANT = "budi.santoso@example.id"
SIGNER = "kepala.btg@ptsp.local"
TREASURER = "bendahara.btg@ptsp.local"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _filed_pbg():
    application = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    assert application.status == Status.IN_REVIEW
    return application


def _recommend(page, base: str, review) -> None:
    page.goto(base + reverse("applications:review", args=[review.pk]))
    page.get_by_label("Recommend", exact=True).check()
    page.fill("textarea[name=reasons]", "Persyaratan teknis terpenuhi.")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()


def _assessed_and_billed(page, base: str) -> Bill:
    """PUPR's officer computes on the calculator page (nothing saved), saves, and every OPD
    recommends in the browser: the SKRD is issued; the applicant reads its billing code."""
    application = _filed_pbg()
    reviews = list(application.reviews.select_related("agency", "assignee"))
    pupr = next(r for r in reviews if r.agency.code == "PUPR")
    _as(page, base, pupr.assignee.email)
    page.goto(base + reverse("applications:review", args=[pupr.pk]))
    page.get_by_role("link", name="Open the levy calculator").click()
    page.get_by_role("button", name="Compute (nothing is saved)").click()
    expect(page.get_by_role("heading", name="Computation, step by step")).to_be_visible()
    assert not Assessment.objects.filter(application=application).exists()
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("The levy is set. You may now recommend.")).to_be_visible()
    assessment = Assessment.objects.get(application=application)
    expect(page.get_by_text("Assessed:")).to_be_visible()
    assert assessment.total > 0
    _recommend(page, base, pupr)
    for review in reviews:
        if review.pk != pupr.pk:
            _as(page, base, review.assignee.email)
            _recommend(page, base, review)
    application.refresh_from_db()
    assert application.status == Status.AWAITING_PAYMENT
    bill = Bill.objects.get(application=application)

    _as(page, base, APPLICANT)
    page.goto(base + reverse("fees:bill", args=[application.pk]))
    expect(page.locator("code").first).to_have_text(bill.billing_code)
    return bill


def _signed_and_issued(page, base: str, bill: Bill, run_outbox) -> Permit:
    _as(page, base, SIGNER)
    page.goto(base + reverse("permits:signing_queue"))
    page.get_by_role("link", name="Open").first.click()
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", fresh_code(SIGNER))
    page.get_by_test_id("sign-and-issue").click()
    expect(page.get_by_test_id("issuance-status")).to_contain_text("Being issued")
    in_worker_thread(run_outbox, timeout=90)
    permit = Permit.objects.get(application_id=bill.application_id)
    page.get_by_test_id("issued-number").wait_for(timeout=15_000)
    assert page.get_by_test_id("issued-number").inner_text() == permit.number
    assert permit.status == "valid" and permit.file and permit.file.read()[:5] == b"%PDF-"
    bill.refresh_from_db()
    assert bill.pdf and not bill.pdf_error  # the SKRD, signed by the worker too
    return permit


def test_pbg_assessed_billed_paid_at_the_simulators_teller_then_signed(
    demo, signing_cert, live_server, page, run_outbox
):
    signing_cert.SITE_URL = live_server.url
    base = live_server.url
    bill = _assessed_and_billed(page, base)

    with BankSimulator(target=f"{base}/api/h2h/v1", timezone="Asia/Makassar") as bank:
        page.goto(bank.url + "/")
        page.select_option("select[name=bank]", "BANKKALTIMTARA")
        page.fill("input[name=billing_code]", bill.billing_code)
        page.get_by_role("button", name="Cek tagihan").click()
        expect(page.locator(".answer.ok")).to_contain_text(bill.number)
        page.get_by_role("button", name="Bayar").click()
        expect(page.get_by_role("status")).to_contain_text("Pembayaran berhasil")
        receipt = page.locator("#receipt").inner_text()
    payment = Payment.objects.get(bill=bill)
    assert payment.receipt_number == receipt and payment.amount == bill.total
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID

    _signed_and_issued(page, base, bill, run_outbox)


def test_pbg_paid_by_a_proof_the_treasurer_confirms_then_signed(
    demo, signing_cert, live_server, page, run_outbox, tmp_path
):
    signing_cert.SITE_URL = live_server.url
    base = live_server.url
    bill = _assessed_and_billed(page, base)

    # The applicant, on the SKRD's page, uploads the bank's transfer slip.
    proof_file = tmp_path / "bukti-transfer.pdf"
    proof_file.write_bytes(PDF)
    page.fill("input[name=paid_on]", bill.issued_on.isoformat())
    page.set_input_files("input[name=file]", str(proof_file))
    page.get_by_role("button", name="Upload the proof").click()
    page.wait_for_load_state()
    proof = PaymentProof.objects.get(bill=bill)
    assert proof.status == PaymentProof.Status.PENDING

    # The treasurer opens it from the queue and confirms.
    _as(page, base, TREASURER)
    page.goto(base + reverse("fees:proofs"))
    page.locator(f"a[href$='{reverse('fees:proof', args=[proof.pk])}']").first.click()
    page.get_by_role("button", name="Confirm the payment").click()
    page.wait_for_load_state()
    proof.refresh_from_db()
    bill.refresh_from_db()
    assert proof.status == PaymentProof.Status.CONFIRMED and bill.status == Bill.Status.PAID
    assert Payment.objects.get(bill=bill).method == Payment.Method.MANUAL

    _signed_and_issued(page, base, bill, run_outbox)
