"""The landing page: the region's identity and its most used permit types for a visitor; a
logged-in person goes to their role's own page. Here, not in `ptsp`, because it shows the
catalog and the organisation (ptsp imports no app); URL name `home` (catalog/landing_urls.py)."""

from django.shortcuts import redirect, render

from agencies.context_processors import region_identity
from agencies.selectors import home_url_name
from catalog.selectors import most_used_permit_types


def home(request):
    """The landing page for visitors; a logged-in person goes to their role's own page."""
    if request.user.is_authenticated:
        return redirect(home_url_name(request.user))
    region = region_identity(request).get("site_region")
    popular = most_used_permit_types(region) if region else []
    return render(request, "home.html", {"popular_permits": popular, "landing_region": region})
