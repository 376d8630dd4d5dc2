"""The public catalog: every active permit type with its published SOP. No login needed."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language

from permits import selectors
from permits.models import PermitType, Requirement
from permits.signals import catalog_generation


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def catalog_list(request):
    regions = list(selectors.catalog_regions())
    region_code = request.GET.get("region", "").strip()
    region = next((r for r in regions if r.code == region_code), None)
    try:
        agency_id = int(request.GET.get("agency") or 0)
    except ValueError:
        agency_id = 0
    search = request.GET.get("q", "").strip()[:100]
    permit_types = selectors.catalog_permit_types(
        region=region, agency_id=agency_id or None, search=search
    )
    return render(
        request,
        "permits/catalog_list.html",
        {
            "regions": regions,
            "region": region,
            "agencies": selectors.catalog_agencies(region),
            "agency_id": agency_id,
            "search": search,
            "permit_types": permit_types,
            "catalog_generation": catalog_generation(),
        },
    )


def catalog_detail(request, region_code: str, code: str):
    try:
        permit_type, version = selectors.permit_type_published(region_code=region_code, code=code)
    except PermitType.DoesNotExist:
        raise Http404 from None
    snapshot = version.snapshot
    lang = _lang()

    def pick(item, key):
        return item.get(f"{key}_{lang}") or item.get(f"{key}_id", "")

    requirements = [
        {**r, "name": pick(r, "name"), "max_size": filesizeformat(r["max_size_kb"] * 1024)}
        for r in snapshot["requirements"]
    ]
    fields = [{**f, "label": pick(f, "label")} for f in snapshot["fields"]]
    review_days = max((s["review_days"] for s in snapshot["route"]), default=0)
    return render(
        request,
        "permits/catalog_detail.html",
        {
            "permit_type": permit_type,
            "version": version,
            "sop": snapshot,
            "name": pick(snapshot, "name"),
            "description": pick(snapshot, "description"),
            "requirements": requirements,
            "fields": fields,
            "fee": selectors.format_fee(snapshot["fee_amount"]),
            "total_days": snapshot["intake_days"] + review_days + snapshot["issuance_days"],
        },
    )


def requirement_template(request, pk: int):
    """The blank template of a requirement of an active permit type (public, like the SOP)."""
    requirement = (
        Requirement.objects.filter(
            pk=pk, permit_type__is_active=True, permit_type__region__is_active=True
        )
        .exclude(template="")
        .first()
    )
    if requirement is None:
        raise Http404
    name = requirement.template.name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else "pdf"
    return FileResponse(
        requirement.template.open("rb"),
        as_attachment=True,
        filename=f"template-{requirement.code}.{extension}",
    )
