"""The staff member's token page: make a token (shown once), list and revoke them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from api.errors import error_body
from api.forms import ApiTokenForm
from api.selectors import api_tokens_of
from api.services import api_token_create, api_token_revoke, may_manage_tokens
from ptsp.errors import DomainError
from ptsp.web import run_service

# The documentation pages load nothing from another host: the browser is told so, which also
# stops the Redocly logo that Redoc's bundle would fetch from its CDN.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)


class _SameOriginOnly:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response


class SwaggerView(_SameOriginOnly, SpectacularSwaggerView):
    """Swagger UI from the sidecar's static files."""


class RedocView(_SameOriginOnly, SpectacularRedocView):
    """Redoc from the sidecar's static files, without the Google Fonts of the stock page."""

    template_name = "api/redoc.html"


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ (e.g. `/applications/abc/`): the API's 404 body, never
    an HTML page."""

    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """Everyone lists and revokes their own tokens; staff also make them."""
    may_create = may_manage_tokens(request.user)
    if request.method == "POST" and not may_create:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None) if may_create else None
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            form = ApiTokenForm()
            messages.success(request, _("Token created. Copy it now: it is not shown again."))
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": api_tokens_of(request.user), "new_token": new_token},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    return run_service(
        request,
        lambda: api_token_revoke(token_id=token.pk, actor=request.user),
        success=_("Token revoked."),
        redirect_to="api:tokens",
        error_redirect="api:tokens",
    )
