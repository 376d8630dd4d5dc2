"""The monitor's SLA figures per OPD (the monitoring dashboard's numbers), through the same
selectors as the dashboard (`monitoring.selectors`)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agencies.models import Role
from api.apis.common import AgencyRefSerializer, BaseApi, StrictCharField, query
from api.models import Scope
from monitoring import selectors
from ptsp.workdays import Calendar

MAX_PERIOD_DAYS = 366


class SlaFiguresApi(BaseApi):
    required_roles = (Role.MONITOR, Role.SIGNER, Role.HEAD)
    required_scope = Scope.MONITORING

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, help_text="Default: 29 days before `end`.")
        end = serializers.DateField(required=False, help_text="Default: today (region's time).")

        def validate(self, attrs):
            if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
                raise serializers.ValidationError({"end": [_("The end is before the start.")]})
            if (
                attrs.get("start")
                and attrs.get("end")
                and (attrs["end"] - attrs["start"]).days > MAX_PERIOD_DAYS
            ):
                raise serializers.ValidationError({"start": [_("At most one year at a time.")]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        class AgencyFiguresSerializer(serializers.Serializer):
            agency = AgencyRefSerializer()
            open = serializers.IntegerField(help_text="Open reviews now.")
            overdue = serializers.IntegerField(help_text="Open reviews past their due time.")
            waiting = serializers.IntegerField(help_text="Waiting for the applicant (revision).")
            finished = serializers.IntegerField(help_text="Decided in the period.")
            on_time = serializers.IntegerField(help_text="Decided by their due time.")
            on_time_share = serializers.FloatField(allow_null=True, help_text="Percent.")
            median_used = serializers.FloatField(allow_null=True, help_text="Working days.")
            p90_used = serializers.FloatField(allow_null=True, help_text="Working days.")
            budget = serializers.FloatField(allow_null=True, help_text="Average budget, days.")
            ikm = serializers.FloatField(allow_null=True, help_text="Survey index (IKM).")
            surveys = serializers.IntegerField()

        region = StrictCharField()
        start = serializers.DateField()
        end = serializers.DateField()
        agencies = AgencyFiguresSerializer(many=True)

    @extend_schema(
        tags=["monitoring"],
        summary="SLA figures per OPD of my region (or my agency, for an OPD head)",
        parameters=[FilterSerializer],
        responses=OutputSerializer,
    )
    def get(self, request):
        filters = query(request, self.FilterSerializer)
        scope = selectors.monitoring_scope(request.user)
        if scope is None:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        today = Calendar(scope.region).local(timezone.now()).date()
        end = filters.get("end") or today
        start = filters.get("start") or end - timedelta(days=29)
        if start > end:
            start = end
        figures = selectors.agency_figures(scope, start=start, end=end)
        data = {
            "region": scope.region.code,
            "start": start,
            "end": end,
            "agencies": [
                {
                    "agency": f.agency,
                    "open": f.open,
                    "overdue": f.overdue,
                    "waiting": f.waiting,
                    "finished": f.finished,
                    "on_time": f.on_time,
                    "on_time_share": f.on_time_share,
                    "median_used": f.median_used,
                    "p90_used": f.p90_used,
                    "budget": f.budget,
                    "ikm": f.ikm,
                    "surveys": f.surveys,
                }
                for f in figures
            ],
        }
        return Response(self.OutputSerializer(data).data)
