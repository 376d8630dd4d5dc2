"""Late-payment interest on a levy (*sanksi administratif berupa bunga*), collected with an STRD.

The rule, every number of it regional data (`fees.models.LevyPolicy`):
- interest = principal × monthly rate × months late; simple interest, on the principal only;
- months late are counted from the due date: a full month ends on the same day of a later
  month (due 10 March: one month on 10 April); a month that does not have that day ends on its
  last day (due 31 January: one month on 28/29 February, two months on 31 March);
- a started month counts as a whole month when `partial_month_counts_as_full` (the common rule
  in regional regulations: "bagian dari bulan dihitung satu bulan penuh"); otherwise only
  whole months count;
- at most `max_months` months are charged (24 in most regulations);
- paying on the due date, or before, costs nothing;
- the interest is rounded once, to whole rupiah, half up (the same rule as every billed line).

Pure functions: dates in, amounts and the steps out. The caller turns a payment time into the
region's local date before calling (a payment at 23:30 WIB is that day's, not the next).
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError

ONE_RUPIAH = Decimal(1)


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on, clamped to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Lateness:
    """How late a payment is: whole months, the days after them, and the months charged."""

    full_months: int
    extra_days: int
    months_charged: int
    capped: bool


def lateness(
    *, due_date: date, paid_on: date, partial_month_counts_as_full: bool, max_months: int
) -> Lateness:
    """Months and days from `due_date` to `paid_on`, and how many months are charged."""
    if max_months < 1:
        raise DomainError(_("The maximum number of interest months must be at least 1."))
    if paid_on <= due_date:
        return Lateness(0, 0, 0, False)
    # Estimate from the calendar, then correct by at most one month either way.
    months = (paid_on.year - due_date.year) * 12 + paid_on.month - due_date.month
    while months > 0 and add_months(due_date, months) > paid_on:
        months -= 1
    while add_months(due_date, months + 1) <= paid_on:
        months += 1
    extra_days = (paid_on - add_months(due_date, months)).days
    charged = months + (1 if extra_days and partial_month_counts_as_full else 0)
    capped = charged > max_months
    return Lateness(months, extra_days, min(charged, max_months), capped)


@dataclass(frozen=True)
class InterestResult:
    principal: Decimal
    monthly_rate_percent: Decimal
    lateness: Lateness
    interest_exact: Decimal
    interest: Decimal
    total: Decimal

    def as_dict(self) -> dict:
        return {
            "principal": str(self.principal),
            "monthly_rate_percent": str(self.monthly_rate_percent),
            "full_months": self.lateness.full_months,
            "extra_days": self.lateness.extra_days,
            "months_charged": self.lateness.months_charged,
            "capped": self.lateness.capped,
            "interest_exact": str(self.interest_exact),
            "interest": str(self.interest),
            "total": str(self.total),
        }


def late_interest(
    *,
    principal: int | Decimal,
    due_date: date,
    paid_on: date,
    monthly_rate_percent: Decimal,
    max_months: int,
    partial_month_counts_as_full: bool = True,
) -> InterestResult:
    """The interest owed on `principal` (whole rupiah) paid on `paid_on` for a bill due on
    `due_date`, with the region's monthly rate in percent (e.g. Decimal("1") for 1 %).

    Raises DomainError for a negative or fractional principal or a negative rate."""
    if isinstance(principal, bool) or not isinstance(principal, int | Decimal):
        raise DomainError(_("The principal must be a whole number of rupiah."))
    principal = Decimal(principal)
    if not principal.is_finite() or principal < 0 or principal != principal.to_integral_value():
        raise DomainError(_("The principal must be a whole number of rupiah, not negative."))
    rate = Decimal(monthly_rate_percent)
    if not rate.is_finite() or rate < 0:
        raise DomainError(_("The monthly interest rate cannot be negative."))
    late = lateness(
        due_date=due_date,
        paid_on=paid_on,
        partial_month_counts_as_full=partial_month_counts_as_full,
        max_months=max_months,
    )
    exact = principal * rate / Decimal(100) * late.months_charged
    interest = exact.quantize(ONE_RUPIAH, rounding=ROUND_HALF_UP)
    return InterestResult(
        principal=principal,
        monthly_rate_percent=rate,
        lateness=late,
        interest_exact=exact,
        interest=interest,
        total=principal + interest,
    )
