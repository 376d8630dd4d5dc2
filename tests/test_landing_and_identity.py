"""Issue 21 item 12: the region's identity on every page, the landing page's sections, the
menu button for small screens."""

import pytest
from django.urls import reverse

from agencies.models import Region

pytestmark = pytest.mark.django_db


def _footer(html: str) -> str:
    return html.split('data-testid="region-identity"', 1)[1].split("</footer>", 1)[0]


def test_every_page_shows_the_regions_identity(client, demo):
    client.cookies["django_language"] = "en"
    btg = Region.objects.get(code="BTG")
    for url in ("/", reverse("catalog:catalog"), reverse("applications:track")):
        footer = _footer(client.get(url + "?region=BTG").content.decode())
        assert btg.name in footer and btg.address in footer
        assert "08:00–16:00 WITA" in footer
        assert f"https://wa.me/{btg.helpdesk_whatsapp}" in footer
        assert f"mailto:{btg.helpdesk_email}" in footer and btg.helpdesk_phone in footer
    # The choice is remembered; another region shows its own identity and zone.
    assert "WITA" in _footer(client.get(reverse("catalog:catalog")).content.decode())
    footer = _footer(client.get("/?region=PLG").content.decode())
    assert "Kota Palembang" in footer and "WIB" in footer


def test_staff_see_their_own_regions_identity(client, demo, login):
    login("verifikator.plg@ptsp.local")
    footer = _footer(client.get(reverse("applications:intake_queue")).content.decode())
    assert "Kota Palembang" in footer


def test_a_region_without_helpdesk_details_leaves_them_out(client, demo):
    Region.objects.filter(code="BTG").update(helpdesk_whatsapp="", helpdesk_email="")
    from ptsp.workdays import reference_cache

    reference_cache.clear()
    footer = _footer(client.get("/?region=BTG").content.decode())
    assert "wa.me" not in footer and "mailto:" not in footer


def test_the_landing_page_tells_how_to_apply_and_where_to_go(client, demo):
    from tests.journeys import submitted_application

    submitted_application()  # the clinic test permit becomes the most used
    client.cookies["django_language"] = "en"
    html = client.get("/?region=BTG").content.decode()
    for section in ("how-to-apply", "popular-permits", "track", "verify", "statistics"):
        assert f'id="{section}"' in html, section
    popular = html.split('id="popular-permits"', 1)[1].split("</section>", 1)[0]
    assert popular.index("Clinic permit (test)") < popular.index("</ul>")
    assert reverse("monitoring:public_stats") + "?region=BTG" in html
    assert 'name="tracking_number"' in html


def test_the_menu_button_controls_the_navigation(client, demo):
    html = client.get("/").content.decode()
    assert 'class="menu-toggle" aria-expanded="false" aria-controls="main-nav-list"' in html
    assert 'id="main-nav-list"' in html and "js/nav.js" in html


def test_the_footer_is_rendered_once_per_content_and_language(client, demo, monkeypatch):
    """Issue 20: the footer is kept per process, keyed by the language and every field it shows:
    two regions and two languages interleaved each get their own, a second request renders
    nothing again, and a changed helpdesk number is on the next page."""
    from agencies.templatetags import region_identity
    from ptsp.workdays import reference_cache

    region_identity.footers.clear()
    rendered = []
    original = region_identity.render_to_string

    def counting(name, context):
        rendered.append((context["site_region"].code, context["site_region"].name))
        return original(name, context)

    monkeypatch.setattr(region_identity, "render_to_string", counting)
    seen = {}
    for _ in range(2):
        for language, words in (("en", "Service hours"), ("id", "Jam layanan")):
            client.cookies["django_language"] = language
            for code, zone in (("BTG", "WITA"), ("PLG", "WIB")):
                footer = _footer(client.get(f"/?region={code}").content.decode())
                region = Region.objects.get(code=code)
                assert region.name in footer and zone in footer and words in footer
                other = "Kota Palembang" if code == "BTG" else "Kota Bontang"
                assert other not in footer
                seen.setdefault((language, code), footer)
                assert seen[(language, code)] == footer
    assert len(rendered) == 4  # two regions × two languages, once each

    Region.objects.filter(code="BTG").update(helpdesk_phone="(0548) 999 000")
    reference_cache.clear()  # what the region's save does in its own process (agencies.signals)
    footer = _footer(client.get("/?region=BTG").content.decode())
    assert "(0548) 999 000" in footer and 'href="tel:0548999000"' in footer
    assert len(rendered) == 5
