"""Django signal: clear the log context when a response is finished (after Django's own
`django.request` log line for 4xx/5xx, which therefore still carries the request id)."""

from django.core.signals import request_finished
from django.dispatch import receiver

from ptsp.observability import context


@receiver(request_finished, dispatch_uid="ptsp-clear-log-context")
def clear_log_context(**_):
    context.clear()
