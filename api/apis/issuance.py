"""Permits: the signer's queue and "sign and issue" (with the same password step-up as the
web page), the applicant's download, the public verification by token (from the QR code)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from agencies.models import Role
from api.apis.catalog import PublicApi
from api.apis.common import (
    ApplicationSummarySerializer,
    BaseApi,
    FileApi,
    StepUpSerializer,
    StrictCharField,
    application_list,
    ordering_field,
    step_up,
)
from api.models import Scope
from api.schema import paginated
from applications.selectors import (
    applications_for_signer,
    applications_visible_to,
    signer_applications,
)
from permits.downloads import downloadable_permits, permit_response
from permits.models import Permit
from permits.selectors import permit_by_verification_token, signer_permits
from permits.services.issuance import permit_issue, permit_revoke
from permits.verification import check_file, check_upload, file_check_count
from ptsp.ratelimit import client_address


class PermitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = StrictCharField()
    status = StrictCharField()
    holder_name = StrictCharField()
    business_name = StrictCharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    sha256 = StrictCharField()
    last_error = StrictCharField()


class SigningQueueApi(BaseApi):
    required_roles = (Role.SIGNER,)

    class FilterSerializer(serializers.Serializer):
        ordering = ordering_field(["updated_at", "submitted_at"], "updated_at")

    @extend_schema(
        tags=["signing"],
        summary="Recommended applications waiting for my signature",
        parameters=[FilterSerializer],
        responses=paginated(ApplicationSummarySerializer),
    )
    def get(self, request):
        return application_list(
            request, self, applications_for_signer(request.user), self.FilterSerializer
        )


class PermitSignApi(BaseApi):
    required_roles = (Role.SIGNER,)
    required_scope = Scope.SIGNING

    class InputSerializer(StepUpSerializer):
        pass

    @extend_schema(
        tags=["signing"],
        summary="Sign and issue: the permit gets its number and is rendered and signed",
        description="Answers 202 with the permit in status `issuing`; it becomes `valid` when "
        "the background issuance finishes (poll the application). The signer confirms with "
        "the password and a fresh second-factor code, under the login's lockout.",
        request=InputSerializer,
        responses={202: PermitSerializer},
    )
    def post(self, request, pk: int):
        application = get_object_or_404(signer_applications(request.user), pk=pk)
        step_up(request, self.InputSerializer)
        permit = permit_issue(application_id=application.pk, actor=request.user)
        return Response(PermitSerializer(permit).data, status=202)


class PermitRevokeApi(BaseApi):
    required_roles = (Role.SIGNER,)
    required_scope = Scope.SIGNING

    class InputSerializer(StepUpSerializer):
        reason = StrictCharField(max_length=4000, help_text="Why the permit is revoked.")

    @extend_schema(
        tags=["signing"],
        summary="Revoke a valid permit of my region (with the step-up)",
        request=InputSerializer,
        responses=PermitSerializer,
    )
    def post(self, request, pk: int):
        permit = get_object_or_404(signer_permits(request.user), pk=pk)
        data = step_up(request, self.InputSerializer)
        permit = permit_revoke(permit_id=permit.pk, actor=request.user, reason=data["reason"])
        return Response(PermitSerializer(permit).data)


class PermitDownloadApi(FileApi):
    @extend_schema(
        tags=["applications"],
        summary="Download the signed permit of my application",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, pk: int):
        application = get_object_or_404(
            applications_visible_to(request.user), pk=pk, applicant=request.user
        )
        permit = downloadable_permits(request.user).filter(application=application).first()
        if permit is None:
            raise Http404
        return permit_response(permit)


class VerificationSerializer(serializers.Serializer):
    number = StrictCharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired"])
    business_name = StrictCharField()
    permit_type = serializers.SerializerMethodField()
    region = StrictCharField(source="region.name")
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    sha256 = StrictCharField(help_text="SHA-256 of the issued PDF.")

    def get_permit_type(self, obj) -> str:
        return obj.permit_type.name


def _public_permit(token: str) -> Permit:
    """The permit of a verification token; 404 alike for malformed, unknown and unissued."""
    permit = permit_by_verification_token(token)
    if permit is None:
        raise Http404
    return permit


class PermitVerifyApi(PublicApi):
    @extend_schema(
        tags=["verification"],
        summary="The public facts of a permit, by the token in its QR code (public)",
        responses=VerificationSerializer,
        auth=[],
    )
    def get(self, request, token: str):
        return Response(VerificationSerializer(_public_permit(token)).data)


class PermitVerifyFileApi(PublicApi):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The PDF to check (at most 20 MB).")

        def validate_file(self, upload):
            return check_upload(upload)

    class OutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField(help_text="Same file and a sound signature of the region.")
        sha256 = StrictCharField()
        hash_matches = serializers.BooleanField()
        signature_ok = serializers.BooleanField()
        problems = serializers.ListField(child=StrictCharField())

    @extend_schema(
        tags=["verification"],
        summary="Check a PDF against the issued permit: same file, sound signature (public)",
        request={"multipart/form-data": InputSerializer},
        responses=OutputSerializer,
        auth=[],
    )
    def post(self, request, token: str):
        permit = _public_permit(token)
        # The web page's limits, shared with it (429 "too_many_file_checks"), before the upload
        # is looked at.
        file_check_count(permit=permit, client_address=client_address(request))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = check_file(serializer.validated_data["file"].read(), permit=permit)
        return Response(
            self.OutputSerializer(
                {
                    "ok": report.ok,
                    "sha256": report.sha256,
                    "hash_matches": report.hash_matches,
                    "signature_ok": report.signature.ok,
                    "problems": [str(p) for p in report.signature.problems],
                }
            ).data
        )
