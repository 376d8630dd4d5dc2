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
