"""A regional holiday or cuti bersama added, changed or deleted after files were accepted moves
the stored deadlines that depend on it (issue 18; docs/sla.md, "Holidays changed later").

Receivers of `RegionHoliday`'s pre_save / post_save / post_delete: in the transaction of the
change (the admin's save), the region's calendar before and after the change are compared and
every stored deadline still to come whose count crosses a changed day is counted again on the
new calendar from its start with the same budget:
- the document check's legal deadline (`legal_intake_due_at`, files at intake) from
  `legal_intake_started_at`;
- running legal clocks: `Application.legal_due_at` from `legal_started_at` (its warning
  schedule `legal_next_at` is cleared, so the guard looks again; a new deadline is a new clock
  for the once-only warnings);
- the DPMPTSP's stage clocks (`Application.due_at`, intake and issuance) and open reviews'
  `due_at`, counted from the change's day (their stored start is not kept): budget = working
  days left after today on the old calendar;
- the head's approval, `Review.head_due_at`, from the officer's recommendation (`decided_at`);
- open correction periods: `due_at` = `days` from `started_at`, and their reminders not sent
  yet.
A deadline already passed when the change is made stands (a deemed approval, a lapse, an overdue
notice are not undone), and a deletion never moves a deadline to before the change (the file
would be deemed approved, or lapse, by an administrator's edit). Each moved file is one log
line (`ptsp.sla`, "holiday moved deadline", with each of its deadlines from and to), written
once the change is committed. Only the changed region's rows whose deadline falls
on or after the first changed day are read (the indexes of the sweep: `app_legal_due_idx`,
`app_open_due_idx`, `review_open_due_idx`, `review_head_due_idx`, `correction_due_idx` do not
all apply; see docs/sla.md for the figures at 10,000 running files).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from agencies.models import Region, RegionHoliday
from applications.models import (
    Application,
    CorrectionPeriod,
    LegalState,
    Review,
    ReviewStatus,
    Status,
)
from applications.sla.corrections import _next_at, thresholds
from ptsp.workdays import Calendar

logger = logging.getLogger("ptsp.sla")


class FixedCalendar(Calendar):
    """A region's calendar with its own days off given (before or after a change), not read."""

    def __init__(self, region, days_off):
        super().__init__(region)
        self._days_off = frozenset(days_off)

    def _regional_days(self, year: int) -> frozenset[date]:
        return self._days_off


@dataclass
class Moved:
    legal: int = 0
    stages: int = 0
    reviews: int = 0
    heads: int = 0
    corrections: int = 0
    kept: int = 0  # would have moved to before the change: left as they were
    # {application id: ["legal=<id> from=… to=…", …]}: one log line per moved file.
    lines: dict = field(default_factory=lambda: defaultdict(list))

    @property
    def total(self) -> int:
        return self.legal + self.stages + self.reviews + self.heads + self.corrections


def _advance(calendar: Calendar, day: date, n: int) -> date:
    for _ in range(n):
        day = calendar.next_working_day(day)
    return day


def moved_deadline(old: Calendar, new: Calendar, *, due: datetime, start: datetime | None, now):
    """`due` counted again on `new`: the same number of working days after the start's day of
    receipt (or after today, without a start) as on `old`, at the same time of day."""
    due_local = old.local(due)
    if start is not None:
        budget = old.working_days_between(old.receipt_day(start), due_local.date())
        anchor = new.receipt_day(start)
    else:
        today = old.local(now).date()
        budget = old.working_days_between(today, due_local.date())
        anchor = today
    if budget < 1:
        return due
    day = _advance(new, anchor, budget)
    return datetime.combine(day, due_local.timetz().replace(tzinfo=None), tzinfo=new.tz)


def deadlines_move(*, region, old_days, new_days, changed, now: datetime | None = None) -> Moved:
    """Move the region's stored deadlines after its days off changed from `old_days` to
    `new_days` (`changed`: the dates added or removed). Who calls: the receivers below, in the
    transaction of the holiday's change; benchmarks and tests directly."""
    now = now or timezone.now()
    result = Moved()
    old = FixedCalendar(region, old_days)
    new = FixedCalendar(region, new_days)
    if all(old.is_working_day(d) == new.is_working_day(d) for d in changed):
        return result  # a weekend or a national holiday anyway: nothing counts differently
    first = datetime.combine(min(changed), dt_time(0, 0), tzinfo=old.tz)
    floor = max(now, first)

    memo: dict = {}

    def target_of(due, start):
        # Most files share a deadline (the close of service of a day) and a day of receipt.
        key = (due, old.receipt_day(start) if start is not None else None, start is None)
        if start is not None:
            key += (new.receipt_day(start),)
        if key not in memo:
            memo[key] = moved_deadline(old, new, due=due, start=start, now=now)
        return memo[key]

    def move(queryset, due_field, start_field, counter, what, extra=None):
        groups = defaultdict(list)
        rows = queryset.filter(**{f"{due_field}__gt": floor}).values_list(
            "pk", due_field, *([start_field] if start_field else []), "application_id"
        )
        for row in rows:
            pk, due = row[0], row[1]
            start = row[2] if start_field else None
            target = target_of(due, start)
            if target == due:
                continue
            if target <= now:
                result.kept += 1
                continue
            groups[(due, target)].append(pk)
            setattr(result, counter, getattr(result, counter) + 1)
            result.lines[row[-1]].append(
                f"{what}={pk} from={due.isoformat()} to={target.isoformat()}"
            )
        for (due, target), pks in groups.items():
            queryset.model.objects.filter(pk__in=pks, **{due_field: due}).update(
                **{due_field: target}, **(extra or {})
            )

    apps = Application.objects.filter(region=region).annotate(application_id=F("pk"))
    move(
        apps.filter(legal_state=LegalState.RUNNING),
        "legal_due_at",
        "legal_started_at",
        "legal",
        "legal",
        extra={"legal_next_at": None},
    )
    move(
        apps.filter(status=Status.SUBMITTED),
        "legal_intake_due_at",
        "legal_intake_started_at",
        "legal",
        "legal_intake",
    )
    move(
        apps.filter(status__in=[Status.SUBMITTED, Status.RECOMMENDED]),
        "due_at",
        None,
        "stages",
        "stage",
    )
    reviews = Review.objects.filter(application__region=region)
    move(reviews.filter(status=ReviewStatus.IN_REVIEW), "due_at", None, "reviews", "review")
    move(
        reviews.filter(status=ReviewStatus.AWAITING_HEAD_APPROVAL),
        "head_due_at",
        "decided_at",
        "heads",
        "head",
    )
    _move_corrections(region, old, new, floor, now, result)
    if result.lines:
        # One line per moved file, written once the change is committed: at 10,000 files the
        # lines take longer than the move itself, and need not hold the transaction.
        lines, code = dict(result.lines), region.code
        transaction.on_commit(lambda: _log_moves(code, lines))
    if result.total or result.kept:
        logger.info(
            "holiday change in %s (%s): moved legal=%s stages=%s reviews=%s heads=%s "
            "corrections=%s; kept (would move before now)=%s",
            region.code,
            ", ".join(sorted(d.isoformat() for d in changed)),
            result.legal,
            result.stages,
            result.reviews,
            result.heads,
            result.corrections,
            result.kept,
        )
    return result


def _log_moves(region_code: str, lines: dict) -> None:
    for application_id, moves in lines.items():
        logger.info(
            "holiday moved deadline: region=%s application=%s %s",
            region_code,
            application_id,
            " ".join(moves),
        )


def _move_corrections(region, old, new, floor, now, result: Moved) -> None:
    periods = CorrectionPeriod.objects.filter(
        application__region=region, closed_at__isnull=True, due_at__gt=floor
    )
    changed = []
    for period in periods:
        target = new.add_working_days(period.started_at, period.days)
        if target == period.due_at:
            continue
        if target <= now:
            result.kept += 1
            continue
        result.lines[period.application_id].append(
            f"correction={period.pk} from={period.due_at.isoformat()} to={target.isoformat()}"
        )
        period.due_at = target
        marks = thresholds(new, started_at=period.started_at, days=period.days, due_at=target)
        if period.halfway_sent_at is None:
            period.halfway_at = marks["halfway"]
        if period.day_before_sent_at is None:
            period.day_before_at = marks["day_before"]
        period.next_at = _next_at(period)
        changed.append(period)
        result.corrections += 1
    CorrectionPeriod.objects.bulk_update(
        changed, ["due_at", "halfway_at", "day_before_at", "next_at"], batch_size=500
    )


# --- the receivers ----------------------------------------------------------------------------


def _days_off(region_id) -> set[date]:
    return set(RegionHoliday.objects.filter(region_id=region_id).values_list("date", flat=True))


def _before_save(sender, instance, **kwargs):
    instance._deadline_old = (
        RegionHoliday.objects.filter(pk=instance.pk).values_list("region_id", "date").first()
        if instance.pk
        else None
    )


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return  # loaddata: no file moves on a fixture load
    previous = getattr(instance, "_deadline_old", None)
    now_days = _days_off(instance.region_id)
    if previous is None or previous[0] != instance.region_id:
        deadlines_move(
            region=instance.region,
            old_days=now_days - {instance.date},
            new_days=now_days,
            changed={instance.date},
        )
        if previous is not None:  # moved to another region: the first one lost a day off
            _after_removal(previous[0], previous[1])
        return
    if previous[1] == instance.date:
        return  # the name or kind changed: the same day off
    deadlines_move(
        region=instance.region,
        old_days=(now_days - {instance.date}) | {previous[1]},
        new_days=now_days,
        changed={instance.date, previous[1]},
    )


def _after_removal(region_id, day):
    region = Region.objects.get(pk=region_id)
    now_days = _days_off(region_id)
    deadlines_move(region=region, old_days=now_days | {day}, new_days=now_days, changed={day})


def _after_delete(sender, instance, **kwargs):
    _after_removal(instance.region_id, instance.date)


pre_save.connect(_before_save, sender=RegionHoliday, dispatch_uid="applications.sla.holidays.pre")
post_save.connect(_after_save, sender=RegionHoliday, dispatch_uid="applications.sla.holidays.save")
post_delete.connect(
    _after_delete, sender=RegionHoliday, dispatch_uid="applications.sla.holidays.delete"
)
