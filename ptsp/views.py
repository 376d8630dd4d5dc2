"""The infrastructure's own endpoints: readiness and liveness. The landing page (`home`) is the
catalog's: catalog/landing.py."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from ptsp.health import health_report


@never_cache
def healthz(request):
    """Readiness: 200 when the database and the broker answer, else 503 with what is down."""
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


@never_cache
def livez(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})
