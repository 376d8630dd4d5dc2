"""Content Security Policy with a fresh nonce per request. Templates put `nonce="{{ csp_nonce }}"`
on any <script> or <style> element; no external host is ever allowed."""

import secrets

from django.utils.functional import SimpleLazyObject


def build_policy(nonce: str, frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            # A document served inline for the staff check page may be framed by our own pages
            # (the download view marks it X-Frame-Options: SAMEORIGIN); nothing else may.
            same_origin = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
            response["Content-Security-Policy"] = build_policy(
                request.csp_nonce, "'self'" if same_origin else "'none'"
            )
        return response


def csp_nonce(request):
    """Template context: `csp_nonce`."""
    return {"csp_nonce": SimpleLazyObject(lambda: getattr(request, "csp_nonce", ""))}
