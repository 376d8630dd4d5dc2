"""Issue 21 items 6 and 16 in Chromium, on the draft form at 320 px with WCAG text spacing: no
sideways scrolling, the focus ring's colour, an oversize file refused before it is sent, typed
fields back after a reload, and focus on the error summary after a failed save."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from applications.demo import minimal_pdf
from applications.services import filing
from catalog.models import PermitType
from tests.browser.helpers import login_as, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_SPACING = """() => {
  for (const e of document.querySelectorAll('body *')) {
    e.style.lineHeight = '1.5'; e.style.letterSpacing = '0.12em'; e.style.wordSpacing = '0.16em';
  }
  for (const p of document.querySelectorAll('p')) p.style.marginBottom = '2em';
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_draft_form_at_320px_keyboard_and_typed_data(live_server, page):
    call_command("seed_demo", "--quiet")
    page.set_default_timeout(30000)
    applicant = User.objects.get(email="budi.santoso@example.id")
    ptype = PermitType.objects.get(region__code="BTG", code="SIP-DU")
    draft = filing.application_create_draft(permit_type_id=ptype.pk, actor=applicant)
    requirement = draft.catalog_version.snapshot["requirements"][0]

    page.set_viewport_size({"width": 320, "height": 740})
    login_as(page, live_server, applicant.email)
    page.goto(f"{live_server.url}/applications/{draft.pk}/edit/")
    expect(page.locator("#required-note")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 1
    page.evaluate(TEXT_SPACING)
    assert page.evaluate(OVERFLOW) <= 1, "the draft form scrolls sideways with text spacing"
    assert serious_violations(page) == []

    # Keyboard: the focus ring is the dark one (>= 3:1 on white cards).
    page.focus("#id_business_name")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert outline == "rgb(27, 39, 51)", outline

    # Typed data survives a reload (an upload reloads the page).
    page.fill("#id_business_name", "Klinik Ketik Dulu")
    page.reload()
    expect(page.locator("#id_business_name")).to_have_value("Klinik Ketik Dulu")
    expect(page.locator("[data-restored]")).to_be_visible()

    # An oversize file is refused in the browser before anything is sent.
    code = requirement["code"]
    too_big = b"%PDF-1.4\n" + b"0" * (requirement["max_size_kb"] * 1024 + 10)
    page.set_input_files(
        f"#file-{code}", {"name": "besar.pdf", "mimeType": "application/pdf", "buffer": too_big}
    )
    expect(page.locator(f"#req-{code} .upload-status")).to_contain_text("larger than")
    assert not draft.documents.exists()

    # A failed save puts focus on the error summary.
    page.fill("#id_nib", "12")
    with page.expect_navigation():
        page.locator("#save-draft").click()
    expect(page.locator("#error-summary")).to_be_focused()


# Every control of the draft page, in the order of the page: what the keyboard must reach.
CONTROLS = """() => Array.from(document.querySelectorAll(
  '#draft-form input, #draft-form select, #draft-form button, ' +
  '#requirements input[type=file], #requirements button, #submit-application, #delete-draft'
)).filter(e => e.offsetParent !== null && !e.disabled).map((e, i) => {
  e.dataset.kbd = String(i);
  return (e.id || e.name || e.type) + '#' + i;
})"""
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {key: e.dataset.kbd === undefined ? null : (e.id || e.name || e.type) + '#' + e.dataset.kbd,
          ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


def test_the_draft_page_by_keyboard_alone(live_server, page):
    """Tab from the top reaches every field, file input and button of the draft in the page's
    order, each with a visible focus ring and no trap; a file uploaded with the keyboard
    (Enter on its Upload button) leaves focus on that document's result, not the page's top."""
    call_command("seed_demo", "--quiet")
    applicant = User.objects.get(email="budi.santoso@example.id")
    ptype = PermitType.objects.get(region__code="BTG", code="SIP-DU")
    draft = filing.application_create_draft(permit_type_id=ptype.pk, actor=applicant)
    requirement = next(
        r for r in draft.catalog_version.snapshot["requirements"] if "pdf" in r["accepted_kinds"]
    )
    login_as(page, live_server, applicant.email)
    page.goto(f"{live_server.url}/applications/{draft.pk}/edit/")

    wanted = page.evaluate(CONTROLS)
    reached, rings = [], []
    for _ in range(len(wanted) + 80):  # the header's links and the footer's come too
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["key"] in wanted and focused["key"] not in reached:
            reached.append(focused["key"])
            rings.append((focused["key"], focused["ring"]))
        if reached == wanted:
            break
    assert reached == wanted, f"keyboard order {reached} is not the page's {wanted}"
    assert all(ring for _key, ring in rings), [key for key, ring in rings if not ring]

    # Upload by keyboard: the file is chosen (the system's file dialog is outside the page),
    # then the Upload button is reached with Tab and pressed with Enter.
    code = requirement["code"]
    page.focus(f"#file-{code}")
    page.set_input_files(
        f"#file-{code}",
        {"name": "izin.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()},
    )
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f"#req-{code}-result")).to_be_focused()
    assert draft.documents.filter(requirement_code=code).exists()
