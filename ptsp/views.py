from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from agencies.context_processors import region_identity
from agencies.selectors import home_url_name
from permits.selectors import most_used_permit_types
from ptsp.health import health_report


def home(request):
    """The landing page for visitors; a logged-in person goes to their role's own page."""
    if request.user.is_authenticated:
        return redirect(home_url_name(request.user))
    region = region_identity(request).get("site_region")
    popular = most_used_permit_types(region) if region else []
    return render(request, "home.html", {"popular_permits": popular, "landing_region": region})


@never_cache
def healthz(request):
    """Readiness: 200 when the database and the broker answer, else 503 with what is down."""
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


@never_cache
def livez(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})
