"""The front office (DPMPTSP verifier): the intake queue, the file, accept, return."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agencies.models import Role
from api.apis.common import (
    MAX_ID,
    ApplicationDetailSerializer,
    ApplicationSearchSerializer,
    ApplicationSummarySerializer,
    BaseApi,
    StrictCharField,
    application_detail_queryset,
    application_list,
    ordering_field,
)
from api.models import Scope
from api.schema import paginated
from applications import selectors
from applications.services.intake import application_accept, application_return

TAG = ["intake"]


class VerdictSerializer(serializers.Serializer):
    document = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A current document's id."
    )
    verdict = serializers.ChoiceField(choices=["accepted", "rejected"])
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


def _verdicts(items: list[dict]) -> dict:
    return {i["document"]: {"verdict": i["verdict"], "note": i["note"]} for i in items}


class IntakeQueueApi(BaseApi):
    required_roles = (Role.VERIFIER,)

    class FilterSerializer(ApplicationSearchSerializer):
        ordering = ordering_field(["submitted_at", "due_at"], "submitted_at")

    @extend_schema(
        tags=TAG,
        summary="The intake queue: submitted files of my region, oldest first",
        parameters=[FilterSerializer],
        responses=paginated(ApplicationSummarySerializer),
    )
    def get(self, request):
        return application_list(
            request, self, selectors.intake_queue(request.user), self.FilterSerializer
        )


class IntakeDetailApi(BaseApi):
    required_roles = (Role.VERIFIER,)

    @extend_schema(
        tags=TAG,
        summary="A filed application of my region, with its documents and history",
        responses=ApplicationDetailSerializer,
    )
    def get(self, request, pk: int):
        application = get_object_or_404(
            application_detail_queryset(selectors.intake_visible(request.user)), pk=pk
        )
        return Response(ApplicationDetailSerializer(application).data)


class IntakeAcceptApi(BaseApi):
    required_roles = (Role.VERIFIER,)
    required_scope = Scope.INTAKE

    class InputSerializer(serializers.Serializer):
        verdicts = VerdictSerializer(
            many=True, help_text="A verdict on every current document; all must be accepted."
        )

    @extend_schema(
        tags=TAG,
        summary="Accept a complete file: it is routed to the technical agencies (OPDs)",
        request=InputSerializer,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = get_object_or_404(selectors.intake_visible(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_accept(
            application_id=application.pk,
            actor=request.user,
            verdicts=_verdicts(serializer.validated_data["verdicts"]),
        )
        return Response(ApplicationSummarySerializer(application).data)


class IntakeReturnApi(BaseApi):
    required_roles = (Role.VERIFIER,)
    required_scope = Scope.INTAKE

    class InputSerializer(serializers.Serializer):
        verdicts = VerdictSerializer(
            many=True, help_text="A verdict on every current document; reject at least one."
        )
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)

    @extend_schema(
        tags=TAG,
        summary="Return an incomplete file to the applicant with per-document notes",
        request=InputSerializer,
        responses=ApplicationSummarySerializer,
    )
    def post(self, request, pk: int):
        application = get_object_or_404(selectors.intake_visible(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_return(
            application_id=application.pk,
            actor=request.user,
            verdicts=_verdicts(serializer.validated_data["verdicts"]),
            note=serializer.validated_data["note"],
        )
        return Response(ApplicationSummarySerializer(application).data)
