"""A person's own API tokens: list them, revoke one (the web page /api/tokens/ does the same
through the same services)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.apis.common import BaseApi, StrictCharField, page
from api.models import ApiToken
from api.schema import paginated
from api.selectors import api_tokens_of
from api.services import api_token_revoke

TAG = ["tokens"]


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = StrictCharField()
    prefix = StrictCharField(help_text="The first characters of the token.")
    scopes = serializers.ListField(child=StrictCharField())
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.ChoiceField(choices=ApiToken.RevokeReason.choices, allow_blank=True)
    is_active = serializers.BooleanField()


class TokenListApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="My API tokens, newest first (revoked and expired ones included)",
        responses=paginated(TokenSerializer),
    )
    def get(self, request):
        return page(request, self, api_tokens_of(request.user), TokenSerializer)


class TokenRevokeApi(BaseApi):
    # No scope: a token cannot revoke tokens; the owner does it with a browser session.
    required_scope = None

    @extend_schema(
        tags=TAG,
        summary="Revoke one of my API tokens at once (browser session only)",
        request=None,
        responses=TokenSerializer,
    )
    def post(self, request, pk: int):
        token = get_object_or_404(api_tokens_of(request.user), pk=pk)
        token = api_token_revoke(token_id=token.pk, actor=request.user)
        return Response(TokenSerializer(token).data)
