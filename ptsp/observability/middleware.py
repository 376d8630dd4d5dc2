"""Per-request context and metrics. Two small middleware classes, a few microseconds each."""

import logging
import time

from ptsp.observability import context, metrics

REQUEST_ID_HEADER = "X-Request-ID"
access_log = logging.getLogger("ptsp.access")
# Probes and scrapes are logged at DEBUG only: they come every few seconds.
QUIET_VIEWS = {"healthz", "livez", "metrics"}


class RequestContextMiddleware:
    """First in the chain: takes the proxy's `X-Request-ID` when it is sane, else makes one;
    binds it for the log lines of this request (and the tasks it publishes); returns it in the
    response header; observes the request's latency by view, method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = (
            context.sane_request_id(request.headers.get(REQUEST_ID_HEADER))
            or context.new_request_id()
        )
        request.request_id = request_id
        # Bound until the response is finished (ptsp.observability.signals clears it), so that
        # Django's own "Not Found" / "Internal Server Error" lines carry it too.
        context.clear()
        # REMOTE_ADDR is already the client's (ClientAddressMiddleware runs first).
        context.bind(request_id=request_id, client_address=request.META.get("REMOTE_ADDR") or None)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "<unresolved>"
        seconds = time.perf_counter() - started
        metrics.observe_request(
            view=view, method=request.method, status=response.status_code, seconds=seconds
        )
        access_log.log(
            logging.DEBUG if view in QUIET_VIEWS else logging.INFO,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra={"view": view, "status": response.status_code, "duration_ms": seconds * 1000},
        )
        return response


class UserContextMiddleware:
    """After AuthenticationMiddleware: binds the acting user's id (never their name or e-mail)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.bind(user_id=user.pk)
        return self.get_response(request)
