from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ptsp.observability.metrics import system_gauges_register


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        # Imported here, not at the top: the models need the app registry ready.
        from operations import signals  # noqa: F401 - failed work recorded (task_failure)
        from operations.observability import failed_work_gauges

        system_gauges_register("failed work", failed_work_gauges)
