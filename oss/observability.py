"""What the OSS deliveries tell the metrics (registered in OssAppConfig.ready): deliveries by
status per region, and the lag (age of the oldest delivery not yet sent)."""

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from oss.models import OssDelivery

UNSENT = ("pending", "failed_retrying", "failed_permanent")


def delivery_gauges():
    """Two queries: the count per (region, status) and the oldest unsent per region."""
    by_status = GaugeMetricFamily(
        "ptsp_oss_deliveries",
        "OSS deliveries by status (pending, sent, failed_retrying, failed_permanent), per region.",
        labels=["region", "status"],
    )
    lag = GaugeMetricFamily(
        "ptsp_oss_delivery_lag_seconds",
        "Age of the oldest OSS delivery not yet sent, per region (0: none waiting).",
        labels=["region"],
    )
    regions: set[str] = set()
    for row in (
        OssDelivery.objects.values("region__code", "status").annotate(n=Count("id")).order_by()
    ):
        regions.add(row["region__code"])
        by_status.add_metric([row["region__code"], row["status"]], row["n"])
    oldest = dict(
        OssDelivery.objects.filter(status__in=UNSENT)
        .values("region__code")
        .annotate(oldest=Min("created_at"))
        .order_by()
        .values_list("region__code", "oldest")
    )
    now = timezone.now()
    for code in sorted(regions):
        since = oldest.get(code)
        lag.add_metric([code], (now - since).total_seconds() if since else 0.0)
    return [by_status, lag]
