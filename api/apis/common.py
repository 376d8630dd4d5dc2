"""Shared pieces of the API views: output serializers used by several APIs, list helpers."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.views import APIView

from api.pagination import ApiPagination
from applications.models import Event, Review, Status
from applications.selectors import applications_filtered, open_correction
from applications.timeline import build_timeline
from ptsp.i18n import pick_of
from security.services import step_up_verify

# The largest id a row can have (PostgreSQL bigint): larger ones are refused with a 400.
MAX_ID = 2**63 - 1


class BaseApi(APIView):
    """Every API class: one operation. `required_roles` (403 without one of them) and
    `required_scope` (for token requests; reads default to `read`)."""

    required_roles: tuple = ()
    required_scope: str | None = None

    def initial(self, request, *args, **kwargs):
        """DRF's order, except that throttling comes before the permission checks, and a
        failed authentication (a guessed token) still counts against the address."""
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(
            request
        )
        # A method the operation does not have is a 405 for everyone, before any permission
        # (PUT, PATCH, DELETE once answered 403, which hid that they do not exist).
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs
        )
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)
            raise
        self.check_throttles(request)
        self.check_permissions(request)


class StrictCharField(serializers.CharField):
    """A text field that takes text only: DRF's CharField turns a number into text, so
    `{"reason": 0}` once withdrew an application with the reason "0"."""

    default_error_messages = {"invalid": _("Not a valid string: give text in quotes.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StepUpSerializer(serializers.Serializer):
    """The signer's step-up, as on the web pages: the password and a fresh code from the
    authenticator app (security.services.step_up_verify)."""

    password = StrictCharField(
        max_length=200,
        style={"input_type": "password"},
        help_text="A legal act: the signer confirms it with their password…",
    )
    code = StrictCharField(
        max_length=7,
        help_text="…and a new 6-digit code from their authenticator app (each code works once).",
    )


def step_up(request, serializer_class) -> dict:
    """Validate the body of a step-up operation and run the one step-up check; returns the
    validated data. Raises the API's 400 (fields), 429 (locked) or the step-up's DomainError."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    step_up_verify(
        actor=request.user, request=request, password=data["password"], code=data["code"]
    )
    return data


class FileApi(BaseApi):
    """A download: the file whatever the client's Accept header; errors still in JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


def page(request, view, queryset, serializer_class, *, context=None):
    """Paginate `queryset` and answer the page of `serializer_class`."""
    paginator = ApiPagination()
    items = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(items, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)


def query(request, serializer_class) -> dict:
    """Validate the query parameters of a list (400 with field errors when invalid)."""
    # A plain dict, not the QueryDict: an empty `?q=` is then refused like any blank value
    # instead of silently meaning "not given".
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def ordering_field(choices: list[str], default: str):
    return serializers.ChoiceField(
        choices=[c for name in choices for c in (name, f"-{name}")],
        required=False,
        default=default,
        help_text=_("Sort by this field; a leading minus sorts descending."),
    )


def ordered(ordering: str) -> tuple[str, str]:
    """The order_by arguments for `ordering`, ties broken by id in the same direction."""
    return ordering, "-pk" if ordering.startswith("-") else "pk"


class PermitTypeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = StrictCharField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return pick_of(obj, "name")


class ApplicationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_number = StrictCharField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = StrictCharField(source="get_status_display")
    permit_type = PermitTypeRefSerializer()
    region = StrictCharField(source="region.code")
    business_name = StrictCharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requirement_code = StrictCharField()
    version = serializers.IntegerField()
    is_current = serializers.BooleanField()
    original_name = StrictCharField()
    content_type = StrictCharField()
    size = serializers.IntegerField()
    sha256 = StrictCharField()
    uploaded_at = serializers.DateTimeField()
    verdict = StrictCharField()
    verdict_note = StrictCharField()


class AgencyRefSerializer(serializers.Serializer):
    code = StrictCharField()
    name = StrictCharField()


class RevisionItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["document", "field"])
    key = StrictCharField(max_length=40)
    label = StrictCharField(required=False)
    note = StrictCharField(max_length=2000)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = AgencyRefSerializer()
    status = StrictCharField()
    status_label = StrictCharField(source="get_status_display")
    assignee = StrictCharField(source="assignee.full_name", allow_null=True, default=None)
    budget_days = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reasons = StrictCharField()
    revision_items = RevisionItemSerializer(many=True)
    # Issue 18: the route's stage, and the head's approval where the route step asks for it.
    stage = serializers.IntegerField()
    needs_head_approval = serializers.BooleanField()
    head_due_at = serializers.DateTimeField(allow_null=True)
    head_note = StrictCharField()
    correction_due_at = serializers.SerializerMethodField(
        help_text="While a revision request waits: the end of the applicant's correction period."
    )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_correction_due_at(self, obj):
        return _correction_due(obj.application, obj)


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = StrictCharField()
    from_status = StrictCharField()
    to_status = StrictCharField()
    note = StrictCharField()
    actor = StrictCharField(source="actor.full_name", allow_null=True, default=None)
    agency = StrictCharField(source="review.agency.code", allow_null=True, default=None)


class TimelineStepSerializer(serializers.Serializer):
    action = StrictCharField()
    label = StrictCharField()
    holder = StrictCharField(help_text="Who holds the file in this step.")
    actor = StrictCharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    due = serializers.DateTimeField(allow_null=True)
    note = StrictCharField()
    current = serializers.BooleanField()


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    nib = StrictCharField()
    kbli = StrictCharField()
    address = StrictCharField()
    kelurahan = StrictCharField()
    kecamatan = StrictCharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    form_data = serializers.DictField()
    catalog_version = serializers.IntegerField(source="catalog_version.number")
    documents = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    correction_due_at = serializers.SerializerMethodField(
        help_text="While a returned file waits for the applicant: the end of the correction "
        "period (after it the file lapses)."
    )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_correction_due_at(self, obj):
        return _correction_due(obj, None)

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        docs = [d for d in obj.documents.all() if d.is_current]
        return DocumentSerializer(docs, many=True).data

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, obj):
        return ReviewSerializer(obj.reviews.all(), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj):
        return EventSerializer(obj.events.all(), many=True).data

    @extend_schema_field(TimelineStepSerializer(many=True))
    def get_timeline(self, obj):
        return TimelineStepSerializer(build_timeline(obj, obj.events.all()), many=True).data


def _correction_due(application, review):
    """The end of the applicant's open correction period (None: nothing waits)."""
    period = open_correction(application, review)
    return serializers.DateTimeField().to_representation(period.due_at) if period else None


def application_detail_queryset(queryset):
    """What the detail serializer reads, in a fixed number of queries."""
    return queryset.select_related(
        "permit_type", "region", "catalog_version", "applicant"
    ).prefetch_related(
        "documents",
        Prefetch("reviews", queryset=Review.objects.select_related("agency", "assignee")),
        Prefetch(
            "events",
            queryset=Event.objects.select_related(
                "actor", "review__agency", "review__assignee"
            ).order_by("at", "id"),
        ),
    )


class ApplicationSearchSerializer(serializers.Serializer):
    """The search of an application list (`applications.selectors.applications_filtered`):
    a permit type's code and part of the tracking number or business name. A list adds its own
    `ordering` (and `status` where it offers one)."""

    permit = StrictCharField(required=False, max_length=20, help_text="Permit type code.")
    q = StrictCharField(
        required=False, max_length=100, help_text="Tracking number or business name."
    )


def application_list(request, view, qs_or_user, filter_serializer):
    """One page of applications: `qs_or_user` (a queue, or the user's visible applications)
    filtered by the query (`filter_serializer`: its `status`, `permit` and `q`, whichever it
    has, through `applications_filtered`), ordered by its `ordering`, as summaries."""
    filters = query(request, filter_serializer)
    search = {key: filters[key] for key in ("status", "permit", "q") if key in filters}
    applications = (
        applications_filtered(qs_or_user, **search)
        .select_related("permit_type", "region")
        .order_by(*ordered(filters["ordering"]))
    )
    return page(request, view, applications, ApplicationSummarySerializer)
