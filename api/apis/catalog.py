"""The public catalog: active permit types and their published SOP. No login needed."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.apis.common import MAX_ID, BaseApi, StrictCharField, localized, page, query
from api.schema import paginated
from permits import selectors
from permits.models import PermitType

TAG = ["catalog"]


class PublicApi(BaseApi):
    """Reachable without logging in; throttled per address like everything else."""

    permission_classes = [AllowAny]
    public_api = True


class PermitTypeListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = StrictCharField(source="region.code")
    region_name = StrictCharField(source="region.name")
    code = StrictCharField()
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    fee_amount = serializers.IntegerField(help_text="Rupiah; 0 means free.")
    validity_months = serializers.IntegerField(allow_null=True)
    agencies = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return localized(obj, "name")

    def get_description(self, obj) -> str:
        return localized(obj, "description")

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
            kind = StrictCharField()
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
        fee_amount = serializers.IntegerField()
        fee_note = StrictCharField(allow_blank=True)
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
        review_days = max((s["review_days"] for s in sop.get("route", [])), default=0)
        data = {
            "id": permit_type.pk,
            "region": permit_type.region.code,
            "code": permit_type.code,
            "version": version.number,
            "name": localized(sop, "name"),
            "description": localized(sop, "description"),
            "legal_basis": sop.get("legal_basis", ""),
            "steps": sop.get("steps", []),
            "intake_days": sop.get("intake_days", 1),
            "issuance_days": sop.get("issuance_days", 1),
            "total_days": sop.get("intake_days", 1) + review_days + sop.get("issuance_days", 1),
            "fee_amount": sop.get("fee_amount", 0),
            "fee_note": sop.get("fee_note", ""),
            "validity_months": sop.get("validity_months"),
            "requires_nib": sop.get("requires_nib", True),
            "requirements": [
                {**r, "name": localized(r, "name"), "description": r.get("description", "")}
                for r in sop.get("requirements", [])
            ],
            "fields": [
                {
                    **f,
                    "label": localized(f, "label"),
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
