"""The public catalog: active permit types and their published SOP. No login needed."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.apis.common import MAX_ID, BaseApi, StrictCharField, page, query
from api.schema import paginated
from catalog import selectors
from catalog.fields import KINDS
from catalog.models import PermitType
from ptsp.i18n import pick_of

TAG = ["catalog"]


class PublicApi(BaseApi):
    """Reachable without logging in; throttled per address like everything else."""

    permission_classes = [AllowAny]
    public_api = True


class LevySerializer(serializers.Serializer):
    tariff_code = StrictCharField(help_text="The region's levy tariff, e.g. PBG.")
    assessing_agency = StrictCharField(help_text="The agency that assesses it, e.g. PUPR.")
    note = StrictCharField(help_text="What it means for the applicant, in the request's language.")


def levy_of(tariff_code: str, agency_code: str) -> dict | None:
    """The catalog's levy object of a permit type naming a tariff, else None (issue 17)."""
    if not tariff_code:
        return None
    return {
        "tariff_code": tariff_code,
        "assessing_agency": agency_code,
        "note": str(
            _(
                "A regional levy, computed by the assessing agency from the regional tariff and "
                "billed (SKRD) before the permit is issued"
            )
        ),
    }


FEE_HELP = (
    "The fixed fee in rupiah; 0 means free. Null for a levied type: its amount is assessed "
    "from the tariff named in `levy`."
)


class PermitTypeListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = StrictCharField(source="region.code")
    region_name = StrictCharField(source="region.name")
    code = StrictCharField()
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    fee_amount = serializers.SerializerMethodField(help_text=FEE_HELP)
    levy = serializers.SerializerMethodField()
    validity_months = serializers.IntegerField(allow_null=True)
    agencies = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text=FEE_HELP))
    def get_fee_amount(self, obj) -> int | None:
        return None if obj.tariff_code else int(obj.fee_amount or 0)

    @extend_schema_field(LevySerializer(allow_null=True))
    def get_levy(self, obj) -> dict | None:
        agency = obj.assessing_agency.code if obj.assessing_agency_id else ""
        return levy_of(obj.tariff_code, agency)

    def get_name(self, obj) -> str:
        return pick_of(obj, "name")

    def get_description(self, obj) -> str:
        return pick_of(obj, "description")

    def get_agencies(self, obj) -> list[str]:
        return [step.agency.code for step in obj.route.all()]


class CatalogListApi(PublicApi):
    class FilterSerializer(serializers.Serializer):
        region = serializers.RegexField(
            r"^[A-Z]{2,8}$", required=False, help_text="Region code, e.g. BTG."
        )
        agency = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_ID, help_text="A reviewing agency's id."
        )
        q = StrictCharField(required=False, max_length=100, help_text="Words to look for.")

    @extend_schema(
        tags=TAG,
        summary="Active permit types of every region (public)",
        parameters=[FilterSerializer],
        responses=paginated(PermitTypeListItemSerializer),
        auth=[],
    )
    def get(self, request):
        filters = query(request, self.FilterSerializer)
        region = None
        if filters.get("region"):
            region = selectors.catalog_regions().filter(code=filters["region"]).first()
            if region is None:
                return page(request, self, PermitType.objects.none(), PermitTypeListItemSerializer)
        permit_types = selectors.catalog_permit_types(
            region=region, agency_id=filters.get("agency"), search=filters.get("q", "")
        )
        return page(request, self, permit_types, PermitTypeListItemSerializer)


class CatalogDetailApi(PublicApi):
    class OutputSerializer(serializers.Serializer):
        class RequirementSerializer(serializers.Serializer):
            code = StrictCharField()
            name = StrictCharField()
            description = StrictCharField(allow_blank=True)
            is_required = serializers.BooleanField()
            accepted_kinds = serializers.ListField(child=StrictCharField())
            max_size_kb = serializers.IntegerField()

        class FieldSerializer(serializers.Serializer):
            key = StrictCharField()
            label = StrictCharField()
            kind = StrictCharField(help_text="One of: " + ", ".join(KINDS) + ".")
            unit = StrictCharField(allow_blank=True)
            choices = serializers.ListField(child=StrictCharField())
            is_required = serializers.BooleanField()
            help_text = StrictCharField(allow_blank=True)

        class RouteStepSerializer(serializers.Serializer):
            agency_code = StrictCharField()
            agency_name = StrictCharField()
            review_days = serializers.IntegerField()

        id = serializers.IntegerField()
        region = StrictCharField()
        code = StrictCharField()
        version = serializers.IntegerField(help_text="The published catalog version.")
        name = StrictCharField()
        description = StrictCharField(allow_blank=True)
        legal_basis = StrictCharField(allow_blank=True)
        steps = serializers.ListField(child=StrictCharField())
        intake_days = serializers.IntegerField()
        issuance_days = serializers.IntegerField()
        total_days = serializers.IntegerField(help_text="Intake + longest review + issuance.")
        fee_amount = serializers.IntegerField(allow_null=True, help_text=FEE_HELP)
        fee_note = StrictCharField(allow_blank=True)
        levy = LevySerializer(allow_null=True)
        validity_months = serializers.IntegerField(allow_null=True)
        requires_nib = serializers.BooleanField()
        requirements = RequirementSerializer(many=True)
        fields = FieldSerializer(many=True)
        route = RouteStepSerializer(many=True)

    @extend_schema(
        tags=TAG,
        summary="A permit type's published SOP: requirements, fields, route, time, fee (public)",
        responses=OutputSerializer,
        auth=[],
    )
    def get(self, request, region: str, code: str):
        try:
            permit_type, version = selectors.permit_type_published(region_code=region, code=code)
        except PermitType.DoesNotExist:
            raise Http404 from None
        sop = version.snapshot
        data = {
            "id": permit_type.pk,
            "region": permit_type.region.code,
            "code": permit_type.code,
            "version": version.number,
            "name": pick_of(sop, "name"),
            "description": pick_of(sop, "description"),
            "legal_basis": sop.get("legal_basis", ""),
            "steps": sop.get("steps", []),
            "intake_days": sop.get("intake_days", 1),
            "issuance_days": sop.get("issuance_days", 1),
            "total_days": selectors.sop_total_days(sop),
            "fee_amount": None if sop.get("tariff_code") else sop.get("fee_amount", 0),
            "fee_note": sop.get("fee_note", ""),
            "levy": levy_of(sop.get("tariff_code", ""), sop.get("assessing_agency_code", "")),
            "validity_months": sop.get("validity_months"),
            "requires_nib": sop.get("requires_nib", True),
            "requirements": [
                {**r, "name": pick_of(r, "name"), "description": r.get("description", "")}
                for r in sop.get("requirements", [])
            ],
            "fields": [
                {
                    **f,
                    "label": pick_of(f, "label"),
                    "unit": f.get("unit", ""),
                    "choices": f.get("choices", []),
                    "help_text": f.get("help_text", ""),
                }
                for f in sop.get("fields", [])
            ],
            "route": [
                {
                    "agency_code": s.get("agency_code", ""),
                    "agency_name": s.get("agency_name", ""),
                    "review_days": s["review_days"],
                }
                for s in sop.get("route", [])
            ],
        }
        return Response(self.OutputSerializer(data).data)
