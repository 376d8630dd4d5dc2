from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ptsp.observability.metrics import system_gauges_register


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        # Imported here, not at the top: the models need the app registry ready.
        from applications import observability
        from applications.sla import (
            holidays,  # noqa: F401  (holidays changed move deadlines)
            legal,  # noqa: F401  (connects the legal clock's receiver)
        )

        system_gauges_register("reviews", observability.review_gauges)
        system_gauges_register("stages", observability.stage_gauges)
        observability.task_subjects_register()
