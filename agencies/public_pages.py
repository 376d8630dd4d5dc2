"""Public pages rendered once per process for each content (issue 20): the landing page, the
catalog and the SOP pages are the same for every visitor who is not logged in, so a visitor's
request puts this request's own CSRF token and CSP nonce into HTML rendered earlier instead of
rendering it again.

What a cached page may depend on is in its key, never in a TTL: the template, the path with its
query string, the language, every stored field of the region whose identity the page shows
(`footer_key`) and what the view adds (the catalog's generation, catalog.signals). The TTL and the
bound only keep the dictionary small; the landing page's ranking of the most requested permits is
the one value that may be as old as the TTL.

Rendered the usual way instead, whenever the page could differ for this request: a logged-in
person (their header and navigation), a method other than GET or HEAD, an htmx request, and a
request with messages waiting to be shown (they are the visitor's own). The markers that stand
for the per-request values are random per process, so no text a visitor sends can contain them.
"""

import secrets
from collections.abc import Callable

from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from agencies.context_processors import region_identity
from agencies.templatetags.region_identity import footer_key
from ptsp.localcache import ProcessCache

pages = ProcessCache(ttl=300.0, max_entries=512)

_MARK = secrets.token_hex(16)
CSRF_MARK = f"csrf{_MARK}"
NONCE_MARK = f"nonce{_MARK}"
PATH_MARK = f"path{_MARK}"  # the page header's (agencies/templatetags/page_chrome.py)


def cacheable(request) -> bool:
    """Whether this request would see the page every visitor sees."""
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    if getattr(request, "htmx", False):
        return False
    return not _messages_may_wait(request)


def _messages_may_wait(request) -> bool:
    """True when a message may be waiting for this visitor (Django's default storage: a cookie,
    then the session), or when the storage is one this check does not know (it cannot decide,
    so the page is rendered)."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False  # no messages middleware: the page can show none
    if type(storage) is not FallbackStorage:
        return True
    if storage._queued_messages:
        return True
    cookie, session = storage.storages
    if cookie.cookie_name in request.COOKIES:
        return True
    return session.session_key in request.session


def render_public(
    request, template_name: str, context: Callable[[], dict], *, key: tuple = ()
) -> HttpResponse:
    """The page `template_name` with the context `context()` (called only when the page is
    rendered, so a cached page skips the view's queries). `key` is what the content depends on
    beyond the path, the language and the region's identity."""
    if not cacheable(request):
        return HttpResponse(render_to_string(template_name, context(), request))
    region = region_identity(request).get("site_region")
    page_key = (
        template_name,
        request.get_full_path(),
        get_language(),
        footer_key(region) if region is not None else None,
        *key,
    )
    html = pages.get_or_compute(
        page_key,
        lambda: render_to_string(
            template_name,
            {**context(), "csrf_token": CSRF_MARK, "csp_nonce": NONCE_MARK},
            request,
        ),
    )
    nonce = conditional_escape(str(getattr(request, "csp_nonce", "")))
    return HttpResponse(
        html.replace(CSRF_MARK, conditional_escape(get_token(request))).replace(NONCE_MARK, nonce)
    )
