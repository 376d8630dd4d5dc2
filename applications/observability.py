"""What the case tells the observability of `ptsp` (registered in ApplicationsConfig.ready):
the gauges of open and overdue work, and which application a task concerns (its log lines
carry the tracking number)."""

from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from agencies.models import Region
from applications.models import Application, Document, Notification, Review, ReviewStatus
from ptsp.observability.celery_signals import task_subject_register

# The DPMPTSP's own stages and the application statuses in which their clock runs
# (Application.due_at; the OPD stages keep theirs on Review).
STAGE_STATUSES = {"intake": ("submitted",), "signing": ("recommended", "issuing")}


def review_gauges():
    """Open and overdue OPD reviews per agency: one query."""
    rows = list(
        Review.objects.filter(status=ReviewStatus.IN_REVIEW)
        .values("agency__region__code", "agency__code")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now())))
        .order_by("agency__region__code", "agency__code")
    )
    open_reviews = GaugeMetricFamily(
        "ptsp_reviews_open", "OPD reviews in review, per agency.", labels=["region", "agency"]
    )
    overdue = GaugeMetricFamily(
        "ptsp_reviews_overdue",
        "OPD reviews in review past their due time, per agency.",
        labels=["region", "agency"],
    )
    for row in rows:
        labels = [row["agency__region__code"], row["agency__code"]]
        open_reviews.add_metric(labels, row["open"])
        overdue.add_metric(labels, row["overdue"])
    return [open_reviews, overdue]


def stage_rows() -> dict[tuple[str, str], tuple[int, int]]:
    """{(region code, stage): (open, overdue)} for every active region and both stages (zeros
    included, so that an alert on growth has a series from the start): two queries."""
    status_stage = {
        status: stage for stage, statuses in STAGE_STATUSES.items() for status in statuses
    }
    found = {
        (code, stage): (0, 0)
        for code in Region.objects.filter(is_active=True).values_list("code", flat=True)
        for stage in STAGE_STATUSES
    }
    rows = (
        Application.objects.filter(status__in=list(status_stage))
        .values("region__code", "status")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now())))
        .order_by()
    )
    for row in rows:
        key = (row["region__code"], status_stage[row["status"]])
        open_count, overdue_count = found.get(key, (0, 0))
        found[key] = (open_count + row["open"], overdue_count + row["overdue"])
    return dict(sorted(found.items()))


def stage_gauges():
    """Open and overdue files at the DPMPTSP's own stages (intake, signing), per region."""
    stages = stage_rows()
    stage_open = GaugeMetricFamily(
        "ptsp_stage_open",
        "Files at a DPMPTSP stage (intake: submitted; signing: recommended or being issued), "
        "per region.",
        labels=["region", "stage"],
    )
    stage_overdue = GaugeMetricFamily(
        "ptsp_stage_overdue",
        "Files at a DPMPTSP stage past the stage's due time, per region.",
        labels=["region", "stage"],
    )
    for (region, stage), (open_count, overdue_count) in stages.items():
        stage_open.add_metric([region, stage], open_count)
        stage_overdue.add_metric([region, stage], overdue_count)
    return [stage_open, stage_overdue]


def task_subjects_register() -> None:
    for argument, model, id_field in (
        ("application_id", Application, "pk"),
        ("notification_id", Notification, "application_id"),
        ("document_id", Document, "application_id"),
        ("review_id", Review, "application_id"),
    ):
        number_field = "tracking_number" if id_field == "pk" else "application__tracking_number"
        task_subject_register(
            argument, model, application_id_field=id_field, tracking_number_field=number_field
        )
