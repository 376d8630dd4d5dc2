"""One application through intake and two OPDs in parallel — one asks for a revision, the
applicant answers, both recommend — to the signer's queue, each step as its role, in Chromium."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from applications.models import Status
from outbox.testing import run_pending
from tests.browser.helpers import login_as, serious_violations
from tests.journeys import PDF, submitted_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_intake_two_opds_revision_and_recommendation_to_the_signer(live_server, page):
    call_command("seed_demo", "--quiet")
    page.set_default_timeout(30000)
    application = submitted_application()
    number = application.tracking_number

    # The front office accepts every document.
    login_as(page, live_server, "verifikator.btg@ptsp.local")
    expect(page.locator("main h1")).to_have_text("Intake queue")
    page.get_by_role("link", name=number).click()
    for radio in page.locator("input[type=radio][value=accepted]").all():
        radio.check()
    assert serious_violations(page) == []
    # Open one PDF preview, as a verifier does before deciding.
    page.locator("details.doc-preview summary").first.click()
    expect(page.locator("details.doc-preview iframe").first).to_be_visible()
    page.get_by_role("button", name="Accept and route").press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("routed")
    run_pending()  # the routing task, as the worker runs it
    reviews = {r.agency.code: r for r in application.reviews.select_related("agency", "assignee")}
    assert set(reviews) == {"DINKES", "DLH"}

    # Dinas Kesehatan asks for a revision of the floor plan.
    login_as(page, live_server, reviews["DINKES"].assignee.email)
    page.get_by_role("link", name=number).click()
    assert serious_violations(page) == []
    page.get_by_text("Request a revision from the applicant").click()
    page.get_by_text("What must change (for a revision request)").click()
    page.locator("[name='item_note_document:denah']").fill("Cantumkan ukuran ruang tindakan")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".alert-success")).to_contain_text("Revision requested")

    # Dinas Lingkungan Hidup recommends meanwhile.
    login_as(page, live_server, reviews["DLH"].assignee.email)
    page.get_by_role("link", name=number).click()
    page.get_by_text("Recommend", exact=True).click()
    page.fill("#reasons", "Dokumen lingkungan (SPPL) memenuhi syarat")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".alert-success")).to_contain_text("Recommendation recorded")

    # The applicant answers: a new floor plan and a note.
    login_as(page, live_server, "budi.santoso@example.id")
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    page.get_by_role("link", name="Answer the revision request").click()
    expect(page.locator("main")).to_contain_text("Cantumkan ukuran ruang tindakan")
    page.locator("input[type=file]").set_input_files(
        {"name": "denah-baru.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload replacement").click()
    expect(page.locator(".alert-success")).to_contain_text("Replacement uploaded")
    page.fill("#note", "Denah sudah dilengkapi ukuran")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".alert-success")).to_contain_text("Your answer has been sent")

    # The same Dinkes officer continues the same review and recommends.
    login_as(page, live_server, reviews["DINKES"].assignee.email)
    page.get_by_role("link", name=number).click()
    page.get_by_text("Recommend", exact=True).click()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".alert-success")).to_contain_text("Recommendation recorded")
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED

    # It is in the signer's queue.
    login_as(page, live_server, "kepala.btg@ptsp.local")
    page.goto(f"{live_server.url}/signing/")
    expect(page.locator("main")).to_contain_text(number)
