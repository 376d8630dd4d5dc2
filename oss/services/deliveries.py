"""Deliveries to OSS (issue 16, outbound; docs/oss.md "Phase 2 — outbound").

1. **Recording** (`event_delivery_record`, `permit_delivery_record`): called by the receivers of
   `applications.signals.event_recorded` and `permits.signals.application_issued` (oss.apps),
   inside the transaction of the event. A file OSS does not follow (no checklist item), a region
   without an enabled connection, or an event OSS does not track records nothing: the portal
   works as before. Otherwise one `OssDelivery` row (its payload built and checked against the
   guide now) and one outbox message, in that transaction. Nothing here talks to OSS.
2. **Sending** (`deliveries_send`): the task (oss.tasks) and the periodic sweep send one
   application's deliveries in order, under a session advisory lock per application (released
   with the connection if the worker dies). A later delivery waits while an earlier one is not
   sent; a retryable outcome backs off (`backoff`); a permanent one (4xx, 200 with `kode` 400)
   stops the file's queue until an operator sends it again (`delivery_resend`). A sent delivery
   is never sent again.
3. **A call that may have arrived** (a read timeout, a dropped connection, a worker killed
   mid-call): before a status is sent again, OSS is asked (`checkLicenseStatus`); if it already
   holds that status the delivery is marked sent without a second call.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role
from agencies.selectors import memberships_of
from fees.selectors import levy_summary
from oss.client import OssClient, OssEndpoint, OssResult, Outcome
from oss.links import permit_file_link
from oss.mapping import (
    ONCE_PER_FILE,
    PAYMENT_EVENTS,
    data_teknis_fields,
    kd_status_for,
    pnbp_fields,
)
from oss.models import ChecklistItem, OssDelivery, RegionConnection, checklist_of
from oss.protocol.outbound import (
    DataPnbp,
    DataTeknis,
    FinalLicense,
    LicenseStatus,
    read_license_answer,
)
from oss.protocol.schema import ProtocolError, validate
from oss.protocol.specs import RECEIVE_LICENSE
from outbox.services import enqueue
from ptsp.errors import Conflict, NotAllowed

logger = logging.getLogger(__name__)

TASK = "oss.tasks.deliver"
D = OssDelivery.Status
UNSENT = (D.PENDING, D.FAILED_RETRYING, D.FAILED_PERMANENT)
# The advisory lock's first key: "OSSD" (the second is the application id).
LOCK_CLASS = 0x4F535344 - 2**31
# How many of a file's deliveries are read at once.
BATCH = 50


# --- Configuration ---------------------------------------------------------------------------


def connection_for(region_id: int) -> RegionConnection | None:
    """The region's enabled OSS connection, or None (the region works as if OSS did not exist)."""
    return RegionConnection.objects.filter(region_id=region_id, enabled=True).first()


def endpoint_of(conn: RegionConnection) -> OssEndpoint:
    """The client's endpoint; ImproperlyConfigured when the user_key's variable is not set."""
    return OssEndpoint(
        base_url=conn.base_url,
        user_key=conn.user_key(),
        path_template=conn.path_template,
        connect_timeout=conn.connect_timeout,
        read_timeout=conn.read_timeout,
    )


def backoff(attempts: int) -> timedelta:
    """How long a delivery waits after its `attempts`-th retryable failure: 30 s, 1, 2, 4 …
    minutes, at most OSS_RETRY_MAX_SECONDS (an hour)."""
    seconds = settings.OSS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OSS_RETRY_MAX_SECONDS))


# --- Recording -------------------------------------------------------------------------------


def _officer(event, region) -> tuple[str, str]:
    """(nama_status, nip_status): the acting officer; background steps name the office."""
    actor = event.actor
    if actor is not None and actor.pk != event.application.applicant_id:
        return actor.full_name[:50], (actor.nip or "")[:50]
    return f"PTSP Online {region.name}"[:50], ""


def _record(
    *,
    item: ChecklistItem,
    method: str,
    kd_status: str,
    key: str,
    build,
    at,
    event=None,
    permit=None,
) -> OssDelivery | None:
    """One delivery and its outbox message, in the caller's transaction; None when the key is
    already recorded. A payload that breaks the guide (e.g. a signer without a NIP) is recorded
    as refused, with the reason, for an operator: the event itself is never refused."""
    application = item.application
    status, keterangan, payload = D.PENDING, "", {}
    try:
        payload = build()
    except ProtocolError as exc:
        status, keterangan = (
            D.FAILED_PERMANENT,
            _("Not sent: the message breaks the guide: %s")
            % ("; ".join(str(issue) for issue in exc.issues)[:900]),
        )
        logger.error("oss: delivery %s not built: %s", key, keterangan)
    try:
        with transaction.atomic():
            delivery = OssDelivery.objects.create(
                region_id=application.region_id,
                application=application,
                checklist_item=item,
                event=event,
                permit=permit,
                method=method,
                kd_status=kd_status,
                idempotency_key=key,
                payload=payload,
                status=status,
                next_attempt_at=at if status == D.PENDING else None,
                last_keterangan=keterangan,
                created_at=at,
            )
    except IntegrityError:
        return None  # this event was recorded already
    if status == D.PENDING:
        enqueue(
            TASK,
            kwargs={"application_id": application.pk},
            dedupe_key=f"oss-delivery:{delivery.pk}",
        )
    return delivery


def event_delivery_record(*, event) -> OssDelivery | None:
    """A `receiveLicenseStatus` for `event` when OSS tracks its action and follows the file.

    Who: the `event_recorded` receiver (oss.apps), in the event's transaction. Changes: one
    OssDelivery, one outbox message. Raises nothing for a payload OSS would refuse (see
    `_record`)."""
    kd_status = kd_status_for(event.action, event.data)
    if kd_status is None:
        return None
    item = checklist_of(event.application_id)
    if item is None:
        return None
    application = event.application
    region = application.region
    conn = connection_for(region.pk)
    if conn is None:
        return None
    item.application = application
    nama, nip = _officer(event, region)
    if event.action == "issue":
        permit = getattr(application, "permit", None)
        if permit is not None:
            nama, nip = permit.signer_name[:50], (permit.signer_nip or "")[:50]
    pnbp = (
        pnbp_fields(event.action, levy_summary(application.pk))
        if event.action in PAYMENT_EVENTS
        else None
    )

    def build() -> dict:
        return LicenseStatus(
            nib=item.nib,
            oss_id=item.oss_id,
            id_izin=item.id_izin,
            kd_izin=item.kd_izin,
            id_proyek=item.id_proyek,
            kd_status=kd_status,
            status_at=event.at,
            nama_status=nama,
            nip_status=nip,
            keterangan=(event.note or "")[:65535],
            data_pnbp=DataPnbp(**pnbp) if pnbp is not None else None,
        ).to_payload()

    # Routing writes one event per OPD; OSS hears "technical review" (12) once per file. A levy
    # assessed again (a correction) is still the one "30".
    key = (
        f"{event.action}:{application.pk}" if event.action in ONCE_PER_FILE else f"event:{event.pk}"
    )
    return _record(
        item=item,
        method=OssDelivery.Method.LICENSE_STATUS,
        kd_status=kd_status,
        key=key,
        build=build,
        at=event.at,
        event=event,
    )


def _final_license(item: ChecklistItem, permit, kd_daerah: str) -> FinalLicense:
    issued = timezone.localtime(permit.issued_at, ZoneInfo(permit.region.timezone))
    return FinalLicense(
        nib=item.nib,
        id_proyek=item.id_proyek,
        oss_id=item.oss_id,
        id_izin=item.id_izin,
        kd_izin=item.kd_izin,
        kd_daerah=kd_daerah,
        nomor_izin=permit.number[:50],
        tgl_terbit_izin=issued.date(),
        # A permit without an end stays valid while the business runs: the guide has no blank
        # for it, so the furthest date (to be confirmed with OSS's staging).
        tgl_berlaku_izin=permit.valid_until or issued.date().replace(year=9999, month=12, day=31),
        nama_ttd=permit.signer_name[:50],
        nip_ttd=(permit.signer_nip or "")[:25],
        jabatan_ttd=(permit.signer_position or "")[:150],
        status_izin="50",
        file_izin=permit_file_link(permit.pk),
        data_teknis=_data_teknis(permit.application),
    )


def _data_teknis(application) -> DataTeknis | None:
    """A PBG's approved figures (oss.mapping.data_teknis_fields), None for other permits."""
    fields = data_teknis_fields(application.form_data, levy_summary(application.pk))
    return DataTeknis(**fields) if fields is not None else None


def permit_delivery_record(*, application_id: int, permit_id: int) -> OssDelivery | None:
    """The issued permit as `receiveLicense` (`IZINFINAL`), after the file's 50.

    Who: the `application_issued` receiver (oss.apps), in the issuing transaction. Changes: one
    OssDelivery, one outbox message; nothing when OSS does not follow the file."""
    item = checklist_of(application_id)
    if item is None:
        return None
    application = item.application
    conn = connection_for(application.region_id)
    if conn is None:
        return None
    permit = application.permit
    if permit.pk != permit_id:
        return None
    return _record(
        item=item,
        method=OssDelivery.Method.LICENSE,
        kd_status="50",
        key=f"permit:{permit_id}",
        build=lambda: _final_license(item, permit, conn.kd_daerah).to_payload(),
        at=timezone.now(),
        permit=permit,
    )


# --- Sending ---------------------------------------------------------------------------------


def _try_lock(application_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, application_id])
        return bool(cursor.fetchone()[0])


def _unlock(application_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, application_id])


def deliveries_send(*, application_id: int) -> str:
    """Send the application's due deliveries, oldest first, until one does not succeed.

    Who: oss.tasks (the outbox task and the periodic sweep). Talks to OSS. Returns "done"
    (nothing left), "waiting" (an earlier delivery backs off), "blocked" (an earlier one was
    refused: an operator must send it again), "busy" (another worker is sending this file's
    deliveries) or "unconfigured". Safe to run twice or concurrently."""
    if not _try_lock(application_id):
        return "busy"
    try:
        client: OssClient | None = None
        while True:
            # The file's queue, read once per round (the lock keeps other senders out; a round
            # ends when it is sent, then the queue is read again for what arrived meanwhile).
            queue = list(
                OssDelivery.objects.filter(application_id=application_id, status__in=UNSENT)
                .select_related("checklist_item")
                .order_by("id")[:BATCH]
            )
            if not queue:
                return "done"
            for delivery in queue:
                if delivery.status == D.FAILED_PERMANENT:
                    return "blocked"
                if delivery.next_attempt_at and delivery.next_attempt_at > timezone.now():
                    return "waiting"
                if client is None:
                    client = _client_for(delivery)
                    if client is None:
                        return "unconfigured"
                if not _attempt(client, delivery):
                    return "waiting" if delivery.status == D.FAILED_RETRYING else "blocked"
    finally:
        _unlock(application_id)


def _client_for(delivery: OssDelivery) -> OssClient | None:
    conn = connection_for(delivery.region_id)
    reason = ""
    if conn is None:
        reason = _("The region's OSS connection is switched off; the delivery waits.")
    else:
        try:
            return OssClient(endpoint_of(conn))
        except (ImproperlyConfigured, ValueError) as exc:
            reason = _("The OSS connection is not usable: %s") % exc
    logger.warning("oss: delivery %s waits: %s", delivery.pk, reason)
    _save_outcome(delivery, None, keterangan=reason)
    return None


def _already_at_oss(client: OssClient, delivery: OssDelivery) -> bool:
    """Whether an earlier attempt that may have arrived did: OSS holds this very status now."""
    if delivery.method != OssDelivery.Method.LICENSE_STATUS or not delivery.last_maybe_taken:
        return False
    check = client.check_license_status(delivery.checklist_item.id_izin)
    return bool(check.ok and check.value and check.value.kd_status == delivery.kd_status)


def _payload_now(delivery: OssDelivery) -> dict:
    payload = delivery.payload
    if delivery.method == OssDelivery.Method.LICENSE and delivery.permit_id:
        # A fresh link at each attempt: OSS may fetch the file long after the permit was issued.
        payload = {"IZINFINAL": {**payload["IZINFINAL"]}}
        payload["IZINFINAL"]["file_izin"] = permit_file_link(delivery.permit_id)
        validate(RECEIVE_LICENSE, payload, unknown="reject")
    return payload


def _attempt(client: OssClient, delivery: OssDelivery) -> bool:
    """One call for one delivery; records the outcome. True when it was sent."""
    if _already_at_oss(client, delivery):
        delivery.status, delivery.sent_at = D.SENT, timezone.now()
        delivery.last_keterangan = _("Confirmed by checkLicenseStatus: OSS already holds it.")
        delivery.last_maybe_taken = False
        delivery.save(update_fields=["status", "sent_at", "last_keterangan", "last_maybe_taken"])
        return True
    # Committed before the call: a worker killed during it leaves the mark, and the next
    # attempt asks OSS first.
    OssDelivery.objects.filter(pk=delivery.pk).update(
        last_maybe_taken=True, last_attempt_at=timezone.now()
    )
    payload = _payload_now(delivery)
    if delivery.method == OssDelivery.Method.LICENSE:
        result = client.call("receiveLicense", payload, read_license_answer)
    else:
        result = client.call("receiveLicenseStatus", payload, lambda wrapper: None)
    _save_outcome(delivery, result)
    return delivery.status == D.SENT


def _save_outcome(delivery: OssDelivery, result: OssResult | None, keterangan: str = "") -> None:
    now = timezone.now()
    delivery.last_attempt_at = now
    if result is None:  # not called: the configuration is missing
        delivery.status = D.FAILED_RETRYING
        delivery.last_outcome = "unconfigured"
        delivery.last_http_status = delivery.last_kode = None
        delivery.last_keterangan = keterangan
        delivery.next_attempt_at = now + timedelta(seconds=settings.OSS_RETRY_MAX_SECONDS)
        delivery.last_maybe_taken = False
    else:
        delivery.attempts += 1
        delivery.last_outcome = str(result.outcome)
        delivery.last_http_status = result.http_status
        delivery.last_kode = result.kode
        delivery.last_keterangan = (result.keterangan or "")[:2000]
        # No answer after the request left (a read timeout, a dropped connection): OSS may
        # have taken it.
        delivery.last_maybe_taken = result.http_status is None and not result.keterangan.startswith(
            ("connect", "connection refused", "host not found", "TLS")
        )
        if result.outcome is Outcome.SUCCESS:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = D.SENT, now, None
            if result.value is not None and getattr(result.value, "nomor_izin", ""):
                delivery.nomor_izin = result.value.nomor_izin[:50]
        elif result.outcome is Outcome.RETRYABLE:
            since = delivery.resent_at or delivery.created_at
            give_up = since + timedelta(seconds=settings.OSS_RETRY_GIVE_UP_SECONDS)
            if now >= give_up:
                delivery.status, delivery.next_attempt_at = D.FAILED_PERMANENT, None
                delivery.last_keterangan = _("Given up after %(attempts)s attempts: %(answer)s") % {
                    "attempts": delivery.attempts,
                    "answer": delivery.last_keterangan,
                }
            else:
                delivery.status = D.FAILED_RETRYING
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        else:
            delivery.status, delivery.next_attempt_at = D.FAILED_PERMANENT, None
    delivery.save()
    level = logging.INFO if delivery.status == D.SENT else logging.WARNING
    logger.log(
        level,
        "oss delivery: id=%s application=%s method=%s kd_status=%s status=%s attempts=%s",
        delivery.pk,
        delivery.application_id,
        delivery.method,
        delivery.kd_status,
        delivery.status,
        delivery.attempts,
    )


def due_applications(*, limit: int = 200) -> list[int]:
    """Applications whose oldest unsent delivery is due now (pending, or retrying with its
    back-off passed), oldest first: the periodic sweep's work list. A file blocked by a refusal
    or backing off is not listed, so that many of them never crowd out the files that can move."""
    earlier_unsent = OssDelivery.objects.filter(
        application_id=OuterRef("application_id"), id__lt=OuterRef("id"), status__in=UNSENT
    )
    return list(
        OssDelivery.objects.filter(
            status__in=(D.PENDING, D.FAILED_RETRYING), next_attempt_at__lte=timezone.now()
        )
        .exclude(Exists(earlier_unsent))
        .order_by("next_attempt_at")
        .values_list("application_id", flat=True)[:limit]
    )


# --- The operator ----------------------------------------------------------------------------


def can_operate(user, region_id: int) -> bool:
    """Whether `user` may see and send again a region's OSS deliveries: the DPMPTSP's monitor,
    verifier or signer of that region, or a superuser."""
    if user.is_superuser:
        return True
    return any(
        m.agency.region_id == region_id and m.role in (Role.MONITOR, Role.VERIFIER, Role.SIGNER)
        for m in memberships_of(user)
    )


def delivery_resend(*, delivery_id: int, actor) -> OssDelivery:
    """Send a refused (or retrying) delivery again, now: back to pending, and a new outbox
    message for its application.

    Who: the region's DPMPTSP staff (`can_operate`). Raises NotAllowed, or Conflict for a
    delivery already sent (a sent delivery is never sent again)."""
    with transaction.atomic():
        delivery = OssDelivery.objects.select_for_update(no_key=True).get(pk=delivery_id)
        if not can_operate(actor, delivery.region_id):
            raise NotAllowed(_("You may not do this."), code="oss")
        if delivery.status == D.SENT:
            raise Conflict(_("This delivery was sent already."), code="oss")
        if delivery.status == D.FAILED_PERMANENT and not delivery.payload:
            raise Conflict(
                _("This message cannot be sent: correct the file's data first."), code="oss"
            )
        now = timezone.now()
        delivery.status = D.PENDING
        delivery.next_attempt_at = now
        delivery.resent_by = actor
        delivery.resent_at = now
        delivery.save()
        enqueue(
            TASK,
            kwargs={"application_id": delivery.application_id},
            dedupe_key=f"oss-resend:{delivery.pk}:{now.timestamp()}",
        )
    logger.info("oss: delivery %s sent again by user %s", delivery.pk, actor.pk)
    return delivery
