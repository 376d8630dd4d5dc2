"""Telling people at every hand-over: an in-app notification and an e-mail, in the recipient's
language. The e-mail is a Celery task (through the outbox), retried, never blocking a request.

Texts live in `applications/templates/applications/notifications/<kind>.txt`: the first line is
the subject, the rest the body. Each notice has a dedupe key, so a retried service or task never
tells anyone twice.
"""

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from applications.models import Application, Notification
from outbox.services import enqueue

KINDS = {
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
    "review_assigned",
    "review_routed_head",
    "head_approval_requested",
    "head_approval_sent_back",
    # The sweep's reminders of the head's approval (issue 18, applications.sla.sweep).
    "head_approval_reminder",
    "head_approval_due_today",
    "head_approval_overdue",
    "head_approval_escalation",
    "revision_requested",
    "revision_answered",
    "inspection_scheduled",
    "rejection_proposed",
    "recommended",
    "rejected",
    "rejection_sent_back",
    "issued",
    "issuance_failed",
    "sla_reminder",
    "sla_due_today",
    "sla_overdue",
    "sla_escalation",
    "legal_warning",
    "legal_intake_warning",
    "deemed_approved",
    "permit_expiring",
    "permit_revoked",
    "survey_invitation",
    "skrd_issued",
    "payment_proof_refused",
    "strd_issued",
    "skrd_expired",
    # The applicant's correction period (issue 18 part B, applications.sla.corrections).
    "correction_reminder",
    "correction_lapsed",
    "correction_expired",
}


def _render(kind: str, recipient, context: dict) -> tuple[str, str]:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = render_to_string(
            f"applications/notifications/{kind}.txt", {**context, "recipient": recipient}
        )
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def notify(
    *,
    recipients: Iterable,
    kind: str,
    application: Application | None = None,
    context: dict | None = None,
    url: str = "",
    dedupe: str = "",
) -> list[Notification]:
    """Create one notification per recipient and enqueue its e-mail (after commit).

    Who may call: services, inside their transaction. `dedupe` (e.g. the event id) makes the
    call idempotent per recipient and kind. Returns the notifications created now.
    """
    assert kind in KINDS, kind
    context = {"application": application, "site_url": settings.SITE_URL, **(context or {})}
    created = []
    seen = set()
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or not recipient.is_active:
            continue
        seen.add(recipient.pk)
        key = f"{kind}:{dedupe}:{recipient.pk}" if dedupe else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        subject, body = _render(kind, recipient, context)
        notification = Notification.objects.create(
            recipient=recipient,
            application=application,
            kind=kind,
            subject=subject[:200],
            body=body,
            url=url,
            dedupe_key=key,
        )
        enqueue(
            "applications.tasks.send_notification_email",
            args=[notification.pk],
            dedupe_key=f"mail:{notification.pk}",
        )
        created.append(notification)
    return created


def application_url(application: Application, *, for_staff: bool = False) -> str:
    if for_staff:
        return reverse("applications:intake_check", args=[application.pk])
    return reverse("applications:detail", args=[application.pk])


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all when no ids are given). Returns how many."""
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
