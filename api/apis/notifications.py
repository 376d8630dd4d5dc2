"""Everyone's in-app notifications."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.apis.common import MAX_ID, BaseApi, StrictCharField, ordered, ordering_field, page, query
from api.models import Scope
from api.schema import paginated
from applications.models import Notification
from applications.services.notifications import notification_mark_read

TAG = ["notifications"]


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictCharField()
    subject = StrictCharField()
    body = StrictCharField()
    url = StrictCharField()
    application = serializers.IntegerField(source="application_id", allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(BaseApi):
    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(
            required=False, default=False, help_text="Only the unread ones."
        )
        ordering = ordering_field(["created_at"], "-created_at")

    @extend_schema(
        tags=TAG,
        summary="My notifications, newest first",
        parameters=[FilterSerializer],
        responses=paginated(NotificationSerializer),
    )
    def get(self, request):
        filters = query(request, self.FilterSerializer)
        notifications = Notification.objects.filter(recipient=request.user)
        if filters["unread"]:
            notifications = notifications.filter(read_at__isnull=True)
        notifications = notifications.order_by(*ordered(filters["ordering"]))
        return page(request, self, notifications, NotificationSerializer)


class NotificationMarkReadApi(BaseApi):
    required_scope = Scope.READ

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            allow_null=True,
            default=None,
            max_length=500,
            help_text="The notifications to mark read; all of mine when left out.",
        )

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField(help_text="How many were marked read now.")

    @extend_schema(
        tags=TAG,
        summary="Mark my notifications read (all, or the given ids)",
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_mark_read(
            user=request.user, notification_ids=serializer.validated_data["ids"]
        )
        return Response({"marked": marked})
