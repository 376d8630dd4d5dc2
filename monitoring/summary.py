"""The dashboard's daily summary of finished reviews (issue 20): `ReviewDay` rows per OPD, day
of decision and working days used, so that a one-year period reads a few thousand summary rows
instead of every review decided in the year.

Kept by `review_days_refresh` (Celery beat, `monitoring.tasks.review_days_refresh`): for each
active region it rebuilds the days after the region's `SummaryState.through` up to yesterday
(in the region's time zone), in one transaction under the state row's lock: idempotent, safe to
run twice or concurrently. Today is never summarised: the dashboard counts the days after
`through` from `agencies_review` itself (`finished_histogram`), so a figure never waits for
the next refresh.

What can change a day already summarised moves `through` back to the day before it:
- a decision undone (the signer sends a rejection back, a rejected review is cancelled): the
  receiver of `applications.signals.event_recorded` (`review_day_reopened`);
- a regional holiday added or removed (the working-day ordinals change): the region's state is
  dropped (`region_summary_forget`), the next refresh rebuilds it, the dashboard counts live
  until then.
A full rebuild: `manage.py shell -c "from monitoring.summary import *; review_days_rebuild()"`.

The same refresh, under the same state, keeps `LegalDay` (issue 18's report "Legal deadlines per
agency and month"): per region, OPD and local day of the file's legal decision (the signer's
act) or deemed approval, the files decided, within the legal deadline, whose review at the OPD
was decided within its internal budget, and the deemed approvals the OPD left undecided.
`legal_figures` reads it like `finished_histogram`: the summarised days from `LegalDay`, the
others from the tables (index `app_legal_closed_idx`). What can change a summarised legal day
moves `through` back to the day before it (receiver in `monitoring/apps.py`):
- a review's event (decided, cancelled, reopened, routed) on a file whose legal decision is
  made (met, late, deemed): the day of that decision;
- a deemed approval made by a late sweep: `deemed_at` is the deadline, possibly a summarised
  day.
A holiday forgets the whole state, so both summaries are counted again.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from agencies.calendar import EPOCH, ensure_working_days
from agencies.models import Region
from monitoring.models import SummaryState
from ptsp.workdays import Calendar

# One row per (agency, local day of decision, working days used): the same joins and filters
# as the dashboard's figures (a review counts when both its due day and its decision day have
# an ordinal).
HISTOGRAM_FROM = """
  FROM agencies_review r
  JOIN monitoring_workingday d
    ON d.region_id = %(region)s AND d.date = (r.due_at AT TIME ZONE %(tz)s)::date
  JOIN monitoring_workingday x
    ON x.region_id = %(region)s AND x.date = (r.decided_at AT TIME ZONE %(tz)s)::date
 WHERE r.agency_id = ANY(%(agencies)s)
   AND r.decided_at >= %(start)s AND r.decided_at < %(end)s
   AND r.status IN ('recommended', 'rejected')
   AND r.due_at IS NOT NULL
"""

REFRESH_SQL = (
    """
INSERT INTO monitoring_reviewday
       (region_id, agency_id, day, used_days, finished, on_time, budget_sum)
SELECT %(region)s, r.agency_id, x.date, r.budget_days - (d.ordinal - x.ordinal),
       COUNT(*), COUNT(*) FILTER (WHERE r.decided_at <= r.due_at), SUM(r.budget_days)
"""
    + HISTOGRAM_FROM
    + " GROUP BY 2, 3, 4"
)

# The dashboard's one query: the summarised days from `ReviewDay`, the days after the region's
# `through` (today; every day before its first refresh) counted from the reviews. The state is
# read in an InitPlan, so the reviews' index on (agency, decided_at) serves the second part.
FIGURES_SQL = """
WITH state AS (
  SELECT COALESCE(
           (SELECT through FROM monitoring_summarystate WHERE region_id = %(region)s),
           %(first)s::date - 1) AS through
)
SELECT agency_id, used_days, SUM(finished), SUM(on_time), SUM(budget_sum)
  FROM monitoring_reviewday
 WHERE agency_id = ANY(%(agencies)s)
   AND day >= %(first)s AND day <= LEAST((SELECT through FROM state), %(last)s::date)
 GROUP BY 1, 2
UNION ALL
SELECT r.agency_id, r.budget_days - (d.ordinal - x.ordinal),
       COUNT(*), COUNT(*) FILTER (WHERE r.decided_at <= r.due_at), SUM(r.budget_days)
  FROM agencies_review r
  JOIN monitoring_workingday d
    ON d.region_id = %(region)s AND d.date = (r.due_at AT TIME ZONE %(tz)s)::date
  JOIN monitoring_workingday x
    ON x.region_id = %(region)s AND x.date = (r.decided_at AT TIME ZONE %(tz)s)::date
 WHERE r.agency_id = ANY(%(agencies)s)
   AND r.decided_at >= GREATEST(
         %(start)s, (((SELECT through FROM state) + 1)::timestamp AT TIME ZONE %(tz)s))
   AND r.decided_at < %(end)s
   AND r.status IN ('recommended', 'rejected')
   AND r.due_at IS NOT NULL
 GROUP BY 1, 2
"""


# The legal report's counts of one review row group (files, not reviews: a file counts once
# per OPD). "Within the internal budget": the OPD's own decision (recommended or rejected, not
# awaiting the head, not closed by the deemed approval) by its due time. "Left undecided": the
# OPD had not recommended or rejected by the deemed moment, whatever the review's status is now
# (still open, closed by the deemed approval, decided after it).
LEGAL_COUNTS = """
       COUNT(DISTINCT a.id),
       COUNT(DISTINCT a.id) FILTER (WHERE a.legal_state = 'met'),
       COUNT(DISTINCT a.id) FILTER (WHERE r.status IN ('recommended', 'rejected')
                                       AND r.decided_at <= r.due_at),
       COUNT(DISTINCT a.id) FILTER (WHERE a.legal_state = 'deemed'
                                       AND (r.status NOT IN ('recommended', 'rejected')
                                            OR r.decided_at IS NULL
                                            OR r.decided_at > a.deemed_at))
"""

# The files of the region decided (or deemed approved) before %(end)s and from the bound that
# follows; the range is on the expression of `app_legal_closed_idx`, with its condition.
LEGAL_FROM = """
  FROM applications_application a
  JOIN agencies_review r ON r.application_id = a.id
 WHERE a.region_id = %(region)s
   AND a.legal_state IN ('met', 'late', 'deemed')
   AND r.status <> 'cancelled'
   AND COALESCE(a.legal_decided_at, a.deemed_at) < %(end)s
   AND COALESCE(a.legal_decided_at, a.deemed_at) >= """

LEGAL_REFRESH_SQL = (
    """
INSERT INTO monitoring_legalday
       (region_id, agency_id, day, decided, within_legal, within_internal, deemed)
SELECT %(region)s, r.agency_id,
       (COALESCE(a.legal_decided_at, a.deemed_at) AT TIME ZONE %(tz)s)::date,"""
    + LEGAL_COUNTS
    + LEGAL_FROM
    + "%(start)s GROUP BY 2, 3"
)

# The report's one query: the months of the summarised days from `LegalDay`, those of the days
# after `through` counted from the files (the state read in an InitPlan, so that the index
# serves the second part). A file has one legal day: the sums of its days are its month's.
LEGAL_FIGURES_SQL = (
    "WITH"  # noqa: S608 (constants only: no value is formatted into it)
    + """ state AS (
  SELECT COALESCE(
           (SELECT through FROM monitoring_summarystate WHERE region_id = %(region)s),
           %(first)s::date - 1) AS through
)
SELECT agency_id, month, SUM(decided)::int, SUM(within_legal)::int, SUM(within_internal)::int,
       SUM(deemed)::int
  FROM (
    SELECT agency_id, date_trunc('month', day)::date AS month, decided, within_legal,
           within_internal, deemed
      FROM monitoring_legalday
     WHERE region_id = %(region)s
       AND agency_id = ANY(%(agencies)s)
       AND day >= %(first)s AND day <= LEAST((SELECT through FROM state), %(last)s::date)
    UNION ALL
    SELECT r.agency_id,
           date_trunc('month', COALESCE(a.legal_decided_at, a.deemed_at) AT TIME ZONE %(tz)s)::date,"""
    + LEGAL_COUNTS
    + LEGAL_FROM
    + """GREATEST(
             %(start)s, (((SELECT through FROM state) + 1)::timestamp AT TIME ZONE %(tz)s))
   AND r.agency_id = ANY(%(agencies)s)
     GROUP BY 1, 2
  ) figures
 GROUP BY 1, 2
 ORDER BY 2, 1
"""
)


def _bounds(tz, first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in the time zone."""
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def _region_agencies(region: Region) -> list[int]:
    return list(region.agencies.values_list("pk", flat=True))


def review_days_refresh(*, now: datetime | None = None) -> int:
    """Bring every active region's summary up to yesterday (its own time zone). Who calls it:
    Celery beat (`monitoring.tasks.review_days_refresh`) and the rebuild. Writes `ReviewDay`
    and `SummaryState`; sends nothing. Returns the days rebuilt."""
    now = now or timezone.now()
    days = 0
    for region in Region.objects.filter(is_active=True).order_by("pk"):
        days += region_days_refresh(region=region, now=now)
    return days


def region_days_refresh(*, region: Region, now: datetime | None = None) -> int:
    """One region's days after its `through` up to yesterday, in both summaries (`ReviewDay`,
    `LegalDay`): deleted and counted again, and `through` moved to yesterday, in one
    transaction under the state row's lock."""
    now = now or timezone.now()
    tz = Calendar(region).tz
    yesterday = timezone.localtime(now, tz).date() - timedelta(days=1)
    ensure_working_days([region])
    with transaction.atomic():
        SummaryState.objects.bulk_create(
            [SummaryState(region=region, through=EPOCH - timedelta(days=1))],
            ignore_conflicts=True,
        )
        state = SummaryState.objects.select_for_update().get(region=region)
        first = state.through + timedelta(days=1)
        if first > yesterday:
            return 0
        start, end = _bounds(tz, first, yesterday)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM monitoring_reviewday WHERE region_id = %s AND day >= %s AND day <= %s",
                [region.pk, first, yesterday],
            )
            cursor.execute(
                REFRESH_SQL,
                {
                    "region": region.pk,
                    "tz": region.timezone,
                    "agencies": _region_agencies(region),
                    "start": start,
                    "end": end,
                },
            )
            cursor.execute(
                "DELETE FROM monitoring_legalday WHERE region_id = %s AND day >= %s AND day <= %s",
                [region.pk, first, yesterday],
            )
            cursor.execute(
                LEGAL_REFRESH_SQL,
                {"region": region.pk, "tz": region.timezone, "start": start, "end": end},
            )
        state.through = yesterday
        state.save(update_fields=["through", "refreshed_at"])
    return (yesterday - first).days + 1


def review_days_rebuild() -> int:
    """Forget every region's summary and count it again from the start."""
    SummaryState.objects.all().delete()
    return review_days_refresh()


def region_summary_forget(*, region_id: int) -> None:
    """The region's working days changed: its summary is counted again by the next refresh
    (the dashboard counts live until then)."""
    SummaryState.objects.filter(region_id=region_id).delete()


def review_day_reopened(*, region_id: int, decided_at: datetime, tz) -> None:
    """What a summarised day counts changed (a decision undone; a legal decision's review
    moved; a late deemed approval): that day and the ones after are counted again."""
    day = timezone.localtime(decided_at, tz).date()
    SummaryState.objects.filter(region_id=region_id, through__gte=day).update(
        through=day - timedelta(days=1)
    )


@dataclass
class Histogram:
    """Finished reviews of one agency: working days used → count; on time; budget sum."""

    counts: dict[int, int]
    finished: int = 0
    on_time: int = 0
    budget_sum: int = 0

    def add(self, used: int, finished: int, on_time: int, budget_sum) -> None:
        self.counts[used] = self.counts.get(used, 0) + int(finished)
        self.finished += int(finished)
        self.on_time += int(on_time)
        self.budget_sum += int(budget_sum)

    def percentile(self, fraction: float) -> float | None:
        """PostgreSQL's `percentile_cont`: linear between the two nearest ranks."""
        if not self.finished:
            return None
        position = fraction * (self.finished - 1)
        below, above = int(position), min(int(position) + 1, self.finished - 1)
        values: dict[int, float] = {}
        seen = 0
        for used in sorted(self.counts):
            following = seen + self.counts[used]
            for rank in (below, above):
                if seen <= rank < following:
                    values[rank] = float(used)
            seen = following
        return values[below] + (values[above] - values[below]) * (position - below)


def finished_histogram(region: Region, agency_ids: list[int], first: date, last: date):
    """Per agency, the finished reviews decided from `first` to `last` (local days, included):
    the summarised days from `ReviewDay`, the others (today, or all of them before the first
    refresh) from `agencies_review`. One query."""
    tz = Calendar(region).tz
    histograms = {pk: Histogram(counts={}) for pk in agency_ids}
    start, end = _bounds(tz, first, last)
    with connection.cursor() as cursor:
        cursor.execute(
            FIGURES_SQL,
            {
                "region": region.pk,
                "tz": region.timezone,
                "agencies": agency_ids,
                "first": first,
                "last": last,
                "start": start,
                "end": end,
            },
        )
        rows = cursor.fetchall()
    for agency_id, used, finished, on_time, budget_sum in rows:
        histograms[agency_id].add(used, finished, on_time, budget_sum)
    return histograms


def legal_figures(region: Region, agency_ids: list[int], first: date, last: date) -> list:
    """Per agency and month, the legal decisions from `first` to `last` (local days, included):
    [(agency_id, month, decided, within_legal, within_internal, deemed)], by month then agency.
    The summarised days from `LegalDay`, the others (today, or all of them before the first
    refresh) from the files. One query."""
    start, end = _bounds(Calendar(region).tz, first, last)
    with connection.cursor() as cursor:
        cursor.execute(
            LEGAL_FIGURES_SQL,
            {
                "region": region.pk,
                "tz": region.timezone,
                "agencies": agency_ids,
                "first": first,
                "last": last,
                "start": start,
                "end": end,
            },
        )
        return cursor.fetchall()
