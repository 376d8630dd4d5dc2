"""Log records: context fields on every line, personal data removed from every line.

`console_handler(json=...)` is the handler the settings install (JSON in production, one
readable line locally). Its two filters run before formatting, for every record of every logger:

- `ContextFilter` adds `request_id`, `user_id`, `task_id`, `task_name`, `tracking_number`
  from `ptsp.observability.context`;
- `RedactPersonalData` rewrites the message, its arguments, extra fields and the traceback so
  that NIKs (16 digits), phone numbers, e-mail addresses, passwords, tokens, secrets,
  `Authorization` headers and password-reset links never reach the output.
"""

import logging
import re
import sys
import traceback
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from ptsp.observability import context

# Each pattern with what it replaces a match by, and the words one of which an ASCII text's lower
# case must contain for the pattern to match at all (None: always tried). Most lines (the access
# log's, one per request) name none of them, and a substring test costs a fraction of a regex pass.
REDACTIONS: list[tuple[re.Pattern, str, tuple[str, ...] | None]] = [
    # Authorization: Bearer abc / "Authorization": "Basic abc" / HTTP_AUTHORIZATION='Token abc'
    (
        re.compile(
            r"""(?i)((?:http_)?authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;}]+"""
        ),
        r"\1[REDACTED]",
        ("authorization",),
    ),
    # password=..., "new_password1": "...", token=..., api_key: ..., SIGNING_CERT_PASSPHRASE=...
    (
        re.compile(
            r"""(?i)(\b\w*(?:password|passwd|secret|token|passphrase|api_?key|sessionid|csrf\w*)\w*["']?\s*[:=]\s*["']?)[^\s"'&,;}]+"""
        ),
        r"\1[REDACTED]",
        (
            "password",
            "passwd",
            "secret",
            "token",
            "passphrase",
            "api_key",
            "apikey",
            "sessionid",
            "csrf",
        ),
    ),
    # Password-reset links carry a token in the path: /accounts/reset/<uid>/<token>/
    (re.compile(r"(/reset/)[^/\s]+/[^/\s\"']+"), r"\1[REDACTED]", ("/reset/",)),
    # e-mail addresses
    (
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        "[EMAIL]",
        ("@",),
    ),
    # NIK: exactly 16 digits
    (re.compile(r"(?<![\d])\d{16}(?![\d])"), "[NIK]", None),
    # Indonesian mobile numbers: 08…, 628…, +628…
    (re.compile(r"(?<![\d+])(?:\+62|62|0)8\d{7,11}(?!\d)"), "[PHONE]", None),
]

_STANDARD_ATTRS = set(logging.LogRecord("x", logging.INFO, "x", 0, "x", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """`text` with personal data and secrets replaced by markers.

    A pattern whose words an ASCII text does not contain is skipped: with ASCII text, a
    case-insensitive pattern matches exactly what it matches in the text's lower case, so the
    word's absence proves there is no match. Text with any other character gets every pattern
    (Unicode case rules let, e.g., the Kelvin sign match a `k`), so the shortcut never lets a
    secret through."""
    lowered = text.lower() if text.isascii() else None
    for pattern, replacement, words in REDACTIONS:
        if lowered is not None and words is not None and not any(w in lowered for w in words):
            continue
        changed = pattern.sub(replacement, text)
        if changed is not text and lowered is not None:
            lowered = changed.lower()
        text = changed
    return text


def _redact_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return redact(str(value))


class ContextFilter(logging.Filter):
    """Adds the bound context fields (only those that are bound) to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context.current().items():
            if value is not None and getattr(record, name, None) in (None, "", "???"):
                setattr(record, name, value)
        return True


class RedactPersonalData(logging.Filter):
    """Removes personal data and secrets from the message, its arguments, extra fields and the
    traceback. Runs once per record (marks it), before any formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_ptsp_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: keep what we can
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                setattr(record, key, _redact_value(value))
        record._ptsp_redacted = True
        return True


def utc_time(record: logging.LogRecord) -> str:
    """ISO 8601 in UTC with milliseconds: the same on every node, whatever its time zone."""
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class ReadableFormatter(logging.Formatter):
    """One line for people: time, level, logger, [context], message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ptsp_context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"{label}={getattr(record, name)}"
            for name, label in (
                ("request_id", "req"),
                ("user_id", "user"),
                ("task_id", "task"),
                ("tracking_number", "app"),
            )
            if getattr(record, name, None) not in (None, "", "???")
        ]
        record.ptsp_context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)

    def formatTime(self, record, datefmt=None):
        return utc_time(record)


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line; context fields appear as keys when bound."""

    def __init__(self):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            reserved_attrs=[*JsonFormatter().reserved_attrs, "_ptsp_redacted", "ptsp_context"],
        )

    def formatTime(self, record, datefmt=None):
        return utc_time(record)


def console_handler(json: bool = False, stream=None) -> logging.Handler:
    """The handler of the settings' LOGGING: stderr, context + redaction, JSON or readable."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(JsonLineFormatter() if json else ReadableFormatter())
    return handler
