"""The OPDs: the officer's inbox and review page, decisions, inspections; the head's
reassignment. Reviews are reached through `applications.selectors.reviews_visible_to` and
filtered by `reviews_filtered`, the same selector as the web inbox."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agencies.models import Role
from api.apis.common import (
    MAX_ID,
    AgencyRefSerializer,
    ApplicationDetailSerializer,
    ApplicationSummarySerializer,
    BaseApi,
    ReviewSerializer,
    RevisionItemSerializer,
    StrictCharField,
    application_detail_queryset,
    ordered,
    ordering_field,
    page,
    query,
)
from api.models import Scope
from api.schema import paginated
from applications import selectors
from applications.models import Inspection
from applications.services.reviews import (
    inspection_record,
    inspection_schedule,
    review_decide,
    review_head_decide,
    review_reassign,
)

TAG = ["reviews"]


class ReviewListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = AgencyRefSerializer()
    status = StrictCharField()
    status_label = StrictCharField(source="get_status_display")
    assignee = StrictCharField(source="assignee.full_name", allow_null=True, default=None)
    due_at = serializers.DateTimeField(allow_null=True)
    stage = serializers.IntegerField()
    head_due_at = serializers.DateTimeField(allow_null=True)
    application = ApplicationSummarySerializer()


class InspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scheduled_for = serializers.DateTimeField()
    place = StrictCharField()
    result = StrictCharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    photos = serializers.SerializerMethodField()

    def get_photos(self, obj) -> int:
        return len(obj.photos.all())


class ReviewListApi(BaseApi):
    required_roles = (Role.OFFICER, Role.HEAD)

    class FilterSerializer(serializers.Serializer):
        mine = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Only the reviews assigned to me (the officer's inbox).",
        )
        headed = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Only the reviews of the agencies I head (with status=approval: the "
            "recommendations awaiting my approval).",
        )
        status = serializers.ChoiceField(
            choices=["open", "revision", "approval", "done", "all"],
            required=False,
            default="open",
        )
        permit = StrictCharField(required=False, max_length=20, help_text="Permit type code.")
        q = StrictCharField(
            required=False, max_length=100, help_text="Tracking number or business name."
        )
        ordering = ordering_field(["due_at", "created_at"], "due_at")

    @extend_schema(
        tags=TAG,
        summary="Reviews of my agencies (the officer's inbox with mine=true), due soonest first",
        parameters=[FilterSerializer],
        responses=paginated(ReviewListItemSerializer),
    )
    def get(self, request):
        filters = query(request, self.FilterSerializer)
        reviews = selectors.reviews_filtered(
            request.user,
            mine=filters["mine"],
            headed=filters["headed"],
            status=filters["status"],
            permit=filters.get("permit", ""),
            q=filters.get("q", ""),
        ).select_related(
            "agency",
            "assignee",
            "application__permit_type",
            "application__region",
        )
        reviews = reviews.order_by(*ordered(filters["ordering"]))
        return page(request, self, reviews, ReviewListItemSerializer)


class ReviewDetailApi(BaseApi):
    required_roles = (Role.OFFICER, Role.HEAD)

    class OutputSerializer(ReviewSerializer):
        application = ApplicationDetailSerializer()
        inspections = InspectionSerializer(many=True, source="inspections_list")

    @extend_schema(
        tags=TAG,
        summary="A review with its application, documents, history and inspections",
        responses=OutputSerializer,
    )
    def get(self, request, pk: int):
        review = get_object_or_404(
            selectors.reviews_visible_to(request.user).select_related("agency", "assignee"), pk=pk
        )
        review.application = application_detail_queryset(
            type(review.application).objects.filter(pk=review.application_id)
        ).get()
        review.inspections_list = list(
            review.inspections.prefetch_related("photos").order_by("scheduled_for")
        )
        data = self.OutputSerializer(review).data
        return Response(data)


class ReviewDecideApi(BaseApi):
    required_roles = (Role.OFFICER, Role.HEAD)
    required_scope = Scope.REVIEWS
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["recommend", "reject", "request_revision"])
        reasons = StrictCharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=4000,
            help_text="Required for a rejection.",
        )
        revision_items = RevisionItemSerializer(
            many=True,
            required=False,
            default=list,
            help_text="For a revision request: the documents (requirement code) or fields (key) "
            "that must change, each with a note.",
        )
        restart = serializers.BooleanField(
            required=False,
            default=False,
            help_text="For a revision request: a re-confirmation (OSS 43). When the applicant "
            "answers, the review's clock restarts with its whole budget.",
        )

    @extend_schema(
        tags=TAG,
        summary="Decide a review: recommend, reject (reasons) or request revision (items)",
        request=InputSerializer,
        responses=ReviewSerializer,
    )
    def post(self, request, pk: int):
        review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = review_decide(
            review_id=review.pk,
            actor=request.user,
            decision=data["decision"],
            reasons=data["reasons"],
            revision_items=[
                {"kind": i["kind"], "key": i["key"], "note": i["note"]}
                for i in data["revision_items"]
            ],
            restart=data["restart"],
        )
        return Response(ReviewSerializer(review).data)


class ReviewHeadDecideApi(BaseApi):
    required_roles = (Role.HEAD,)
    required_scope = Scope.REVIEWS
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "send_back"])
        note = StrictCharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=4000,
            help_text="Required to send the recommendation back: what the officer must look at.",
        )

    @extend_schema(
        tags=TAG,
        summary="The agency head approves an officer's recommendation or sends it back (note)",
        request=InputSerializer,
        responses=ReviewSerializer,
    )
    def post(self, request, pk: int):
        review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_head_decide(
            review_id=review.pk,
            actor=request.user,
            decision=serializer.validated_data["decision"],
            note=serializer.validated_data["note"],
        )
        return Response(ReviewSerializer(review).data)


class ReviewReassignApi(BaseApi):
    required_roles = (Role.HEAD,)
    required_scope = Scope.REVIEWS

    class InputSerializer(serializers.Serializer):
        assignee = serializers.IntegerField(
            min_value=1,
            max_value=MAX_ID,
            help_text="The user id of an active officer of the agency.",
        )
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(
        tags=TAG,
        summary="The agency head gives an open review to another officer",
        request=InputSerializer,
        responses=ReviewSerializer,
    )
    def post(self, request, pk: int):
        review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_reassign(
            review_id=review.pk,
            actor=request.user,
            assignee_id=serializer.validated_data["assignee"],
            note=serializer.validated_data["note"],
        )
        return Response(ReviewSerializer(review).data)


class InspectionScheduleApi(BaseApi):
    required_roles = (Role.OFFICER, Role.HEAD)
    required_scope = Scope.REVIEWS

    class InputSerializer(serializers.Serializer):
        scheduled_for = serializers.DateTimeField(help_text="In the future (ISO 8601).")
        place = StrictCharField(max_length=300)

    @extend_schema(
        tags=TAG,
        summary="Schedule a field inspection; the applicant is told",
        request=InputSerializer,
        responses={201: InspectionSerializer},
    )
    def post(self, request, pk: int):
        review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inspection = inspection_schedule(
            review_id=review.pk,
            actor=request.user,
            scheduled_for=serializer.validated_data["scheduled_for"],
            place=serializer.validated_data["place"],
        )
        return Response(InspectionSerializer(inspection).data, status=201)


class InspectionRecordApi(BaseApi):
    required_roles = (Role.OFFICER, Role.HEAD)
    required_scope = Scope.REVIEWS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        result = StrictCharField(max_length=10000, help_text="The berita acara.")
        photos = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            default=list,
            max_length=20,
            help_text="JPEG or PNG photos (multipart only).",
        )

    @extend_schema(
        tags=TAG,
        summary="Record the result of an inspection, with optional photos",
        request={
            "application/json": InputSerializer,
            "multipart/form-data": InputSerializer,
        },
        responses=InspectionSerializer,
    )
    def post(self, request, pk: int):
        inspection = get_object_or_404(
            Inspection.objects.filter(review__in=selectors.reviews_visible_to(request.user)), pk=pk
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inspection = inspection_record(
            inspection_id=inspection.pk,
            actor=request.user,
            result=serializer.validated_data["result"],
            photos=serializer.validated_data["photos"],
        )
        return Response(InspectionSerializer(inspection).data)
