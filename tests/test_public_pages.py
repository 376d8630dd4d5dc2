"""Issue 20: the visitors' pages (landing, catalog, SOP, tracking form) are rendered once per
process for each content and carry each request's own CSRF token and CSP nonce
(agencies.public_pages). A cached page is never shown to a logged-in person, never carries
another visitor's message, and follows every change of the catalog and the region."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import public_pages
from agencies.models import Region
from catalog.models import PermitType

pytestmark = pytest.mark.django_db

SOP = "/catalog/BTG/PBG/"


def _visitor(language: str = "en") -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    return client


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.fixture
def renders(monkeypatch):
    """The templates the public pages render (a cached page renders none)."""
    rendered = []
    original = public_pages.render_to_string

    def counting(name, context, request):
        rendered.append(name)
        return original(name, context, request)

    monkeypatch.setattr(public_pages, "render_to_string", counting)
    return rendered


def test_a_visitors_page_is_rendered_once_with_each_requests_own_tokens(demo, renders):
    for url in ("/", reverse("catalog:catalog"), SOP, reverse("applications:track")):
        first, second = _visitor(), _visitor()
        a = first.get(url)
        with CaptureQueriesContext(connection) as queries:
            b = second.get(url)
        assert a.status_code == b.status_code == 200, url
        assert renders.count(renders[-1]) == 1, url  # the second visitor's page was not rendered
        assert len(queries) <= 1, (url, [q["sql"] for q in queries])  # the catalog's generation
        html_a, html_b = a.content.decode(), b.content.decode()
        for html in (html_a, html_b):
            assert public_pages.CSRF_MARK not in html and public_pages.NONCE_MARK not in html
        # Each page's script nonce is the one its own CSP header allows, and they differ.
        assert f'nonce="{_nonce(a)}"' in html_a and f'nonce="{_nonce(b)}"' in html_b
        assert _nonce(a) != _nonce(b)
        # Each page's form token is its visitor's own: the second visitor can post with it.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html_b).group(1)
        switched = second.post(
            reverse("accounts:language"),
            {"language": "id", "next": url, "csrfmiddlewaretoken": token},
        )
        assert switched.status_code == 302, url
        refused = _visitor().post(
            reverse("accounts:language"),
            {"language": "id", "next": url, "csrfmiddlewaretoken": token},
        )
        assert refused.status_code == 403  # without the cookie that goes with it


def test_languages_and_regions_interleaved_each_get_their_own_page(demo):
    expected = {
        ("en", "BTG"): ("Permit catalog", "Kota Bontang"),
        ("id", "BTG"): ("Katalog perizinan", "Kota Bontang"),
        ("en", "PLG"): ("Permit catalog", "Kota Palembang"),
        ("id", "PLG"): ("Katalog perizinan", "Kota Palembang"),
    }
    for _round in range(2):
        for (language, region), (title, name) in expected.items():
            html = _visitor(language).get(f"/catalog/?region={region}").content.decode()
            assert f"<h1>{title}</h1>" in html, (language, region)
            footer = html.split('data-testid="region-identity"', 1)[1]
            assert name in footer, (language, region)
    # The region a visitor chose is remembered in their session, as before the cache.
    visitor = _visitor()
    visitor.get("/?region=PLG")
    assert "Kota Palembang" in visitor.get("/").content.decode().split("</header>")[0]


def test_a_change_of_the_catalog_or_the_region_is_on_the_next_page(demo):
    visitor = _visitor()
    assert "Klinik Sehat Uji" not in visitor.get(SOP).content.decode()
    permit_type = PermitType.objects.get(region__code="BTG", code="PBG")
    permit_type.name_en = "Klinik Sehat Uji"
    permit_type.save()  # a new catalog generation (catalog.signals)
    assert "Klinik Sehat Uji" in visitor.get(reverse("catalog:catalog")).content.decode()
    permit_type.is_active = False
    permit_type.save()
    assert visitor.get(SOP).status_code == 404
    # The region's identity is in the key: a changed helpdesk number needs no new generation.
    from ptsp.workdays import reference_cache

    Region.objects.filter(code="BTG").update(helpdesk_phone="0548-999999")
    reference_cache.clear()  # the regions' short per-process cache (ptsp.workdays)
    assert "0548-999999" in visitor.get("/?region=BTG").content.decode()


def test_an_unknown_sop_is_a_404_every_time(demo, renders):
    for _ in range(2):
        assert _visitor().get("/catalog/BTG/NO-SUCH/").status_code == 404
    assert renders == []


def test_a_logged_in_person_gets_their_own_page_and_leaves_no_trace(client, demo, login):
    _visitor().get(reverse("catalog:catalog"))  # cached for visitors
    login("budi.santoso@example.id")
    html = client.get(reverse("catalog:catalog")).content.decode()
    assert 'data-testid="header-person"' in html
    sop = client.get(SOP).content.decode()
    assert 'action="/applications/new/"' in sop  # the applicant's "apply" form
    # Nothing of theirs reaches the next visitor.
    visitor = _visitor().get(SOP).content.decode()
    assert 'data-testid="header-person"' not in visitor
    assert 'action="/applications/new/"' not in visitor


def test_a_waiting_message_is_shown_to_its_own_visitor_only(demo, renders):
    _visitor().get(reverse("catalog:catalog"))
    with_message = _visitor()
    storage = CookieStorage(HttpRequest())
    with_message.cookies["messages"] = storage._encode(
        [Message(constants.INFO, "A note for this visitor only")]
    )
    assert (
        "A note for this visitor only"
        in with_message.get(reverse("catalog:catalog")).content.decode()
    )
    assert (
        "A note for this visitor only"
        not in _visitor().get(reverse("catalog:catalog")).content.decode()
    )
    assert renders.count("catalog/catalog_list.html") == 2  # the page with the message too


@override_settings(MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage")
def test_a_message_storage_the_check_does_not_know_means_no_cache(demo, renders):
    for _ in range(2):
        _visitor().get(reverse("catalog:catalog"))
    assert renders == ["catalog/catalog_list.html"] * 2


def test_the_verification_page_follows_the_permits_state(demo, signing_cert, run_outbox, renders):
    """The page is keyed by every field of the permit as read for this request (one query), so a
    revocation is on the next scan; a page rendered afresh reads no deferred field."""
    from accounts.models import User
    from permits.services.issuance import permit_revoke
    from tests.journeys import SIGNER, issued_permit

    permit = issued_permit(run_outbox)
    url = reverse("permits:verify", args=[permit.verification_token])
    _visitor().get(url)  # the first scan validates the stored file's signature (shared cache)
    public_pages.pages.clear()  # the next scan reaches another process
    with CaptureQueriesContext(connection) as miss:
        first = _visitor().get(url)
    with CaptureQueriesContext(connection) as hit:
        second = _visitor().get(url)
    assert first.status_code == second.status_code == 200
    assert renders == ["permits/verify.html"] * 2
    assert len(hit) == 1  # the permit
    # The permit and its signature's report: no field deferred by the selector is read.
    assert len(miss) == 2, "\n".join(q["sql"][:150] for q in miss)
    for response in (first, second):
        assert 'data-testid="permit-status">Valid<' in response.content.decode()
    permit_revoke(permit_id=permit.pk, actor=User.objects.get(email=SIGNER), reason="Test")
    revoked = _visitor().get(url).content.decode()
    assert 'data-testid="permit-status">Revoked<' in revoked and "was revoked on" in revoked


def test_a_key_of_loaded_values_holds_json_fields_and_follows_them(demo):
    """ptsp.localcache.loaded_values: a row with a JSON field is a key (hashable), and a change
    to that field, or to a related row loaded with it, is another key."""
    from catalog.models import PermitTypeVersion
    from ptsp.localcache import loaded_values

    version = PermitTypeVersion.objects.select_related("permit_type").first()
    key = loaded_values(version)
    assert hash(key) is not None
    version.snapshot = {**version.snapshot, "fee_amount": 1}
    assert loaded_values(version) != key
    version.refresh_from_db()
    version = PermitTypeVersion.objects.select_related("permit_type").get(pk=version.pk)
    assert loaded_values(version) == key
    version.permit_type.name_en = "Another name"
    assert loaded_values(version) != key
