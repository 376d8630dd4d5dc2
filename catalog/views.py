"""The public catalog: every active permit type with its published SOP. No login needed."""

from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

from agencies.public_pages import render_public
from catalog import selectors
from catalog.models import PermitType, Requirement
from catalog.signals import catalog_generation
from ptsp.i18n import pick_of


def catalog_list(request):
    """The catalog with its filters (`?region=`, `?agency=`, `?q=`); for a visitor, rendered once
    per process for each filter, language and catalog generation (agencies.public_pages)."""
    generation = catalog_generation()
    return render_public(
        request,
        "catalog/catalog_list.html",
        lambda: _catalog_list_context(request, generation),
        key=(generation,),
    )


def _catalog_list_context(request, generation: int) -> dict:
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
    return {
        "regions": regions,
        "region": region,
        "agencies": selectors.catalog_agencies(region),
        "agency_id": agency_id,
        "search": search,
        "permit_types": permit_types,
        "catalog_generation": generation,
    }


def catalog_detail(request, region_code: str, code: str):
    """A permit type's published SOP; for a visitor, rendered once per process for each language
    and catalog generation (agencies.public_pages). An unknown or inactive type is a 404."""
    return render_public(
        request,
        "catalog/catalog_detail.html",
        lambda: _catalog_detail_context(region_code, code),
        key=(catalog_generation(),),
    )


def _catalog_detail_context(region_code: str, code: str) -> dict:
    try:
        permit_type, version = selectors.permit_type_published(region_code=region_code, code=code)
    except PermitType.DoesNotExist:
        raise Http404 from None
    snapshot = version.snapshot
    requirements = [
        {**r, "name": pick_of(r, "name"), "max_size": filesizeformat(r["max_size_kb"] * 1024)}
        for r in snapshot["requirements"]
    ]
    fields = [{**f, "label": pick_of(f, "label")} for f in snapshot["fields"]]
    return {
        "permit_type": permit_type,
        "version": version,
        "sop": snapshot,
        "name": pick_of(snapshot, "name"),
        "description": pick_of(snapshot, "description"),
        "requirements": requirements,
        "fields": fields,
        "fee": selectors.format_fee(snapshot["fee_amount"]),
        "total_days": selectors.sop_total_days(snapshot),
    }


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
