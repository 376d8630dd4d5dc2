from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from ptsp.observability import metrics


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus scrape: only with `Authorization: Bearer <METRICS_TOKEN>`; 403 when no token
    is configured (metrics off), 401 with a missing or wrong token."""
    if not settings.METRICS_TOKEN:
        return HttpResponse("metrics are off: set METRICS_TOKEN\n", status=403)
    if not metrics.token_ok(request.headers.get("Authorization"), settings.METRICS_TOKEN):
        response = HttpResponse("metrics need a bearer token\n", status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
