"""The URLs of benchmarks/request_floor.py: the portal's own, plus one logged-in page that does
nothing but render the page header's context (the per-request floor)."""

import time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from ptsp.urls import urlpatterns as portal_urlpatterns

HEADER = engines["django"].from_string(
    "{{ unread_notifications }}{{ header_person }}{{ header_agencies }}{{ site_region.code }}"
    "{% for item in role_nav %}{{ item.label }}{% endfor %}"
)
# Filled for the script: the SQL run in the request being counted (QUERIES, by the script's
# execute wrapper), and, by the view, when it was entered and how many queries had run by then.
QUERIES: list[str] = []
MARKS: dict = {}


@login_required
def floor(request):
    MARKS["view_at"] = time.perf_counter()
    MARKS["queries_before_view"] = len(QUERIES)
    body = HEADER.render({}, request)
    MARKS["queries_after_header"] = len(QUERIES)
    return HttpResponse(body)


urlpatterns = [path("__floor__/", floor), *portal_urlpatterns]
