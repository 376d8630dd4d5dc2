"""Background work of the levy. Thin: takes ids, calls a service; safe to run twice."""

import logging

from celery import shared_task

from fees import cases
from fees.cases import (
    skrd_pdf_failed,
    skrd_render_and_sign,
    strd_pdf_failed,
    strd_render_and_sign,
)
from permits.signing import SigningUnavailable

logger = logging.getLogger("ptsp.fees")


@shared_task(
    name="fees.tasks.render_skrd", acks_late=True, max_retries=3, time_limit=120,
    soft_time_limit=90,
)  # fmt: skip
def render_skrd(bill_id: int) -> None:
    """Render and sign the SKRD of bill `bill_id` (fees.cases.skrd_render_and_sign). A
    certificate problem is recorded on the bill (the bill stands and can be paid; its PDF
    waits for the operator), not retried."""
    try:
        skrd_render_and_sign(bill_id=bill_id)
    except SigningUnavailable as exc:
        logger.error("SKRD not signed: bill=%s %s", bill_id, exc)
        skrd_pdf_failed(bill_id=bill_id, reason=str(exc))


@shared_task(
    name="fees.tasks.render_strd", acks_late=True, max_retries=3, time_limit=120,
    soft_time_limit=90,
)  # fmt: skip
def render_strd(notice_id: int) -> None:
    """Render and sign STRD `notice_id` (fees.cases.strd_render_and_sign); a certificate
    problem is recorded on it, not retried."""
    try:
        strd_render_and_sign(notice_id=notice_id)
    except SigningUnavailable as exc:
        logger.error("STRD not signed: notice=%s %s", notice_id, exc)
        strd_pdf_failed(notice_id=notice_id, reason=str(exc))


@shared_task(name="fees.tasks.levy_sweep", acks_late=True, time_limit=600)
def levy_sweep() -> dict:
    """The daily look at unpaid bills (fees.cases.levy_sweep): STRDs and expiries. Safe to run
    twice or late."""
    counts = cases.levy_sweep()
    if any(counts.values()):
        logger.info("levy sweep: %s", counts)
    return counts
