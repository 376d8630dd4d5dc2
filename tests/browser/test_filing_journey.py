"""A new applicant registers, files an Izin Apotek with uploads, submits, and sees the tracking
number and the timeline — in a real Chromium."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from applications.demo import minimal_pdf, sample_image
from applications.models import Application, Status
from tests.browser.helpers import login_as

PDF = minimal_pdf()
PNG = sample_image("PNG")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_file_izin_apotek_submit_and_track(live_server, page):
    call_command("seed_demo", "--quiet")
    page.set_default_timeout(15000)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/accounts/register/")
    page.fill("#id_full_name", "Rina Apriani")
    page.fill("#id_email", "rina.apriani@example.id")
    page.fill("#id_nik", "6474014405920007")
    page.fill("#id_phone", "081355667788")
    page.fill("#id_password1", "pesut-mahakam-42")
    page.fill("#id_password2", "pesut-mahakam-42")
    page.locator("form button[type=submit]").last.click()
    # Registration answers the same for every address; the link in the e-mail confirms it.
    expect(page.locator(".alert-success")).to_contain_text("rina.apriani@example.id")
    from accounts.models import User
    from accounts.services import email_confirmation_token

    token = email_confirmation_token(User.objects.get(email="rina.apriani@example.id"))
    page.goto(f"{live_server.url}/accounts/confirm/{token}/")
    expect(page.locator(".alert-success")).to_be_visible()
    login_as(page, live_server, "rina.apriani@example.id", "pesut-mahakam-42")
    expect(page.locator("h1")).to_have_text("My applications")

    # From the empty state to the catalog, the SOP, and a new draft.
    page.get_by_role("link", name="Open the permit catalog").click()
    page.select_option("#region", "BTG")
    page.fill("#q", "apotek")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Pharmacy permit (SIA)").click()
    expect(page.locator("#fee")).to_contain_text("Free")
    page.get_by_role("button", name="Apply for this permit").click()
    expect(page.locator("#draft-form")).to_be_visible()

    page.fill("#id_business_name", "Apotek Pesut Sehat")
    page.fill("#id_nib", "9120305556667")
    page.fill("#id_kbli", "47721")
    page.fill("#id_address", "Jl. Awang Long No. 7")
    page.fill("#id_kelurahan", "Bontang Baru")
    page.fill("#id_kecamatan", "Bontang Utara")
    page.fill("#id_nama_apoteker", "apt. Rina Apriani, S.Farm.")
    page.fill("#id_nomor_sipa", "SIPA/0099/2026")
    page.fill("#id_luas_ruang", "45,5")
    page.select_option("#id_jenis_pemohon", "Perorangan")
    page.click("#save-draft")
    expect(page.locator(".alert-success")).to_be_visible()
    assert serious_violations(page) == []

    application = Application.objects.get(applicant__email="rina.apriani@example.id")
    for requirement in application.catalog_version.snapshot["requirements"]:
        if not requirement["is_required"]:
            continue
        is_pdf = "pdf" in requirement["accepted_kinds"]
        row = page.locator(f"#req-{requirement['code']}")
        row.locator("input[type=file]").set_input_files(
            {
                "name": f"{requirement['code']}.{'pdf' if is_pdf else 'png'}",
                "mimeType": "application/pdf" if is_pdf else "image/png",
                "buffer": PDF if is_pdf else PNG,
            }
        )
        with page.expect_navigation():
            row.get_by_role("button", name="Upload").click()
        expect(page.locator(f"#req-{requirement['code']} .uploaded")).to_be_visible()

    page.click("#submit-application")
    expect(page.locator("#tracking-number")).to_have_text(re.compile(r"BTG-\d{4}-\d{6}"))
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.last).to_contain_text("Submitted")
    expect(timeline.last).to_contain_text("DPMPTSP front office")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    expect(page.locator("#tracking-number")).to_have_text(application.tracking_number)
    assert serious_violations(page) == []


AXE = (__import__("pathlib").Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def serious_violations(page) -> list:
    page.evaluate(AXE)  # not add_script_tag: the CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_catalog_sop_and_tracking_pages_pass_axe(live_server, page):
    call_command("seed_demo", "--quiet")
    for path in ("/catalog/", "/catalog/BTG/PBG/", "/track/"):
        page.goto(f"{live_server.url}{path}")
        assert serious_violations(page) == [], path
