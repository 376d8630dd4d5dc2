"""What the current log line is about, carried in contextvars.

The web middleware binds `request_id`, `client_address` (the client's address behind the trusted
proxies, `ptsp.middleware.ClientAddressMiddleware`) and `user_id`; the Celery signals
(`ptsp.observability.celery_signals`) carry them into task headers and bind `task_id`,
`task_name` and `tracking_number` in the worker. `ContextFilter` puts them on every log record.
"""

import contextvars
import re
import uuid

FIELDS = ("request_id", "client_address", "user_id", "task_id", "task_name", "tracking_number")

_vars: dict[str, contextvars.ContextVar] = {
    name: contextvars.ContextVar(f"ptsp_{name}", default=None) for name in FIELDS
}

# A request id we accept from a proxy: short, printable, no spaces or quotes.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """The incoming `X-Request-ID` if it is safe to log and echo, else None."""
    if value and SANE_REQUEST_ID.match(value):
        return value
    return None


def get(name: str):
    return _vars[name].get()


def current() -> dict:
    """The bound fields (None for unbound ones)."""
    return {name: var.get() for name, var in _vars.items()}


def bind(**values) -> dict[str, contextvars.Token]:
    """Bind fields for the current context; returns tokens for `reset`."""
    tokens = {}
    for name, value in values.items():
        tokens[name] = _vars[name].set(None if value is None else str(value))
    return tokens


def reset(tokens: dict[str, contextvars.Token]) -> None:
    for name, token in tokens.items():
        try:
            _vars[name].reset(token)
        except ValueError:  # bound in another context (a thread pool): clear instead
            _vars[name].set(None)


def clear() -> None:
    for var in _vars.values():
        var.set(None)
