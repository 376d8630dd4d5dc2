"""The one exception handler of the API: every error has the same shape,

    {"error": {"code": "...", "message": "...", "fields": {"field": ["message", ...]}}}

with messages in the request's language (LocaleMiddleware reads Accept-Language)."""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ptsp.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger("ptsp.api")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub.0": ["message"]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors" and not prefix:
                name = "non_field_errors"
            for sub, messages in _flatten(value, name).items():
                fields.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for sub, messages in _flatten(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    fields.setdefault(sub, []).extend(messages)
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def _domain_code(error: DomainError) -> str:
    if error.code != "invalid":
        return error.code
    if isinstance(error, NotAllowed):
        return "not_allowed"
    if isinstance(error, Conflict):
        return "conflict"
    return "invalid"


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        # Services give per-field messages in `details` ({"nib": "NIB must be…"}).
        for key, value in (exc.details or {}).items():
            messages = value if isinstance(value, list | tuple) else [value]
            fields.setdefault(str(key), []).extend(str(m) for m in messages)
        response = Response(
            error_body(_domain_code(exc), str(exc.message), fields), status=exc.status_code
        )
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        # A defect. Logged with its traceback and signalled like any uncaught exception (error
        # reporting, the test client re-raises it), but answered in the API's shape.
        request = context.get("request")
        logger.error("API server error", exc_info=exc)
        got_request_exception.send(sender=None, request=getattr(request, "_request", request))
        return Response(error_body("server_error", _("A server error occurred.")), status=500)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [""])[0]
        if list(fields) == ["non_field_errors"]:
            message = first
        elif len(fields) == 1:
            # One field: say what is wrong with it ("file: The submitted file is empty."),
            # not only that something is.
            message = f"{next(iter(fields))}: {first}"
        else:
            message = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
        response.data = error_body("invalid", message, fields)
        return response
    detail = getattr(exc, "detail", "")
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    response.data = error_body(code, str(detail))
    return response
