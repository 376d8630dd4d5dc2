"""The signer: proposed rejections to confirm or send back (and, with issuance, signing)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agencies.models import Role
from api.apis.common import (
    ApplicationDetailSerializer,
    ApplicationSummarySerializer,
    BaseApi,
    StepUpSerializer,
    StrictCharField,
    application_detail_queryset,
    application_list,
    ordering_field,
    step_up,
)
from api.models import Scope
from api.schema import paginated
from applications.selectors import rejections_for_signer, signer_applications
from applications.services.outcome import (
    application_confirm_rejection,
    application_send_back_rejection,
)

TAG = ["signing"]


class RejectionQueueApi(BaseApi):
    required_roles = (Role.SIGNER,)

    class FilterSerializer(serializers.Serializer):
        ordering = ordering_field(["updated_at", "submitted_at"], "updated_at")

    @extend_schema(
        tags=TAG,
        summary="Proposed rejections waiting for the signer",
        parameters=[FilterSerializer],
        responses=paginated(ApplicationSummarySerializer),
    )
    def get(self, request):
        return application_list(
            request, self, rejections_for_signer(request.user), self.FilterSerializer
        )


class SignerApplicationDetailApi(BaseApi):
    required_roles = (Role.SIGNER,)

    @extend_schema(
        tags=TAG,
        summary="An application of my region as the signer sees it (reviews, reasons, history)",
        responses=ApplicationDetailSerializer,
    )
    def get(self, request, pk: int):
        application = get_object_or_404(
            application_detail_queryset(signer_applications(request.user)), pk=pk
        )
        return Response(ApplicationDetailSerializer(application).data)


class RejectionConfirmApi(BaseApi):
    required_roles = (Role.SIGNER,)
    required_scope = Scope.SIGNING

    class InputSerializer(StepUpSerializer):
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)

    @extend_schema(
        tags=TAG,
        summary="Confirm an OPD's proposed rejection: the application is rejected (with the "
        "step-up: password and a fresh second-factor code)",
        request=InputSerializer,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = get_object_or_404(signer_applications(request.user), pk=pk)
        data = step_up(request, self.InputSerializer)
        application = application_confirm_rejection(
            application_id=application.pk, actor=request.user, note=data["note"]
        )
        return Response(ApplicationSummarySerializer(application).data)


class RejectionSendBackApi(BaseApi):
    required_roles = (Role.SIGNER,)
    required_scope = Scope.SIGNING

    class InputSerializer(serializers.Serializer):
        note = StrictCharField(max_length=4000, help_text="Why the rejection goes back.")

    @extend_schema(
        tags=TAG,
        summary="Send a proposed rejection back to its OPD with a note",
        request=InputSerializer,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = get_object_or_404(signer_applications(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_send_back_rejection(
            application_id=application.pk,
            actor=request.user,
            note=serializer.validated_data["note"],
        )
        return Response(ApplicationSummarySerializer(application).data)
