"""Reads for the monitoring dashboard and the public statistics, as aggregate queries.

Every page runs a fixed number of queries whatever the data size: the per-agency figures are
one grouped query each (PostgreSQL `percentile_cont` for the median and 90th percentile),
working days are counted with the ordinals of `agencies.WorkingDay`, and lists are bounded.

"Working days used" of a finished review = its budget - (ordinal(due day) - ordinal(decision
day)): the due time already carries the pauses (it is moved when the applicant answers), so
the waiting time of the applicant is never counted. "Within SLA" = decided by the due time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Avg, Case, Count, F, FloatField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast
from django.utils import timezone

from agencies.calendar import ensure_working_days
from agencies.models import Agency, Region, Role
from agencies.selectors import memberships_of
from applications.models import Application, Event, LegalState, Review, ReviewStatus, Status
from catalog.models import PermitType
from monitoring.models import SKM_ELEMENTS, SurveyResponse
from monitoring.summary import finished_histogram, legal_figures
from ptsp.workdays import Calendar

# Open: still with the agency, including a recommendation awaiting the head's approval (issue 18).
OPEN = [
    ReviewStatus.IN_REVIEW,
    ReviewStatus.REVISION_REQUESTED,
    ReviewStatus.AWAITING_HEAD_APPROVAL,
]
FINISHED = [ReviewStatus.RECOMMENDED, ReviewStatus.REJECTED]
OVERDUE_LIST_LIMIT = 50


@dataclass
class Scope:
    """What a person may monitor: one region and the OPDs in it they may see."""

    region: Region
    agencies: list[Agency]
    whole_region: bool  # monitor or signer: every OPD of the region


def monitoring_scope(user) -> Scope | None:
    """Monitor and signer: every OPD of their region; OPD head: their own agency. None for
    anyone else (the views answer 403)."""
    memberships = memberships_of(user)
    dpmptsp = [m for m in memberships if m.role in (Role.MONITOR, Role.SIGNER)]
    if dpmptsp:
        region = dpmptsp[0].agency.region
        agencies = list(
            Agency.objects.filter(region=region, kind=Agency.Kind.OPD, is_active=True).order_by(
                "name"
            )
        )
        return Scope(region=region, agencies=agencies, whole_region=True)
    heads = [m for m in memberships if m.role == Role.HEAD]
    if heads:
        region = heads[0].agency.region
        agencies = sorted(
            {m.agency_id: m.agency for m in heads if m.agency.region_id == region.pk}.values(),
            key=lambda a: a.name,
        )
        return Scope(region=region, agencies=agencies, whole_region=False)
    return None


@dataclass
class AgencyFigures:
    agency: Agency
    open: int = 0
    overdue: int = 0
    waiting: int = 0
    finished: int = 0
    on_time: int = 0
    median_used: float | None = None
    p90_used: float | None = None
    budget: float | None = None
    ikm: float | None = None
    surveys: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def on_time_share(self) -> float | None:
        return round(100.0 * self.on_time / self.finished, 1) if self.finished else None


def period_bounds(region: Region, start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the region's time zone."""
    tz = Calendar(region).tz
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def ikm_expression(prefix: str = ""):
    """IKM = the mean of the nine element means x 25 (PermenPANRB 14/2017)."""
    total = None
    for name, _label in SKM_ELEMENTS:
        term = Avg(Cast(f"{prefix}{name}", FloatField()))
        total = term if total is None else total + term
    return total / 9.0 * 25.0


def agency_figures(scope: Scope, *, start: date, end: date, now=None) -> list[AgencyFigures]:
    """Per OPD in scope: open, overdue and waiting reviews now; finished in the period with the
    median and 90th percentile of working days used, the average budget, the share within SLA;
    the IKM of the surveys answered in the period. Three queries (plus one to check the
    working-day ordinals): the finished reviews in one, from the daily summary
    (`monitoring.summary`) for the days it holds and from the reviews for the rest."""
    now = now or timezone.now()
    agency_ids = [a.pk for a in scope.agencies]
    ensure_working_days([scope.region])
    period_start, period_end = period_bounds(scope.region, start, end)
    open_rows = {
        row["agency_id"]: row
        for row in Review.objects.filter(agency_id__in=agency_ids, status__in=OPEN)
        .values("agency_id")
        .annotate(
            # Counting an indexed column (not id): an index-only scan of review_agency_idx.
            open=Count("agency_id"),
            overdue=Count("agency_id", filter=Q(status=ReviewStatus.IN_REVIEW, due_at__lt=now)),
            waiting=Count("agency_id", filter=Q(status=ReviewStatus.REVISION_REQUESTED)),
        )
        .order_by()
    }
    finished = finished_histogram(scope.region, agency_ids, start, end)
    ikm_rows = {
        row["agency"]: row
        for row in SurveyResponse.objects.filter(
            application__reviews__agency_id__in=agency_ids,
            created_at__gte=period_start,
            created_at__lt=period_end,
        )
        .values(agency=F("application__reviews__agency_id"))
        .annotate(ikm=ikm_expression(), n=Count("pk"))
        .order_by()
    }
    result = []
    for agency in scope.agencies:
        figures = AgencyFigures(agency=agency)
        if agency.pk in open_rows:
            row = open_rows[agency.pk]
            figures.open, figures.overdue, figures.waiting = (
                row["open"],
                row["overdue"],
                row["waiting"],
            )
        histogram = finished[agency.pk]
        if histogram.finished:
            figures.finished, figures.on_time = histogram.finished, histogram.on_time
            figures.median_used = histogram.percentile(0.5)
            figures.p90_used = histogram.percentile(0.9)
            figures.budget = histogram.budget_sum / histogram.finished
        if agency.pk in ikm_rows:
            figures.ikm = round(ikm_rows[agency.pk]["ikm"], 2)
            figures.surveys = ikm_rows[agency.pk]["n"]
        result.append(figures)
    return result


def ikm_by_permit_type(region: Region, *, start: date, end: date) -> list[dict]:
    """IKM per permit type of the region over the period (one query)."""
    period_start, period_end = period_bounds(region, start, end)
    return list(
        SurveyResponse.objects.filter(
            application__region=region, created_at__gte=period_start, created_at__lt=period_end
        )
        .values(
            "application__permit_type_id",
            "application__permit_type__code",
            "application__permit_type__name_id",
            "application__permit_type__name_en",
        )
        .annotate(ikm=ikm_expression(), n=Count("pk"))
        .order_by("application__permit_type__code")
    )


def overdue_reviews(scope: Scope, *, now=None, limit: int = OVERDUE_LIST_LIMIT) -> list[Review]:
    """The overdue open reviews in scope, most overdue first, with the assignee, the last
    action on the file and the working days late (one query, plus holidays once per year)."""
    now = now or timezone.now()
    last = Event.objects.filter(application_id=OuterRef("application_id")).order_by("-at", "-id")
    reviews = list(
        Review.objects.filter(
            agency_id__in=[a.pk for a in scope.agencies],
            status=ReviewStatus.IN_REVIEW,
            due_at__lt=now,
        )
        .select_related("application", "application__permit_type", "agency", "assignee")
        .annotate(
            last_action=Subquery(last.values("action")[:1]),
            last_action_at=Subquery(last.values("at")[:1]),
        )
        .order_by("due_at", "pk")[:limit]
    )
    calendar = Calendar(scope.region)
    for review in reviews:
        review.days_late = calendar.working_days_late(review.due_at, now)
    return reviews


def open_reviews_of(agency: Agency, *, now=None, limit: int = 200) -> list[Review]:
    """The agency's open reviews, due soonest first, for the agency drill-down."""
    now = now or timezone.now()
    reviews = list(
        Review.objects.filter(agency=agency, status__in=OPEN)
        .select_related("application", "application__permit_type", "assignee")
        .order_by("due_at", "pk")[:limit]
    )
    calendar = Calendar(agency.region)
    for review in reviews:
        review.days_late = (
            calendar.working_days_late(review.due_at, now)
            if review.due_at and review.status == ReviewStatus.IN_REVIEW
            else 0
        )
    return reviews


# --- public statistics ---------------------------------------------------------------------

PUBLIC_SQL = """
SELECT a.permit_type_id,
       COUNT(*) FILTER (WHERE a.submitted_at >= %(start)s AND a.submitted_at < %(end)s),
       COUNT(*) FILTER (WHERE a.status = 'issued' AND a.closed_at >= %(start)s
                          AND a.closed_at < %(end)s),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.ordinal - s.ordinal + 1)
           FILTER (WHERE a.status = 'issued' AND a.closed_at >= %(start)s
                     AND a.closed_at < %(end)s),
       COUNT(*) FILTER (WHERE a.status = 'issued' AND a.closed_at >= %(start)s
                          AND a.closed_at < %(end)s
                          AND NOT EXISTS (SELECT 1 FROM agencies_review r
                                           WHERE r.application_id = a.id
                                             AND r.decided_at > r.due_at))
  FROM applications_application a
  LEFT JOIN monitoring_workingday s
    ON s.region_id = a.region_id AND s.date = (a.submitted_at AT TIME ZONE %(tz)s)::date
  LEFT JOIN monitoring_workingday c
    ON c.region_id = a.region_id AND c.date = (a.closed_at AT TIME ZONE %(tz)s)::date
 WHERE a.region_id = %(region)s
   AND ((a.submitted_at >= %(start)s AND a.submitted_at < %(end)s)
        OR (a.status = 'issued' AND a.closed_at >= %(start)s AND a.closed_at < %(end)s))
 GROUP BY a.permit_type_id
"""


def public_statistics(region: Region, *, start: date, end: date) -> list[dict]:
    """Per permit type of the region: applications received and permits issued in the period,
    the median working days from submission to issuance, and the share of issued files whose
    every technical review was decided within its SLA. Counts only: no personal data."""
    ensure_working_days([region])
    period_start, period_end = period_bounds(region, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            PUBLIC_SQL,
            {"region": region.pk, "tz": region.timezone, "start": period_start, "end": period_end},
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    result = []
    for ptype in PermitType.objects.filter(region=region).order_by("code"):
        received, issued, median, within = rows.get(ptype.pk, (0, 0, None, 0))
        result.append(
            {
                "permit_type": ptype,
                "received": received,
                "issued": issued,
                "median_days": median,
                "within_share": round(100.0 * within / issued, 1) if issued else None,
            }
        )
    return result


# --- legal deadlines (issue 18) ------------------------------------------------------------------

LEGAL_WARN_DAYS = 3  # as applications.sla.legal.WARN_DAYS: the guard's first warning


def legal_at_risk(scope: Scope, *, now=None, limit: int = OVERDUE_LIST_LIMIT) -> list:
    """The files at risk of deemed approval in scope: a running legal clock whose deadline falls
    within 3 working days (or has passed, the sweep not having run yet), and - for the whole
    region - the files at intake whose document check's legal deadline does (issue 18; marked
    `risk_stage` "intake", never deemed); least time left first; each with `risk_due_at`,
    `legal_days_left_now` (working days until the deadline's day; 0 today or past) and
    `legal_passed`. One query for the list (indexes `app_legal_due_idx`,
    `app_legal_intake_due_idx`), plus the region's holidays once."""
    now = now or timezone.now()
    calendar = Calendar(scope.region)
    today = calendar.local(now).date()
    day = today
    for _ in range(LEGAL_WARN_DAYS):
        day = calendar.next_working_day(day)
    horizon = calendar.end_of_service(day)
    decision = Q(legal_state=LegalState.RUNNING, legal_due_at__lte=horizon)
    if not scope.whole_region:
        decision &= Q(
            pk__in=Review.objects.filter(
                agency_id__in=[a.pk for a in scope.agencies], status=ReviewStatus.IN_REVIEW
            ).values("application_id")
        )
        where = decision
    else:
        where = decision | Q(status=Status.SUBMITTED, legal_intake_due_at__lte=horizon)
    files = Application.objects.filter(where, region=scope.region).annotate(
        risk_due_at=Case(
            When(
                status=Status.SUBMITTED,
                legal_intake_due_at__isnull=False,
                then=F("legal_intake_due_at"),
            ),
            default=F("legal_due_at"),
        )
    )
    rows = list(files.select_related("permit_type").order_by("risk_due_at", "pk")[:limit])
    for application in rows:
        application.risk_stage = (
            "intake"
            if application.status == Status.SUBMITTED and application.legal_intake_due_at
            else "decision"
        )
        due_day = calendar.local(application.risk_due_at).date()
        application.legal_days_left_now = (
            calendar.working_days_between(today, due_day) if application.risk_due_at >= now else 0
        )
        application.legal_passed = application.risk_due_at < now
    return rows


@dataclass
class LegalMonth:
    agency: Agency
    month: date
    decided: int
    within_legal: int
    within_internal: int
    deemed: int  # deemed approvals whose review at this OPD was undecided at the deadline

    @property
    def legal_share(self) -> float | None:
        return round(100.0 * self.within_legal / self.decided, 1) if self.decided else None

    @property
    def internal_share(self) -> float | None:
        return round(100.0 * self.within_internal / self.decided, 1) if self.decided else None


def legal_report(scope: Scope, *, start: date, end: date) -> list[LegalMonth]:
    """Per OPD and month (of the decision, or of the deemed approval), the files decided, the
    share decided within the legal deadline (the signer's act by it) and within the OPD's
    internal budget (its review recommended or rejected by its due time), and the deemed
    approvals the OPD left undecided (not recommended or rejected by the deemed moment). One
    query: the daily summary (`monitoring.summary.legal_figures`) for the days it holds, the
    files themselves for the others."""
    agencies = {a.pk: a for a in scope.agencies}
    if not agencies:
        return []
    return [
        LegalMonth(agencies[agency_id], month, *counts)
        for agency_id, month, *counts in legal_figures(scope.region, list(agencies), start, end)
    ]
