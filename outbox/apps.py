from django.apps import AppConfig

from ptsp.health import health_fact_register
from ptsp.observability.metrics import system_gauges_register


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self):
        # Imported here, not at the top: the services and signals need the app registry ready.
        from outbox import signals  # noqa: F401 - the worker's reports, the relay in every worker
        from outbox.observability import backlog_gauges
        from outbox.services import pending_count, unfinished_count

        health_fact_register("outbox_pending", pending_count)
        # Handed over and not completed yet (or waiting): work the reconciler watches.
        health_fact_register("outbox_unfinished", unfinished_count)
        system_gauges_register("outbox", backlog_gauges)
