"""The landing page: the region's identity and its most used permit types for a visitor; a
logged-in person goes to their role's own page. Here, not in `ptsp`, because it shows the
catalog and the organisation (ptsp imports no app); URL name `home` (catalog/landing_urls.py)."""

from django.shortcuts import redirect

from agencies.context_processors import region_identity
from agencies.public_pages import render_public
from agencies.selectors import home_url_name
from catalog.selectors import most_used_permit_types
from catalog.signals import catalog_generation


def home(request):
    """The landing page for visitors, rendered once per process for each region, language and
    catalog generation (agencies.public_pages: its ranking of the most requested permits may be
    a few minutes old); a logged-in person goes to their role's own page."""
    if request.user.is_authenticated:
        return redirect(home_url_name(request.user))
    return render_public(
        request, "home.html", lambda: _home_context(request), key=(catalog_generation(),)
    )


def _home_context(request) -> dict:
    region = region_identity(request).get("site_region")
    popular = most_used_permit_types(region) if region else []
    return {"popular_permits": popular, "landing_region": region}
