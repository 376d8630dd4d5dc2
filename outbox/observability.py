"""What the outbox tells the health report and the metrics scrape (registered in
OutboxConfig.ready: ptsp's health and metrics know no app)."""

from prometheus_client.core import GaugeMetricFamily

from outbox.services import pending_count


def backlog_gauges():
    gauge = GaugeMetricFamily("ptsp_outbox_pending", "Outbox messages not yet taken by the broker.")
    gauge.add_metric([], pending_count())
    yield gauge
