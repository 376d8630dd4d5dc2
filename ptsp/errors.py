"""The one error type for problems a user can fix or must be told about.

Services raise `DomainError` with a message in the user's language (lazy translation); views
turn it into a form error or a message banner, the API into a 400/409 body, by one handler each.
"""


class DomainError(Exception):
    """A refusal with a message for the person who asked. `code` is stable for API clients."""

    status_code = 400

    def __init__(
        self,
        message,
        *,
        code: str = "invalid",
        field: str | None = None,
        details=None,
        retry_after: int | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.details = details or {}
        # Seconds after which the same request may succeed (a 429's Retry-After header).
        self.retry_after = retry_after

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    """The actor may not do this (wrong role, wrong agency, wrong state)."""

    status_code = 409


class Conflict(DomainError):
    """Someone else already did it (double click, two tabs, a retried task)."""

    status_code = 409


class Throttled(DomainError):
    """Too many attempts: refused for a while, whatever the input (a locked login, codes)."""

    status_code = 429
