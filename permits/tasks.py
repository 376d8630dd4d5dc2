"""Background work of issuance. Thin: each task takes ids and calls a service; all are safe to
run twice. WeasyPrint is imported here, once, when the worker loads its task modules."""

import logging

from celery import shared_task

import permits.rendering  # noqa: F401 - import WeasyPrint once per worker process, not per task
from applications.models import Application
from permits.services.batch_signing import signing_batch_run
from permits.services.issuance import (
    permit_complete_issuance,
    permit_issuance_failed,
    permit_issue_deemed,
    permits_expire,
    permits_remind_expiry,
    rejection_letter_issue,
)
from permits.signing import SigningUnavailable

logger = logging.getLogger("ptsp.issuance")

MAX_RETRIES = 3


@shared_task(
    bind=True,
    name="permits.tasks.issue_permit",
    max_retries=MAX_RETRIES,
    acks_late=True,
    time_limit=120,
    soft_time_limit=90,
)
def issue_permit(self, permit_id: int) -> None:
    """Render, sign and store a permit being issued (permits.services.issuance). Retried with
    back-off; after the last try the reason is recorded and the application goes back to the
    signer. A certificate problem is not retried: it needs the operator."""
    try:
        permit_complete_issuance(permit_id=permit_id)
    except SigningUnavailable as exc:
        permit_issuance_failed(permit_id=permit_id, reason=str(exc))
    except Exception as exc:
        logger.exception("issuance attempt failed: permit=%s", permit_id)
        if self.request.retries >= self.max_retries:
            permit_issuance_failed(
                permit_id=permit_id, reason=f"{exc.__class__.__name__}: {exc}"[:2000]
            )
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task(
    name="permits.tasks.issue_deemed_permit", acks_late=True, time_limit=60, soft_time_limit=50
)
def issue_deemed_permit(application_id: int) -> None:
    """Issue a deemed approval automatically (the `auto` policy, issue 18): numbers the permit
    and hands it to `issue_permit`. Safe to run twice: one permit, one number
    (permits.services.issuance.permit_issue_deemed)."""
    permit_issue_deemed(application_id=application_id)


@shared_task(name="permits.tasks.sign_batch", acks_late=True, time_limit=900, soft_time_limit=840)
def sign_batch(batch_id: int, token: str = "", certificate_sha256: str = "") -> None:
    """Sign a batch with a remote signer (BSrE): `token` is the sealed passphrase or code
    (ADR 0010). Never retried automatically: a one-time code is good for one request, and a
    BSrE call is never repeated blindly (permits.services.batch_signing)."""
    signing_batch_run(batch_id=batch_id, token=token, certificate_sha256=certificate_sha256)


@shared_task(name="permits.tasks.issue_rejection_letter", acks_late=True, max_retries=3)
def issue_rejection_letter(application_id: int) -> None:
    """Render and sign the rejection letter of a rejected application (idempotent)."""
    rejection_letter_issue(application=Application.objects.get(pk=application_id))


@shared_task(name="permits.tasks.daily_expiry", ignore_result=True)
def daily_expiry() -> tuple[int, int]:
    """Daily (beat): mark permits past their validity expired; remind holders 30 days before."""
    expired = permits_expire()
    reminded = permits_remind_expiry()
    logger.info("expiry: expired=%s reminded=%s", expired, reminded)
    return expired, reminded
