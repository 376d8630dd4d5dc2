"""The project package as an app of its own, so that its signal receivers are connected once,
in every process, like any app's: `ptsp` is the bottom layer and no app above it should have to
connect them."""

from django.apps import AppConfig


class PtspConfig(AppConfig):
    name = "ptsp"
    verbose_name = "PTSP infrastructure"

    def ready(self):
        # Celery's signals (log context in task headers, task metrics) and Django's
        # request_finished (clears the log context): connected by importing the modules.
        from ptsp.observability import celery_signals, signals  # noqa: F401
