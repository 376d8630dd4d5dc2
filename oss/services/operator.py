"""The DPMPTSP operator's actions on the integration's waiting work (docs/oss.md, "The
operator's page"): map an unknown OSS permit code (`kd_izin`) to one of the region's permit
types and process its waiting items, process a waiting checklist item again, and try a failed
requirement file's fetch again now.

Who may call: the operator's page (`oss.views.operator`); the actor must be the region's
DPMPTSP monitor, verifier or signer (`oss.services.deliveries.can_operate`), or a superuser.
Each action locks what it changes, records an `OperatorAction` and a log line (codes and ids,
never personal data), and enqueues follow-up work (file fetches, the welcome mail of a new
applicant account) through the outbox. A refusal (`DomainError`) changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import PermitType
from oss.models import (
    ChecklistIntake,
    OperatorAction,
    PermitMapping,
    RequirementFile,
)
from oss.selectors import FAILED_FILE_STATES, WAITING_STATES
from oss.services.deliveries import can_operate
from oss.services.files import enqueue_fetch
from oss.services.inbound import intake_lock, intake_process_locked
from ptsp.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger("oss.operator")

S = ChecklistIntake.State
F = RequirementFile.State


@dataclass(frozen=True)
class MappingMade:
    mapping: PermitMapping
    items: int
    drafts: int


def _check(actor, region_id: int) -> None:
    if not can_operate(actor, region_id):
        raise NotAllowed(_("You may not do this."), code="oss")


def _record(region_id: int, actor, kind: str, subject: str, detail: str) -> None:
    OperatorAction.objects.create(
        region_id=region_id, actor=actor, kind=kind, subject=subject[:100], detail=detail[:255]
    )
    logger.info(
        "oss operator: %s %s by user %s in region %s: %s",
        kind,
        subject,
        actor.pk,
        region_id,
        detail,
    )


def permit_code_map(*, actor, region_id: int, kd_izin: str, permit_type_id) -> MappingMade:
    """Map the OSS permit code `kd_izin` of `region_id` to one of the region's active permit
    types (a new `PermitMapping`), then process every item of that code waiting for it.

    Raises NotAllowed (not the region's operator), DomainError (a code that is not 1–12 digits,
    a permit type that is not an active one of the region, no item waiting for the code) or
    Conflict (the code is mapped already). Changes nothing when it raises."""
    _check(actor, region_id)
    kd_izin = (kd_izin or "").strip()
    if not (kd_izin.isascii() and kd_izin.isdigit() and 1 <= len(kd_izin) <= 12):
        raise DomainError(_("An OSS permit code is 1 to 12 digits."), code="oss_kd_izin")
    permit_type = None
    if str(permit_type_id or "").isdigit():
        permit_type = PermitType.objects.filter(
            pk=int(permit_type_id), region_id=region_id, is_active=True
        ).first()
    if permit_type is None:
        raise DomainError(
            _("Choose one of this region's active permit types."), code="oss_permit_type"
        )
    with transaction.atomic():
        existing = (
            PermitMapping.objects.filter(region_id=region_id, kd_izin=kd_izin)
            .select_related("permit_type")
            .first()
        )
        if existing is not None:
            raise Conflict(
                _("The OSS permit code %(code)s is mapped already (to %(type)s).")
                % {"code": kd_izin, "type": existing.permit_type.name},
                code="oss_mapping_exists",
            )
        intake_ids = list(
            ChecklistIntake.objects.filter(
                item__region_id=region_id,
                item__kd_izin=kd_izin,
                item__application__isnull=True,
                state=S.UNKNOWN_CODE,
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not intake_ids:
            raise DomainError(
                _("No item from OSS waits for the permit code %(code)s.") % {"code": kd_izin},
                code="oss_nothing_waits",
            )
        try:
            with transaction.atomic():
                mapping = PermitMapping.objects.create(
                    region_id=region_id, kd_izin=kd_izin, permit_type=permit_type
                )
        except IntegrityError:  # another operator mapped it a moment ago
            raise Conflict(
                _("The OSS permit code %(code)s is mapped already.") % {"code": kd_izin},
                code="oss_mapping_exists",
            ) from None
        drafts = 0
        for intake_id in intake_ids:
            intake = intake_lock(intake_id)
            if intake.item.application_id is None and intake.state in WAITING_STATES:
                drafts += intake_process_locked(intake)
        _record(
            region_id,
            actor,
            OperatorAction.Kind.MAP_CODE,
            kd_izin,
            f"→ {permit_type.code}; {drafts}/{len(intake_ids)} drafts",
        )
    return MappingMade(mapping=mapping, items=len(intake_ids), drafts=drafts)


def checklist_intake_process(*, actor, intake_id: int) -> ChecklistIntake:
    """Process a waiting checklist item again: make its draft (and its files to fetch) if its
    code is mapped now and the business has an applicant account, else record why it still
    waits. Safe to repeat: a processed item is refused, never drafted twice.

    Raises NotAllowed (not the region's operator) or Conflict (the item has its draft already,
    or it asks nothing of us / its business was closed). Changes nothing when it raises."""
    with transaction.atomic():
        intake = intake_lock(intake_id)
        _check(actor, intake.item.region_id)
        if intake.item.application_id is not None or intake.state == S.DRAFTED:
            raise Conflict(
                _("This item was processed already: its application exists."),
                code="oss_item_processed",
            )
        if intake.state not in WAITING_STATES:
            raise Conflict(
                _("This item does not wait for an operator (%(state)s).")
                % {"state": intake.get_state_display()},
                code="oss_item_not_waiting",
            )
        intake_process_locked(intake)
        _record(
            intake.item.region_id,
            actor,
            OperatorAction.Kind.PROCESS_ITEM,
            intake.item.id_izin,
            f"{intake.state} {intake.reason}".strip(),
        )
    return intake


def requirement_file_retry(*, actor, file_id: int) -> RequirementFile:
    """Try a failed requirement file's fetch again now (through the outbox, not in the
    request): a file given up on gets one more attempt.

    Raises NotAllowed (not the region's operator) or Conflict (the fetch has not failed: the
    file is waiting, attached, refused or rejected). Changes nothing when it raises."""
    with transaction.atomic():
        row = (
            RequirementFile.objects.select_for_update(no_key=True, of=("self",))
            .select_related("item")
            .get(pk=file_id)
        )
        _check(actor, row.item.region_id)
        if row.state not in FAILED_FILE_STATES:
            raise Conflict(
                _("This file's fetch has not failed (%(state)s): there is nothing to try again.")
                % {"state": row.get_state_display()},
                code="oss_file_not_failed",
            )
        before = row.state
        row.state = F.RETRYING
        row.next_attempt_at = timezone.now()
        row.save(update_fields=["state", "next_attempt_at"])
        enqueue_fetch(row)
        _record(
            row.item.region_id,
            actor,
            OperatorAction.Kind.RETRY_FILE,
            f"{row.item.id_izin} {row.id_syarat}",
            f"{before} after {row.attempts} attempts: {row.last_error}",
        )
    return row
