"""Reads of the catalog: the public list and SOP pages, the permit-type names of list rows, the
fee as printed, and the landing page's most used permit types."""

from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency, Region
from catalog.models import PermitType, PermitTypeVersion, RouteStep
from ptsp.i18n import pick


def permit_name_columns(path: str = "permit_type") -> dict:
    """For `.values(**…)`: the two names of the permit type reached by `path`; `with_permit_name`
    turns them into the row's `permit_name`."""
    return {"permit_name_id": F(f"{path}__name_id"), "permit_name_en": F(f"{path}__name_en")}


def with_permit_name(rows: list[dict]) -> list[dict]:
    """Rows read with `permit_name_columns`, each with its `permit_name` in the active language
    instead of the two columns."""
    for row in rows:
        row["permit_name"] = pick(row.pop("permit_name_id"), row.pop("permit_name_en"))
    return rows


def catalog_regions() -> QuerySet[Region]:
    return Region.objects.filter(is_active=True).order_by("name")


def catalog_agencies(region: Region | None = None) -> QuerySet[Agency]:
    """OPDs that review at least one active permit type (of `region`, when given)."""
    qs = Agency.objects.filter(
        kind=Agency.Kind.OPD, is_active=True, region__is_active=True
    ).select_related("region")
    if region is not None:
        qs = qs.filter(region=region)
    return qs.filter(
        pk__in=RouteStep.objects.filter(permit_type__is_active=True).values("agency_id")
    ).order_by("region__name", "name")


def catalog_permit_types(
    *, region: Region | None = None, agency_id: int | None = None, search: str = ""
) -> QuerySet[PermitType]:
    """Active permit types of active regions, filtered by region, reviewing agency and words."""
    qs = PermitType.objects.filter(is_active=True, region__is_active=True)
    if region is not None:
        qs = qs.filter(region=region)
    if agency_id:
        qs = qs.filter(route__agency_id=agency_id)
    for word in search.split()[:8]:
        qs = qs.filter(
            Q(name_id__icontains=word)
            | Q(name_en__icontains=word)
            | Q(code__icontains=word)
            | Q(description_id__icontains=word)
            | Q(description_en__icontains=word)
        )
    return (
        qs.select_related("region", "assessing_agency")
        .prefetch_related(Prefetch("route", queryset=RouteStep.objects.select_related("agency")))
        .distinct()
        .order_by("region__name", "name_id")
    )


def permit_type_published(*, region_code: str, code: str) -> tuple[PermitType, PermitTypeVersion]:
    """The active permit type and its latest published version; PermitType.DoesNotExist else."""
    permit_type = PermitType.objects.select_related("region").get(
        region__code=region_code, code=code, is_active=True, region__is_active=True
    )
    version = permit_type.versions.order_by("-number").first()
    if version is None:
        raise PermitType.DoesNotExist
    return permit_type, version


def sop_total_days(snapshot: dict) -> int:
    """The working days the SOP promises: intake, the longest review (OPDs review in
    parallel) and issuance. The public page and the API show this number."""
    review_days = max((s["review_days"] for s in snapshot.get("route", [])), default=0)
    return snapshot.get("intake_days", 1) + review_days + snapshot.get("issuance_days", 1)


def latest_version(permit_type: PermitType) -> PermitTypeVersion | None:
    return permit_type.versions.order_by("-number").first()


def format_fee(amount) -> str:
    """'Rp1.500.000' (the Indonesian style: no space, '.' between thousands, no decimals), or ''
    for a free permit. The same in every language: it is an amount in rupiah."""
    amount = int(amount or 0)
    if amount <= 0:
        return ""
    return "Rp" + f"{amount:,}".replace(",", ".")


def most_used_permit_types(region: Region, *, limit: int = 6, days: int = 365) -> list[PermitType]:
    """The region's active permit types with the most applications filed in the last `days`
    days, most first (the landing page, issue 21 item 12). One grouped query."""
    since = timezone.now() - timedelta(days=days)
    return list(
        PermitType.objects.filter(is_active=True, region=region)
        .annotate(filed=Count("applications", filter=Q(applications__submitted_at__gte=since)))
        .select_related("region")
        .order_by("-filed", "name_id")[:limit]
    )
