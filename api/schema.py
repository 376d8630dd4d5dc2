"""OpenAPI description: component names for the nested Input/Output serializers, the error
responses of every operation, the bearer token scheme, paginated list envelopes."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from fees.bank_protocol import CHANNELS, CODES, INQUIRY_PATH, PAYMENT_PATH


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


# --- The regional bank's host-to-host interface (fees.h2h; docs/fees.md §7) ----------------
# Plain Django views with their own authentication (a per-bank HMAC signature, not a session or
# a token) and their own answer shape; described here from `fees.bank_protocol` so that the
# bank's developers read one contract. A postprocessing hook (SPECTACULAR_SETTINGS).


def _h2h_schemas() -> dict:
    code_list = "; ".join(
        f"`{code}` (HTTP {info.http_status}) {info.message}: {info.meaning}"
        for code, info in CODES.items()
    )
    answer = {
        "response_code": {
            "type": "string",
            "enum": [str(code) for code in CODES],
            "description": f"The answer code: {code_list}",
        },
        "message": {"type": "string", "description": "The code's fixed Indonesian text."},
    }
    billing_code = {
        "type": "string",
        "pattern": r"^\d{16}$",
        "description": "The SKRD's 16-digit billing code (the last digit a Damm check digit).",
        "example": "6474260000001235",
    }
    amount = {
        "oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d{1,15}(\.0{1,2})?$"}],
        "description": "Whole rupiah: a JSON integer or digits as text (`1766721.00`).",
    }
    return {
        "H2hInquiryRequest": {
            "type": "object",
            "required": ["billing_code"],
            "properties": {"billing_code": billing_code},
        },
        "H2hInquiryAnswer": {
            "type": "object",
            "required": ["response_code", "message"],
            "properties": {
                **answer,
                "status": {"type": "string", "enum": ["unpaid", "paid"]},
                "billing_code": billing_code,
                "bill_number": {"type": "string"},
                "payer_name": {"type": "string"},
                "amount": {"type": "integer", "description": "Due today, whole rupiah."},
                "due_date": {"type": "string", "format": "date"},
            },
        },
        "H2hPaymentRequest": {
            "type": "object",
            "required": ["billing_code", "amount", "receipt_number", "paid_at"],
            "properties": {
                "billing_code": billing_code,
                "amount": amount,
                "receipt_number": {
                    "type": "string",
                    "pattern": r"^[A-Za-z0-9._/-]{1,64}$",
                    "description": "The bank's receipt number: unique per bank, the "
                    "idempotency key (the same payment again answers 00 with duplicate).",
                },
                "paid_at": {"type": "string", "format": "date-time"},
                "channel": {"type": "string", "enum": sorted(CHANNELS), "default": "TELLER"},
            },
        },
        "H2hPaymentAnswer": {
            "type": "object",
            "required": ["response_code", "message"],
            "properties": {
                **answer,
                "billing_code": billing_code,
                "amount": {"type": "integer"},
                "amount_due": {"type": "integer", "description": "With 13: what is due."},
                "receipt_number": {"type": "string"},
                "paid_at": {"type": "string", "format": "date-time"},
                "duplicate": {
                    "type": "boolean",
                    "description": "True when this payment was already recorded (answered 00).",
                },
            },
        },
    }


def _h2h_operation(name: str, summary: str, description: str) -> dict:
    ref = {"$ref": f"#/components/schemas/H2h{name}Answer"}
    statuses = sorted({info.http_status for info in CODES.values()})
    responses = {
        str(status): {
            "description": ", ".join(
                f"{code} {info.message}"
                for code, info in CODES.items()
                if info.http_status == status
            ),
            "content": {"application/json": {"schema": ref}},
        }
        for status in statuses
    }
    return {
        "post": {
            "operationId": f"h2h_{name.lower()}",
            "tags": ["bank host-to-host"],
            "summary": summary,
            "description": description,
            "security": [{"bankSignature": []}],
            "parameters": [
                {
                    "name": "X-Bank-Id",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": r"^[A-Z0-9_-]{2,32}$"},
                    "description": "The bank's id, e.g. BANKKALTIMTARA.",
                },
                {
                    "name": "X-Timestamp",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                    "description": "When it was sent, ISO 8601 with its offset; within the "
                    "replay window (FEES_H2H_WINDOW_SECONDS, 300) of our clock, both ways.",
                },
                {
                    "name": "X-Signature",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "base64(HMAC-SHA256(secret, METHOD:PATH:X-Timestamp:"
                    "lowercase-hex(SHA-256(raw body)))).",
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/H2h{name}Request"}
                    }
                },
            },
            "responses": responses,
        }
    }


def h2h_paths(result, generator, request, public):
    """Add the bank's two endpoints (/api/h2h/v1/inquiry and /payment) to the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_h2h_schemas())
    result["components"].setdefault("securitySchemes", {})["bankSignature"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Signature",
        "description": "Per-bank shared secret (FEES_BANK_SECRET_<BANK>): every request signed "
        "with X-Bank-Id and X-Timestamp (docs/fees.md §7). No session, no token.",
    }
    result.setdefault("paths", {})
    result["paths"][INQUIRY_PATH] = _h2h_operation(
        "Inquiry",
        "The bank asks about a bill by its billing code",
        "Answers 00 with the bill (unpaid), 88 (already paid), 14 (unknown, another "
        "region's, or cancelled — e.g. the application was withdrawn), 54 (expired).",
    )
    result["paths"][PAYMENT_PATH] = _h2h_operation(
        "Payment",
        "The bank posts a payment of a bill",
        "The amount must equal the bill exactly (13 otherwise). Idempotent on the bank's "
        "receipt number: the same payment again is 00 with duplicate true and recorded once; "
        "the receipt reused for anything else is 94; another receipt for a paid bill is 88. "
        "91: nothing was recorded, retry.",
    )
    result.setdefault("tags", [])
    return result
