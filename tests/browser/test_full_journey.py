"""The whole life of one application in Chromium, each step as the role that does it: register,
file with uploads, intake return and resubmit, routing to two OPDs, inspection, revision and
answer, recommendations, signing and issuance, download, public verification by the QR URL and
the satisfaction survey.

The full journey runs in two combinations (phone + Indonesian, desktop + English) to keep the
default run short; the other two combinations (phone + English, desktop + Indonesian) run a
shorter journey (register, file, submit, track). Every page visited is checked with axe-core
(serious or critical violations fail the test), and must not scroll sideways. With
PTSP_SCREENSHOTS=1 the full journeys write screenshots of each role's main page (desktop in
English, phone in Indonesian with a "-phone" suffix) and of the signed permit into
docs/screenshots/.

Selectors use ids, names and data-testid attributes so the same steps run in both languages;
only English strings and a few stable Indonesian ones are asserted.
"""

import os
import re
import subprocess
import threading
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from agencies.demo import DEMO_PASSWORD
from applications.models import Application, Status
from monitoring.models import SurveyResponse
from outbox.testing import run_pending
from permits.models import Permit
from tests.browser.helpers import serious_violations
from tests.journeys import PDF, permit_type
from tests.stepup import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
APPLICANT = "dewi.lestari@example.id"
PASSWORD = "klinik-bontang-77"


def _local_tomorrow_at_nine(application) -> str:
    """A datetime-local value in the file's region, always in the future whenever the test runs."""
    zone = ZoneInfo(application.region.timezone)
    tomorrow = timezone.now().astimezone(zone).date() + timedelta(days=1)
    return f"{tomorrow.isoformat()}T09:00"


class Journey:
    """One browser session walking the portal: every page it lands on is checked with axe."""

    def __init__(self, page, base: str, lang: str, viewport: str):
        self.page, self.base, self.lang, self.viewport = page, base, lang, viewport
        self.visited = []
        self.shots = os.environ.get("PTSP_SCREENSHOTS") == "1"

    def check(self, what: str) -> None:
        """Axe on the current page, the language of the page, and no horizontal scrolling."""
        self.page.wait_for_load_state()
        self.visited.append(what)
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        assert serious_violations(self.page) == [], (what, self.page.url)
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            wide = self.page.evaluate(
                "() => [...document.querySelectorAll('main *')]"
                ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
                ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
            )
            raise AssertionError((what, self.page.url, overflow, wide))

    def shot(self, name: str) -> None:
        if self.shots:
            SHOTS.mkdir(parents=True, exist_ok=True)
            suffix = "-phone" if self.viewport == "phone" else ""
            self.page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)

    def cookies(self) -> None:
        self.page.context.clear_cookies()
        self.page.context.add_cookies(
            [{"name": "django_language", "value": self.lang, "url": self.base}]
        )

    def go(self, path: str, what: str) -> None:
        self.page.goto(self.base + path)
        self.check(what)

    def login(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.cookies()
        self.page.goto(f"{self.base}/accounts/login/")
        if "login" not in self.visited:
            self.check("login")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        self.page.locator("main form button[type=submit]").click()
        expect(self.page.locator("main h1")).to_be_visible()
        self.check(f"home of {email}")

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).click()
        expect(self.page.locator("main h1")).to_be_visible()


def _in_worker_thread(work) -> None:
    """Run background work as a worker would: in its own thread (Playwright's event loop owns
    this one, and pyHanko runs its own loop) with its own database connection."""
    from django.db import connection

    errors = []

    def run():
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not errors, errors


def _check_frame(j: Journey, person: str) -> None:
    """Issue 21 items 12 and 15 on every role's first page: the header names the person, the
    footer the region (with its zone), and a phone gets a menu button instead of rows of links."""
    page = j.page
    expect(page.get_by_test_id("header-person")).to_contain_text(person)
    expect(page.get_by_test_id("region-identity")).to_contain_text("WITA")
    toggle = page.locator(".menu-toggle")
    if j.viewport == "phone":
        expect(toggle).to_be_visible()
        expect(page.locator("#main-nav-list")).to_be_hidden()
        toggle.click()
        expect(page.locator("#main-nav-list")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        toggle.click()
    else:
        expect(toggle).to_be_hidden()
        expect(page.locator("#main-nav-list")).to_be_visible()


def _confirm_address(j: Journey, email: str) -> None:
    """Open the link of the welcome e-mail (made here as the e-mail task makes it)."""
    from django.urls import reverse

    from accounts.models import User
    from accounts.services import email_confirmation_token

    token = email_confirmation_token(User.objects.get(email=email))
    j.page.goto(j.base + reverse("accounts:email_confirm", args=[token]))
    expect(j.page.locator(".alert-success")).to_be_visible()


def _register_and_file(j: Journey) -> Application:
    """A new applicant registers, files the clinic permit with two PDFs and submits it."""
    page = j.page
    j.cookies()
    j.go("/accounts/register/", "register")
    page.fill("#id_full_name", "Dewi Lestari")
    page.fill("#id_email", APPLICANT)
    page.fill("#id_nik", "6474015507910003")
    page.fill("#id_phone", "081244556677")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    j.submit("main form button[type=submit]")
    # The same answer for a new and an existing address: the login page says to confirm it.
    expect(page.locator(".alert-success")).to_contain_text(APPLICANT)
    j.check("login after registering")
    _confirm_address(j, APPLICANT)
    j.login(APPLICANT, PASSWORD)
    _check_frame(j, "Dewi Lestari")
    if j.lang == "id":
        expect(page.locator("main h1")).to_have_text("Permohonan saya")
    else:
        expect(page.locator("main h1")).to_have_text("My applications")
    j.check("my applications (empty)")

    j.go("/catalog/BTG/KLINIK-T/", "catalog detail")
    j.submit("main form[action$='/applications/new/'] button[type=submit]")
    expect(page.locator("#draft-form")).to_be_visible()
    page.fill("#id_business_name", "Klinik Pratama Dewi")
    page.fill("#id_nib", "9120009876543")
    page.fill("#id_kbli", "86105")
    page.fill("#id_address", "Jl. MT Haryono No. 12")
    page.fill("#id_kelurahan", "Api-Api")
    page.fill("#id_kecamatan", "Bontang Utara")
    page.fill("#id_jumlah_ruang", "6")
    j.submit("#save-draft")
    expect(page.locator(".alert-success")).to_be_visible()
    j.check("draft with uploads")
    for code in ("ktp", "denah"):
        row = page.locator(f"#req-{code}")
        row.locator("input[type=file]").set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        expect(page.locator(f"#req-{code} .uploaded")).to_be_visible()
    j.submit("#submit-application")
    expect(page.locator("#tracking-number")).to_have_text(re.compile(r"BTG-\d{4}-\d{6}"))
    j.check("application detail (submitted)")
    application = Application.objects.get(applicant__email=APPLICANT)
    assert application.status == Status.SUBMITTED
    return application


def _full_journey(j: Journey, tmp_path) -> None:
    page = j.page
    application = _register_and_file(j)
    number = application.tracking_number
    denah = application.documents.get(is_current=True, requirement_code="denah")
    ktp = application.documents.get(is_current=True, requirement_code="ktp")

    # The front office returns the file: the floor plan is rejected with a note.
    j.login("verifikator.btg@ptsp.local")
    j.shot("verifier-intake-queue")
    page.locator("main a", has_text=number).first.click()
    j.check("intake check")
    page.check(f"input[name=verdict_{ktp.pk}][value=accepted]")
    page.check(f"input[name=verdict_{denah.pk}][value=rejected]")
    page.fill(f"#note_{denah.pk}", "Denah harus berskala dan bertanda tangan")
    j.submit("button[name=action][value=return]")
    application.refresh_from_db()
    assert application.status == Status.RETURNED

    # The applicant replaces the floor plan and sends the file back.
    j.login(APPLICANT, PASSWORD)
    j.go(f"/applications/{application.pk}/", "application detail (returned)")
    expect(page.locator("#documents")).to_contain_text("Denah harus berskala dan bertanda tangan")
    page.set_input_files(
        "#replace-denah", {"name": "denah-v2.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    j.submit("form.upload-form button[type=submit]")
    j.submit("form[action$='/resubmit/'] button[type=submit]")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    # The front office accepts every document: the file is routed to DINKES and DLH. The
    # verifier was told that it came back, and the notice's link opens the check page.
    j.login("verifikator.btg@ptsp.local")
    j.go("/notifications/", "verifier notifications")
    page.locator("main .notification-list li", has_text=number).first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/intake/{application.pk}/$"))
    for radio in page.locator("input[type=radio][value=accepted]").all():
        radio.check()
    j.check("intake check (resubmitted)")
    j.submit("button[name=action][value=accept]")
    run_pending()  # the routing task, as the worker runs it
    reviews = {r.agency.code: r for r in application.reviews.select_related("agency", "assignee")}
    assert set(reviews) == {"DINKES", "DLH"}

    # The DINKES head sees the file in the agency queue.
    j.login("kepala.dinkes.btg@ptsp.local")
    j.go("/reviews/agency/", "agency queue")
    expect(page.locator("main")).to_contain_text(number)
    j.shot("head-agency-queue")

    # The DINKES officer schedules an inspection, records it and asks for a revision.
    j.login(reviews["DINKES"].assignee.email)
    j.go("/reviews/inbox/", "officer inbox")
    _check_frame(j, reviews["DINKES"].assignee.full_name)
    expect(page.get_by_test_id("header-person")).to_contain_text("Dinas Kesehatan")
    j.shot("officer-inbox")
    page.locator("main a", has_text=number).first.click()
    j.check("review detail")
    page.fill("#scheduled_for", _local_tomorrow_at_nine(application))
    page.fill("#place", "Jl. MT Haryono No. 12, Bontang")
    j.submit("form[action$='/inspections/'] button[type=submit]")
    inspection = reviews["DINKES"].inspections.get()
    page.fill(f"#result_{inspection.pk}", "Ruang tindakan sesuai standar; wastafel belum ada")
    page.set_input_files(
        f"#photos_{inspection.pk}",
        {"name": "ruang.png", "mimeType": "image/png", "buffer": _png()},
    )
    j.submit(f"form[action$='/inspections/{inspection.pk}/result/'] button[type=submit]")
    inspection.refresh_from_db()
    assert inspection.recorded_at is not None
    j.check("review detail (inspection recorded)")
    page.check("input[name=decision][value=request_revision]")
    page.locator("form[action$='/decision/'] details summary").click()
    page.fill("[name='item_note_document:denah']", "Tambahkan letak wastafel")
    j.submit("form[action$='/decision/'] button[type=submit]")
    reviews["DINKES"].refresh_from_db()
    assert reviews["DINKES"].status == "revision_requested"

    # DLH recommends meanwhile.
    j.login(reviews["DLH"].assignee.email)
    page.locator("main a", has_text=number).first.click()
    page.check("input[name=decision][value=recommend]")
    page.fill("#reasons", "SPPL memenuhi syarat")
    j.submit("form[action$='/decision/'] button[type=submit]")

    # The applicant answers the revision request.
    j.login(APPLICANT, PASSWORD)
    j.go(f"/applications/{application.pk}/", "application detail (revision requested)")
    page.locator(f"a[href$='/revisions/{reviews['DINKES'].pk}/']").click()
    j.check("revision answer")
    expect(page.locator("main")).to_contain_text("Tambahkan letak wastafel")
    page.locator("main input[type=file]").set_input_files(
        {"name": "denah-v3.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    j.submit("main form[enctype='multipart/form-data'] button[type=submit]")
    page.fill("#note", "Letak wastafel sudah ditambahkan")
    j.submit("main form:has(#note) button[type=submit]")
    reviews["DINKES"].refresh_from_db()
    assert reviews["DINKES"].status == "in_review"

    # The DINKES officer recommends: the file goes to the signer.
    j.login(reviews["DINKES"].assignee.email)
    page.locator("main a", has_text=number).first.click()
    page.check("input[name=decision][value=recommend]")
    j.submit("form[action$='/decision/'] button[type=submit]")
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED

    # The signer signs; the issuance task runs; the page follows to "issued".
    j.login("kepala.btg@ptsp.local")
    j.go("/signing/", "signing queue")
    j.shot("signer-queue")
    page.locator(f"main a[href$='/signing/{application.pk}/']").first.click()
    j.check("sign page")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=code]", fresh_code("kepala.btg@ptsp.local"))
    j.submit("[data-testid=sign-and-issue]")
    expect(page.locator("#issuance-status progress")).to_be_visible()  # issuing…
    j.check("sign page (issuing)")
    _in_worker_thread(run_pending)
    permit = Permit.objects.get(application=application)
    expect(page.get_by_test_id("issued-number")).to_have_text(permit.number, timeout=30_000)
    j.check("sign page (issued)")

    # The monitor sees the dashboard.
    j.login("monitor.btg@ptsp.local")
    j.go("/monitoring/", "monitoring dashboard")
    j.shot("monitor-dashboard")

    # The applicant downloads the signed permit.
    j.login(APPLICANT, PASSWORD)
    j.go("/applications/", "my applications (issued)")
    expect(page.locator("main")).to_contain_text(number)
    j.shot("applicant-applications")
    j.go(f"/applications/{application.pk}/", "application detail (issued)")
    # Items 13, 5 and 2: the permit comes first; one revision is one request and one answer in
    # the timeline; times carry the region's zone.
    assert page.evaluate(
        "() => !!(document.getElementById('permit').compareDocumentPosition("
        "document.getElementById('tracking-number')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    expect(page.get_by_test_id("permit-facts")).to_contain_text(permit.number)
    asked = page.locator("#timeline li[data-action$='request_revision']")
    answered = page.locator("#timeline li[data-action$='answer_revision']")
    expect(asked).to_have_count(1)
    expect(answered).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text("WITA")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-permit").first.click()
    pdf_path = tmp_path / "permit.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    if j.shots and j.viewport == "desktop":
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf_path), str(SHOTS / "permit")],
            check=True,
        )

    # The satisfaction survey.
    page.locator(f"a[href$='/applications/{application.pk}/survey/']").click()
    j.check("survey")
    for name in page.evaluate(
        "() => [...new Set([...document.querySelectorAll('main input[type=radio]')]"
        ".map(r => r.name))]"
    ):
        page.check(f"input[name={name}][value='4']")
    page.fill("textarea[name=comment]", "Cepat dan jelas")
    j.submit("main form button[type=submit]")
    assert SurveyResponse.objects.filter(application=application).exists()

    # Anyone verifies it from the QR code's URL and checks the downloaded file.
    j.cookies()
    qr_url = f"/verify/{permit.verification_token}/"
    j.go(qr_url, "public verification")
    expect(page.get_by_test_id("permit-number")).to_have_text(permit.number)
    page.set_input_files("input[name=file]", str(pdf_path))
    j.submit("main form:has(input[name=file]) button[type=submit]")
    expect(page.get_by_test_id("check-result")).to_have_class(re.compile("alert-success"))
    if j.lang == "en":
        expect(page.get_by_test_id("check-result")).to_contain_text("Genuine")
    j.check("public verification (file checked)")


def _png() -> bytes:
    """A real 1×1 PNG (inspection photos are decoded)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def journey(live_server, page, request):
    viewport, lang = request.param
    call_command("seed_demo", "--quiet")
    permit_type()  # KLINIK-T: a small clinic permit routed to DINKES and DLH in parallel
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    page.set_default_timeout(30_000)
    return Journey(page, live_server.url, lang, viewport)


@pytest.mark.parametrize(
    "journey", [("phone", "id"), ("desktop", "en")], indirect=True, ids=["phone-id", "desktop-en"]
)
def test_full_journey(journey, signing_cert, tmp_path):
    """SITE_URL stays the region's public address (the QR code's URL); the browser opens the
    same path on the test server."""
    _full_journey(journey, tmp_path)


@pytest.mark.parametrize(
    "journey", [("phone", "en"), ("desktop", "id")], indirect=True, ids=["phone-en", "desktop-id"]
)
def test_short_journey(journey):
    application = _register_and_file(journey)
    expect(journey.page.locator("#status")).to_have_text(
        "Submitted" if journey.lang == "en" else re.compile(".+")
    )
    journey.go("/track/", "public tracking")
    assert application.tracking_number
