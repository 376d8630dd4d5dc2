"""Writes of the API app: integration tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.selectors import is_staff_member
from api.models import ApiToken, Scope
from ptsp.errors import Conflict, DomainError, NotAllowed

TOKEN_PREFIX = "ptsp_"  # noqa: S105 - a marker, not a secret
# How often the "last used" time is written: at most once a minute per token, not per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def may_manage_tokens(user) -> bool:
    """Staff (a membership in an agency, or an admin) make their own tokens. Anyone lists and
    revokes the tokens they own (an admin may have made one for an applicant's app)."""
    return bool(user.is_authenticated and (is_staff_member(user) or user.is_staff))


def token_lifetime() -> timedelta:
    """How long a token lives at most: API_TOKEN_DAYS (default 90)."""
    return timedelta(days=int(getattr(settings, "API_TOKEN_DAYS", 90)))


def api_token_create(
    *, user, name: str, scopes: list[str], actor, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user` and return it with the raw token, which is never shown again.

    Who may call: the staff member for themselves (profile page), an admin for anyone (the
    admin), the operator on the server (`manage.py api_token_create`, actor None). Raises
    NotAllowed for anyone else, DomainError for an empty name, an unknown scope or no scope.
    """
    if actor is not None:
        if actor.pk != user.pk and not actor.is_superuser:
            raise NotAllowed(_("You may not do this."))
        if actor.pk == user.pk and not may_manage_tokens(actor):
            raise NotAllowed(_("You may not do this."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    scopes = list(dict.fromkeys(scopes or []))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise DomainError(_("Unknown scope."), field="scopes", code="scope_unknown")
    if not scopes:
        raise DomainError(_("Choose at least one scope."), field="scopes")
    now = timezone.now()
    if expires_at is None:
        expires_at = now + token_lifetime()
    if expires_at <= now:
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    if expires_at > now + token_lifetime():
        raise DomainError(
            _("A token lives at most %(days)d days: choose an earlier expiry.")
            % {"days": token_lifetime().days},
            field="expires_at",
            code="expiry_too_far",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(raw),
        scopes=[s for s in Scope.values if s in scopes],
        created_by=actor,
        expires_at=expires_at,
    )
    return token, raw


def api_token_revoke(*, token_id: int, actor) -> ApiToken:
    """Revoke a token at once. Who may call: its owner or an admin. Raises NotAllowed for
    anyone else, Conflict when it is already revoked."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id)
        if token.user_id != actor.pk and not actor.is_superuser:
            raise NotAllowed(_("You may not do this."))
        if token.revoked_at is not None:
            raise Conflict(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.revoke_reason = ApiToken.RevokeReason.REVOKED
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return token


def api_tokens_revoke_all(*, user_id: int, reason: str, actor=None) -> int:
    """Revoke every active token of `user` at once. Who: the system, when the person's
    password or roles change (api.signals), so that a token never outlives the credentials or
    the powers it was made under. Returns how many were revoked."""
    now = timezone.now()
    return ApiToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revoke_reason=reason
    )


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token for `raw` (None when unknown, revoked, expired or its user inactive).
    Records when it was last used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
