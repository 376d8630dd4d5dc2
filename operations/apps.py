from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        # Celery signal handlers: log context in task headers, task metrics, failed work.
        from ptsp.observability import celery_signals, signals  # noqa: F401
