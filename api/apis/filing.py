"""The applicant's filing through the API: create and update a draft, upload and remove
documents (multipart), submit, resubmit after a return, withdraw. The same services as the
web pages (`applications.services.filing`, `applications.services.intake`)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.apis.applications import application_detail_response, own_application
from api.apis.common import (
    MAX_ID,
    ApplicationDetailSerializer,
    ApplicationSummarySerializer,
    BaseApi,
    DocumentSerializer,
    FileApi,
    StrictCharField,
)
from api.models import Scope
from applications.business import BUSINESS_FIELDS, BUSINESS_SCHEMA, BusinessField
from applications.downloads import document_response
from applications.selectors import applications_visible_to
from applications.services import filing
from applications.services.intake import application_resubmit

TAG = ["applications"]


def _business_serializer_field(field: BusinessField) -> serializers.Field:
    """The API's field for one business field of the schema: the same length limit and the
    same bounds as the model (the service checks the rest, as for the web form)."""
    if field.is_number:
        model_field = field.model_field
        return serializers.DecimalField(
            required=False,
            allow_null=True,
            max_digits=model_field.max_digits,
            decimal_places=model_field.decimal_places,
            min_value=-field.bound,
            max_value=field.bound,
        )
    return StrictCharField(
        required=False, allow_blank=True, max_length=field.max_length, help_text=field.hint or None
    )


class DraftDataSerializer(serializers.Serializer):
    """What an applicant may write on a draft: the business fields of
    `applications.business.BUSINESS_SCHEMA` and `form_data`. Anything else (status, applicant,
    tracking number, region, agency, signer…) is ignored."""

    form_data = serializers.DictField(
        required=False,
        help_text="The permit type's own fields by key (see the catalog's `fields`); "
        "undeclared keys are ignored.",
    )

    def get_fields(self):
        declared = super().get_fields()
        return {
            **{f.name: _business_serializer_field(f) for f in BUSINESS_SCHEMA},
            **declared,
        }


def _flat(data: dict) -> dict:
    """The service's input: business data and the type's own fields in one flat dict."""
    flat = {k: ("" if v is None else str(v)) for k, v in data.items() if k != "form_data"}
    flat.update(
        {str(k): v for k, v in (data.get("form_data") or {}).items() if k not in BUSINESS_FIELDS}
    )
    return flat


class ApplicationCreateApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    class InputSerializer(DraftDataSerializer):
        permit_type = serializers.IntegerField(
            min_value=1,
            max_value=MAX_ID,
            help_text="The id of an active permit type (see the catalog).",
        )

    @extend_schema(
        tags=TAG,
        summary="Start a draft for a permit type (optionally with its data)",
        request=InputSerializer,
        responses={201: ApplicationDetailSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        permit_type_id = data.pop("permit_type")
        with transaction.atomic():
            application = filing.application_create_draft(
                permit_type_id=permit_type_id, actor=request.user
            )
            if data:
                filing.application_update_draft(
                    application_id=application.pk, actor=request.user, data=_flat(data)
                )
        return application_detail_response(request, application.pk, status=201)


class ApplicationUpdateApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    @extend_schema(
        tags=TAG,
        summary="Save data on a draft (only the keys given)",
        request=DraftDataSerializer,
        responses=ApplicationDetailSerializer,
    )
    def post(self, request, pk: int):
        application = own_application(request, pk)
        serializer = DraftDataSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing.application_update_draft(
            application_id=application.pk,
            actor=request.user,
            data=_flat(dict(serializer.validated_data)),
        )
        return application_detail_response(request, application.pk)


class DocumentUploadApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="PDF, JPEG or PNG as the requirement accepts.")

    @extend_schema(
        tags=TAG,
        summary="Upload (or replace) the file for one requirement of a draft",
        request={"multipart/form-data": InputSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request, pk: int, code: str):
        application = own_application(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = filing.document_upload(
            application_id=application.pk,
            requirement_code=code,
            upload=serializer.validated_data["file"],
            actor=request.user,
        )
        return Response(DocumentSerializer(document).data, status=201)


class DocumentRemoveApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    @extend_schema(
        tags=TAG,
        summary="Take the current file of a requirement off a draft",
        request=None,
        responses={204: None},
    )
    def post(self, request, pk: int, code: str):
        application = own_application(request, pk)
        filing.document_remove(
            application_id=application.pk, requirement_code=code, actor=request.user
        )
        return Response(status=204)


class ApplicationSubmitApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    @extend_schema(
        tags=TAG,
        summary="Submit a complete draft: it gets its tracking number",
        description="A 400 with code `incomplete` lists what is missing in `error.fields.missing`.",
        request=None,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = own_application(request, pk)
        application = filing.application_submit(application_id=application.pk, actor=request.user)
        return Response(ApplicationSummarySerializer(application).data)


class ApplicationResubmitApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    @extend_schema(
        tags=TAG,
        summary="Resubmit a returned file after replacing the rejected documents",
        request=None,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = own_application(request, pk)
        application = application_resubmit(application_id=application.pk, actor=request.user)
        return Response(ApplicationSummarySerializer(application).data)


class ApplicationWithdrawApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    class InputSerializer(serializers.Serializer):
        reason = StrictCharField(max_length=2000)

    @extend_schema(
        tags=TAG,
        summary="Withdraw an application before a decision, with a reason",
        request=InputSerializer,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = own_application(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = filing.application_withdraw(
            application_id=application.pk,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(ApplicationSummarySerializer(application).data)


class DocumentDownloadApi(FileApi):
    @extend_schema(
        tags=TAG,
        summary="Download one document file (anyone who may see the application)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request, pk: int, document_pk: int):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        document = get_object_or_404(application.documents, pk=document_pk)
        return document_response(request, document)
