"""Reads of the OSS integration, scoped to the viewer (the integration page, a file's panel)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Q, Subquery
from django.utils.translation import gettext_lazy as _

from agencies.models import Region, Role
from agencies.selectors import memberships_of
from catalog.models import PermitType
from oss.models import (
    ChecklistIntake,
    ChecklistItem,
    NibInquiry,
    OperatorAction,
    OssDelivery,
    OssStatusCheck,
    RegionConnection,
    RequirementFile,
)
from ptsp.links import reverse_cached
from ptsp.workdays import reference_cache

OPERATOR_ROLES = (Role.MONITOR, Role.VERIFIER, Role.SIGNER)
D = OssDelivery.Status
#: Checklist items an operator can unblock (processing them again may make their draft).
WAITING_STATES = (
    ChecklistIntake.State.UNKNOWN_CODE,
    ChecklistIntake.State.NO_APPLICANT,
    ChecklistIntake.State.FAILED,
)
#: Requirement files whose fetch failed and may be tried again now.
FAILED_FILE_STATES = (RequirementFile.State.RETRYING, RequirementFile.State.GAVE_UP)


def operator_regions(user) -> list[Region]:
    """The regions whose OSS deliveries `user` may see and send again (DPMPTSP monitor,
    verifier or signer; a superuser: every region with a connection)."""
    if user.is_superuser:
        return list(Region.objects.filter(oss_connection__isnull=False).order_by("name"))
    ids = {m.agency.region_id for m in memberships_of(user) if m.role in OPERATOR_ROLES}
    return list(Region.objects.filter(pk__in=ids).order_by("name"))


def region_connected(region: Region) -> bool:
    """Whether the region has an OSS connection (switched on or off)."""
    return RegionConnection.objects.filter(region=region).exists()


def deliveries_of(application_id: int) -> list[OssDelivery]:
    """A file's OSS deliveries, oldest first (callers have checked access to the file)."""
    return list(
        OssDelivery.objects.filter(application_id=application_id)
        .select_related("resent_by")
        .order_by("id")
    )


@dataclass
class RegionIntegration:
    region: Region
    connection: RegionConnection | None
    waiting: list[OssDelivery]
    refused: list[OssDelivery]
    last_success: OssDelivery | None
    last_attempt: OssDelivery | None
    unclaimed: list[ChecklistItem]
    differing: list[OssStatusCheck]

    @property
    def reachable(self) -> bool | None:
        """None: never tried; True: OSS answered the last call (even with a refusal)."""
        if self.last_attempt is None:
            return None
        return self.last_attempt.last_outcome in ("success", "permanent")


def integration_of(region: Region, *, limit: int = 100) -> RegionIntegration:
    """What the integration page shows for one region: a few queries, none per row."""
    deliveries = OssDelivery.objects.filter(region=region).select_related(
        "application", "checklist_item"
    )
    return RegionIntegration(
        region=region,
        connection=RegionConnection.objects.filter(region=region).first(),
        waiting=list(
            deliveries.filter(status__in=(D.PENDING, D.FAILED_RETRYING)).order_by("id")[:limit]
        ),
        refused=list(deliveries.filter(status=D.FAILED_PERMANENT).order_by("id")[:limit]),
        last_success=deliveries.filter(status=D.SENT).order_by("-sent_at").first(),
        last_attempt=deliveries.filter(last_attempt_at__isnull=False)
        .exclude(last_outcome="unconfigured")
        .order_by("-last_attempt_at")
        .first(),
        unclaimed=list(
            ChecklistItem.objects.filter(region=region, application__isnull=True).order_by("id")[
                :limit
            ]
        ),
        differing=list(
            OssStatusCheck.objects.filter(checklist_item__region=region)
            .filter(Q(differs=True) | ~Q(error=""))
            .select_related("checklist_item__application")
            .order_by("-checked_at")[:limit]
        ),
    )


@dataclass
class WaitingCode:
    """An unknown OSS permit code of a region and the items waiting for it."""

    kd_izin: str
    nama_izin: str
    intakes: list[ChecklistIntake]


@dataclass
class RegionWaiting:
    """What waits for the operator in one region (the operator's page)."""

    region: Region
    intakes: list[ChecklistIntake]
    unknown_codes: list[WaitingCode]
    failed_files: list[RequirementFile]
    permit_types: list[PermitType]
    actions: list[OperatorAction]


def waiting_work_of(region: Region, *, limit: int = 100) -> RegionWaiting:
    """Checklist items waiting for an operator (unknown kd_izin, no applicant account, a draft
    that could not be made) and requirement files whose fetch failed, the region's active permit
    types to map a code to, and the last actions. A fixed number of queries, none per row."""
    intakes = list(
        ChecklistIntake.objects.filter(
            item__region=region, item__application__isnull=True, state__in=WAITING_STATES
        )
        .select_related("item", "business")
        .order_by("id")[:limit]
    )
    codes: dict[str, WaitingCode] = {}
    for intake in intakes:
        if intake.state == ChecklistIntake.State.UNKNOWN_CODE:
            entry = codes.setdefault(
                intake.item.kd_izin, WaitingCode(intake.item.kd_izin, intake.nama_izin, [])
            )
            entry.intakes.append(intake)
    return RegionWaiting(
        region=region,
        intakes=intakes,
        unknown_codes=list(codes.values()),
        failed_files=list(
            RequirementFile.objects.filter(item__region=region, state__in=FAILED_FILE_STATES)
            .select_related("item__application")
            .order_by("id")[:limit]
        ),
        permit_types=list(
            PermitType.objects.filter(region=region, is_active=True).order_by("name_id")
        ),
        actions=list(OperatorAction.objects.filter(region=region).select_related("actor")[:20]),
    )


def draft_inquiry_panel(application) -> dict | None:
    """The draft page's OSS panel (`applications.panels.draft_panel_register`): the last
    `inqueryNIB` of the draft, and whether the applicant may ask by NPWP or ask again. None
    (no panel) for a region without an enabled connection or a draft OSS pushed. Two queries."""
    connected = (
        RegionConnection.objects.filter(region_id=application.region_id, enabled=True)
        .annotate(
            from_oss=Exists(ChecklistItem.objects.filter(application_id=application.pk)),
            inquiry_id=Subquery(
                NibInquiry.objects.filter(application_id=application.pk).values("pk")[:1]
            ),
        )
        .values("from_oss", "inquiry_id")
        .first()
    )
    if connected is None or connected["from_oss"]:
        return None
    inquiry = (
        NibInquiry.objects.filter(pk=connected["inquiry_id"]).first()
        if connected["inquiry_id"]
        else None
    )
    if inquiry is None and application.nib:
        return None  # an NIB saved before the region was connected: nothing to show
    states = NibInquiry.State
    return {
        "template": "oss/_nib_inquiry.html",
        "inquiry": inquiry,
        "application": application,
        "can_retry": inquiry is not None and inquiry.state == states.UNAVAILABLE,
        # no NIB typed yet, or OSS did not know or did not answer about the one typed
        "can_ask_npwp": inquiry is None or inquiry.state in (states.UNKNOWN, states.UNAVAILABLE),
    }


def _connected_region_ids() -> frozenset[int]:
    return frozenset(
        RegionConnection.objects.filter(enabled=True).values_list("region_id", flat=True)
    )


def staff_nav_links(user, memberships) -> list[dict]:
    """The staff navigation's link to the integration page, for the DPMPTSP operators of a
    region connected to OSS (`agencies.context_processors.staff_nav_register`). The connected
    regions come from the per-process reference cache: no query on most pages."""
    regions = {m.agency.region_id for m in memberships if m.role in OPERATOR_ROLES}
    if not regions:
        return []
    connected = reference_cache.get_or_compute(("oss_connected_regions",), _connected_region_ids)
    if not regions & connected:
        return []
    return [{"url": reverse_cached("oss:integration"), "label": _("OSS integration")}]
