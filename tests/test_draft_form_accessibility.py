"""Issue 21 items 6 and 16, as the server renders them: the draft form's required fields carry
`required`/`aria-required` and the `*` is explained; each file input is named after its
document with its types and size limit; a failed save puts an error summary first; uploads are
checked in the browser before they start and typed fields are kept (data-keep); the focus ring
and input borders have at least 3:1 contrast."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from applications.services import filing
from catalog.models import PermitType

pytestmark = pytest.mark.django_db

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "ptsp.css").read_text()


@pytest.fixture
def draft(demo):
    applicant = User.objects.get(email="budi.santoso@example.id")
    ptype = PermitType.objects.get(region__code="BTG", code="SIP-DU")
    return filing.application_create_draft(permit_type_id=ptype.pk, actor=applicant)


def _page(client, draft, data=None):
    client.force_login(draft.applicant)
    client.cookies["django_language"] = "en"
    url = reverse("applications:edit", args=[draft.pk])
    return client.post(url, data) if data is not None else client.get(url)


def test_required_fields_are_marked_for_everyone(client, draft):
    html = _page(client, draft).content.decode()
    assert "are required." in html and 'id="required-note"' in html
    business = re.search(r'<input[^>]+id="id_business_name"[^>]*>', html).group(0)
    assert "required" in business and 'aria-required="true"' in business


def test_each_file_input_names_its_document_types_and_size(client, draft):
    html = _page(client, draft).content.decode()
    snapshot = draft.catalog_version.snapshot
    for requirement in snapshot["requirements"]:
        code = requirement["code"]
        label = re.search(rf'<label for="file-{code}">(.*?)</label>', html, re.S).group(1)
        assert requirement["name_en"] in label or requirement["name_id"] in label
        field = re.search(rf'<input type="file" id="file-{code}"[^>]*>', html).group(0)
        assert f'aria-describedby="req-{code}-hint"' in field
        hint = re.search(rf'id="req-{code}-hint">(.*?)</small>', html, re.S).group(1)
        assert "max" in hint
        form = html[: html.index(f'id="file-{code}"')].rsplit("<form", 1)[1]
        assert f'data-max-bytes="{requirement["max_size_kb"] * 1024}"' in form
        assert "data-extensions=" in form and "data-size-error=" in form


def test_a_failed_save_shows_an_error_summary_first_and_keeps_what_was_typed(client, draft):
    response = _page(client, draft, {"business_name": "Klinik Uji", "nib": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and "data-focus-on-load" in html
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_nib"' in summary
    assert 'value="Klinik Uji"' in html
    assert "data-keep" in html  # the fields are kept in the tab across reloads (upload.js)


def _contrast(a: str, b: str) -> float:
    def lum(h):
        h = h.lstrip("#")
        c = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    la, lb = lum(a), lum(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _var(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def test_focus_ring_and_input_borders_have_3_to_1_contrast():
    white, page, header = "#ffffff", _var("bg"), _var("primary")
    assert _contrast(_var("focus"), white) >= 3 and _contrast(_var("focus"), page) >= 3
    # On the dark header the yellow halo around the ring carries the contrast.
    assert _contrast(_var("focus-halo"), header) >= 3
    assert _contrast(_var("input-border"), white) >= 3
    assert "var(--input-border)" in CSS.split(".field input", 1)[1].split("}", 1)[0]


def test_file_and_date_inputs_never_overflow_their_box():
    rule = CSS.split("input[type=file], input[type=datetime-local]", 1)[1].split("}", 1)[0]
    assert "max-width: 100%" in rule and "min-width: 0" in rule


def test_register_fields_have_autocomplete(client):
    html = client.get(reverse("accounts:register")).content.decode()
    assert re.search(r'<input[^>]+autocomplete="name"[^>]+id="id_full_name"', html) or (
        'autocomplete="name"' in html
    )
    assert 'autocomplete="email"' in html
