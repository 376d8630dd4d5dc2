"""API guards: a token's scopes and the person's role. Object access is decided by the
selectors of each app (a wrong owner or agency gets 404)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from agencies.selectors import has_role
from api.models import ApiToken, Scope


def required_scope(request, view) -> str | None:
    """The scope a view needs: its `required_scope`, else `read` for reads (None: no token
    may call it)."""
    scope = getattr(view, "required_scope", None)
    if scope is None and request.method in permissions.SAFE_METHODS:
        scope = Scope.READ
    return scope


class TokenHasScope(permissions.BasePermission):
    """A request authenticated by a token needs the view's scope; a browser session has all."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = required_scope(request, view)
        if scope is None or not token.has_scope(scope):
            raise exceptions.PermissionDenied(
                _("This token does not have the scope “%(scope)s”.") % {"scope": scope or "-"},
                code="scope_missing",
            )
        return True


class HasRole(permissions.BasePermission):
    """The person holds one of the view's `required_roles` (403 otherwise)."""

    def has_permission(self, request, view):
        roles = getattr(view, "required_roles", ())
        if roles and not has_role(request.user, *roles):
            raise exceptions.PermissionDenied(
                _("Your role does not allow this."), code="role_required"
            )
        return True
