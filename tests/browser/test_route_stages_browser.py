"""A clinic permit in two stages (issue 18), in Chromium: DLH has recommended (stage 1); the
Health Office's officer recommends, the head approves it from the approvals queue, and the file
reaches the signer; the pages show the stages."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from applications.models import Status
from applications.services.reviews import review_decide
from outbox.testing import run_pending
from tests.browser.helpers import login_as, serious_violations
from tests.journeys import applicant, demo_type, draft, route, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stage_two_officer_recommends_and_the_head_approves(live_server, page):
    call_command("seed_demo", "--quiet")
    page.set_default_timeout(30000)
    application = route(submit(draft(demo_type("BTG", "IOK"), applicant())), run_pending)
    number = application.tracking_number
    dlh = application.reviews.select_related("assignee").get()
    review_decide(review_id=dlh.pk, actor=dlh.assignee, decision="recommend", reasons="SPPL sesuai")
    dinkes = application.reviews.select_related("assignee").get(agency__code="DINKES")

    # The Health Office's officer recommends: it goes to the head.
    login_as(page, live_server, dinkes.assignee.email)
    page.get_by_role("link", name=number).click()
    expect(page.locator("#route-stages")).to_contain_text("Stage 1")
    expect(page.locator("#route-stages")).to_contain_text("Stage 2")
    page.get_by_text("Recommend", exact=True).click()
    page.fill("#reasons", "Visitasi sesuai; BAP terlampir")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".alert-success")).to_contain_text("agency head for approval")

    # The head finds it in the approvals queue and approves it.
    login_as(page, live_server, "kepala.dinkes.btg@ptsp.local")
    page.get_by_role("link", name="Approvals").click()
    expect(page.locator("main h1")).to_have_text("Recommendations to approve")
    assert serious_violations(page) == []
    page.get_by_role("link", name=number).click()
    expect(page.locator("#head-approval")).to_contain_text("Visitasi sesuai")
    assert serious_violations(page) == []
    page.get_by_text("Approve the recommendation").click()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".alert-success")).to_contain_text("Recommendation approved")
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
