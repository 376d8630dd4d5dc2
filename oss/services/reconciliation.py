"""The daily reconciliation (issue 16): for the files delivered in the last
OSS_RECONCILE_DAYS days, ask OSS the status it holds (`checkLicenseStatus`) and keep, per file,
ours, theirs and whether they differ (`OssStatusCheck`, shown on the integration page). An
unknown code (OSS answers codes its guide does not list, e.g. "58") is kept and shown, never a
crash; a file OSS could not be asked about keeps the error."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from oss.client import OssClient
from oss.models import OssDelivery, OssStatusCheck
from oss.services.deliveries import connection_for, endpoint_of

logger = logging.getLogger(__name__)


def _ours(item_id: int) -> str:
    """The last status OSS took from us for a file (its final permit counts as its
    status_izin, 50)."""
    last = (
        OssDelivery.objects.filter(checklist_item_id=item_id, status=OssDelivery.Status.SENT)
        .order_by("-sent_at", "-id")
        .first()
    )
    return last.kd_status if last else ""


def reconcile_recent(*, days: int | None = None) -> int:
    """Check every file with a delivery sent in the last `days` days. Who: oss.tasks.reconcile
    (daily). Changes: one OssStatusCheck per file. Returns how many differ. Talks to OSS."""
    days = settings.OSS_RECONCILE_DAYS if days is None else days
    since = timezone.now() - timedelta(days=days)
    rows = (
        OssDelivery.objects.filter(status=OssDelivery.Status.SENT, sent_at__gte=since)
        .values_list("region_id", "checklist_item_id", "checklist_item__id_izin")
        .distinct()
        .order_by("region_id", "checklist_item_id")
    )
    clients: dict[int, OssClient | None] = {}
    differing = 0
    for region_id, item_id, id_izin in rows:
        if region_id not in clients:
            conn = connection_for(region_id)
            try:
                clients[region_id] = OssClient(endpoint_of(conn)) if conn else None
            except (ImproperlyConfigured, ValueError) as exc:
                logger.warning("oss reconcile: region %s not usable: %s", region_id, exc)
                clients[region_id] = None
        client = clients[region_id]
        if client is None:
            continue
        ours = _ours(item_id)
        result = client.check_license_status(id_izin)
        values = {"checked_at": timezone.now(), "ours": ours}
        if result.ok and result.value is not None:
            status = result.value.status
            values |= {
                "theirs": result.value.kd_status,
                "theirs_uraian": (result.value.uraian_status or status.status_id)[:255],
                "theirs_known": status.known,
                "differs": result.value.kd_status != ours,
                "error": "",
            }
        else:
            values |= {
                "theirs": "",
                "theirs_uraian": "",
                "theirs_known": True,
                "differs": False,
                "error": (result.keterangan or str(result.outcome))[:255],
            }
        check, _created = OssStatusCheck.objects.update_or_create(
            checklist_item_id=item_id, defaults=values
        )
        differing += check.differs
    logger.info("oss reconcile: %s file(s) differ", differing)
    return differing
