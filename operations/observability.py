"""The failed-work gauge of the metrics scrape (registered in OperationsConfig.ready)."""

from prometheus_client.core import GaugeMetricFamily

from operations.models import FailedTask


def failed_work_gauges():
    failed = GaugeMetricFamily(
        "ptsp_failed_tasks_waiting", "Failed work recorded and not run again yet."
    )
    failed.add_metric([], FailedTask.objects.filter(rerun_at__isnull=True).count())
    yield failed
