"""Content Security Policy with a fresh nonce per request, by django-csp (ADR 0011): the policy
is `CONTENT_SECURITY_POLICY` in the settings; templates put `nonce="{{ csp_nonce }}"` on any
<script> or <style> element; no external host is ever allowed.

One rule of our own on top: a document served inline for the staff check page (the download
view marks it `X-Frame-Options: SAMEORIGIN`) may be framed by our own pages, nothing else may
(`frame-ancestors 'self'` instead of `'none'`)."""

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.utils.functional import SimpleLazyObject


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


def csp_nonce(request):
    """Template context: `csp_nonce` (django-csp's per-request nonce; using it puts it in the
    header)."""
    return {"csp_nonce": SimpleLazyObject(lambda: str(getattr(request, "csp_nonce", "")))}
