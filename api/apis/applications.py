"""Applications: the list and detail every role sees through `applications_visible_to`, and
the applicant's own actions (revision answers, replacing documents)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.apis.common import (
    ApplicationDetailSerializer,
    ApplicationSearchSerializer,
    ApplicationSummarySerializer,
    BaseApi,
    DocumentSerializer,
    ReviewSerializer,
    StrictCharField,
    application_detail_queryset,
    application_list,
    ordering_field,
)
from api.models import Scope
from api.schema import paginated
from applications.models import Review, Status
from applications.selectors import applications_visible_to
from applications.services.revisions import document_replace, revision_answer

TAG = ["applications"]


class ApplicationListApi(BaseApi):
    class FilterSerializer(ApplicationSearchSerializer):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        ordering = ordering_field(["created_at", "submitted_at", "updated_at"], "-created_at")

    @extend_schema(
        tags=TAG,
        summary="Applications I may see: an applicant's own, staff their region's or agency's",
        parameters=[FilterSerializer],
        responses=paginated(ApplicationSummarySerializer),
    )
    def get(self, request):
        return application_list(request, self, request.user, self.FilterSerializer)


def application_detail_response(request, pk: int, *, status: int = 200) -> Response:
    application = get_object_or_404(
        application_detail_queryset(applications_visible_to(request.user)), pk=pk
    )
    return Response(ApplicationDetailSerializer(application).data, status=status)


class ApplicationDetailApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="One application with its documents, reviews and history",
        responses=ApplicationDetailSerializer,
    )
    def get(self, request, pk: int):
        return application_detail_response(request, pk)


def own_application(request, pk: int):
    """The applicant's own application (404 for anyone else's)."""
    return get_object_or_404(applications_visible_to(request.user), pk=pk, applicant=request.user)


class RevisionAnswerApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE

    class InputSerializer(serializers.Serializer):
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=4000)

    @extend_schema(
        tags=TAG,
        summary="Answer an OPD's revision request (after replacing the named documents)",
        request=InputSerializer,
        responses=ReviewSerializer,
    )
    def post(self, request, pk: int, review_pk: int):
        application = own_application(request, pk)
        review = get_object_or_404(Review, pk=review_pk, application=application)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = revision_answer(
            review_id=review.pk, actor=request.user, note=serializer.validated_data["note"]
        )
        return Response(ReviewSerializer(review).data)


class DocumentReplaceApi(BaseApi):
    required_scope = Scope.APPLICATIONS_WRITE
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="The new version (PDF/JPEG/PNG as the catalog says)."
        )

    @extend_schema(
        tags=TAG,
        summary="Replace a document the front office rejected or an OPD asked to change",
        request={"multipart/form-data": InputSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request, pk: int, code: str):
        application = own_application(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_replace(
            application_id=application.pk,
            requirement_code=code,
            upload=serializer.validated_data["file"],
            actor=request.user,
        )
        return Response(DocumentSerializer(document).data, status=201)
