"""OpenAPI description: component names for the nested Input/Output serializers, the error
responses of every operation, the bearer token scheme, paginated list envelopes."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    class BodySerializer(serializers.Serializer):
        code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`.")
        message = serializers.CharField(help_text="Message in the request's language.")
        fields = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages per field (dotted paths for nested fields).",
        )

    error = BodySerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors in `error.fields`) or a refusal the user can fix.",
    "401": "Not authenticated, or an invalid, expired or revoked token.",
    "403": "The role or the token's scope does not allow this.",
    "404": "Not found (also for objects of other owners, agencies or regions).",
    "409": "Not allowed in the current state, or already done by someone else.",
    "429": "Too many requests: retry after the `Retry-After` seconds.",
}


_PAGES: dict = {}


def paginated(serializer_class):
    """The page envelope of a list of `serializer_class` (one component per item type)."""
    if serializer_class in _PAGES:
        return _PAGES[serializer_class]
    name = _component_name(serializer_class) + "Page"
    page = type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
            "__module__": __name__,
        },
    )
    page.__qualname__ = name
    _PAGES[serializer_class] = page
    return page


def _component_name(serializer_class) -> str:
    parts = serializer_class.__qualname__.split(".")
    return "".join(part.removesuffix("Api").removesuffix("Serializer") for part in parts)


class ApiAutoSchema(AutoSchema):
    """Names nested serializers after their API (`IntakeAcceptInput`) and documents the error
    format on every operation."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        if "." in getattr(cls, "__qualname__", "") and "<" not in cls.__qualname__:
            name = _component_name(cls)
            if direction == "request" and spectacular_settings.COMPONENT_SPLIT_REQUEST:
                name += "Request"
        return name

    def get_operation_id(self):
        """One API class per operation: `IntakeAcceptApi` is `intake_accept`."""
        name = type(self.view).__name__.removesuffix("Api")
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("409")
        error_public = getattr(self.view, "public_api", False)
        for code in codes:
            if error_public and code in ("401", "403", "409"):
                continue
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A scoped token made by staff in /api/tokens/ or by an admin; "
                "`Authorization: Bearer ptsp_…`."
            ),
        }
