"""Reads of the API app."""

from django.db.models import QuerySet

from api.models import ApiToken


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first (revoked ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
