"""Late-payment interest: months counted from the due date, a started month as a full one
(when the region says so), capped, on the principal only, rounded once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fees.interest import add_months, late_interest, lateness
from ptsp.errors import DomainError

# Pure calendar arithmetic: no clock is read, so these dates are data, not "today".
DUE = date(2026, 3, 10)


def interest(principal, paid_on, *, rate="1", months=24, partial=True, due=DUE):
    return late_interest(
        principal=principal,
        due_date=due,
        paid_on=paid_on,
        monthly_rate_percent=Decimal(rate),
        max_months=months,
        partial_month_counts_as_full=partial,
    )


def test_worked_example_two_months_and_three_days_late():
    """docs/fees.md, example 4: the house's levy, paid 2 months and 3 days after the due date."""
    paid_on = add_months(DUE, 2) + timedelta(days=3)
    result = interest(1_766_721, paid_on)
    assert (result.lateness.full_months, result.lateness.extra_days) == (2, 3)
    assert result.lateness.months_charged == 3
    assert result.interest_exact == Decimal("53001.63")
    assert result.interest == 53_002
    assert result.total == 1_819_723


def test_the_same_lateness_with_whole_months_only():
    result = interest(1_766_721, add_months(DUE, 2) + timedelta(days=3), partial=False)
    assert result.lateness.months_charged == 2
    assert result.interest == 35_334  # 35 334,42 rounded half up


@pytest.mark.parametrize(
    ("paid_on", "charged"),
    [
        (DUE - timedelta(days=10), 0),
        (DUE, 0),
        (DUE + timedelta(days=1), 1),
        (add_months(DUE, 1), 1),
        (add_months(DUE, 1) + timedelta(days=1), 2),
        (add_months(DUE, 12), 12),
    ],
)
def test_months_charged(paid_on, charged):
    assert interest(1_000_000, paid_on).lateness.months_charged == charged
    assert interest(1_000_000, paid_on).interest == 10_000 * charged


def test_paying_on_time_costs_nothing():
    result = interest(1_766_721, DUE)
    assert result.interest == 0 and result.total == 1_766_721


def test_the_months_are_capped():
    result = interest(1_000_000, add_months(DUE, 30) + timedelta(days=5), months=24)
    assert result.lateness.capped and result.lateness.months_charged == 24
    assert result.interest == 240_000


def test_month_ends_are_clamped_to_the_shorter_month():
    due = date(2027, 1, 31)
    assert add_months(due, 1) == date(2027, 2, 28)
    assert add_months(due, 2) == date(2027, 3, 31)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    late = lateness(
        due_date=due, paid_on=date(2027, 2, 28), partial_month_counts_as_full=True, max_months=24
    )
    assert (late.full_months, late.extra_days, late.months_charged) == (1, 0, 1)
    late = lateness(
        due_date=due, paid_on=date(2027, 3, 1), partial_month_counts_as_full=True, max_months=24
    )
    assert (late.full_months, late.extra_days, late.months_charged) == (1, 1, 2)


def test_a_year_boundary():
    late = lateness(
        due_date=date(2026, 11, 20),
        paid_on=date(2027, 2, 19),
        partial_month_counts_as_full=True,
        max_months=24,
    )
    assert (late.full_months, late.extra_days, late.months_charged) == (2, 30, 3)


def test_rounding_is_half_up_once():
    assert interest(50, DUE + timedelta(days=1)).interest == 1  # 0,50 → 1
    assert interest(49, DUE + timedelta(days=1)).interest == 0  # 0,49 → 0
    assert interest(1_000_001, DUE + timedelta(days=1), rate="2").interest == 20_000  # 20 000,02


@pytest.mark.parametrize(
    "kwargs",
    [
        {"principal": -1},
        {"principal": Decimal("10.5")},
        {"principal": 1.5},
        {"principal": 1000, "rate": "-1"},
        {"principal": 1000, "months": 0},
    ],
)
def test_bad_inputs_are_refused_with_a_message(kwargs):
    principal = kwargs.pop("principal")
    with pytest.raises(DomainError) as info:
        interest(principal, DUE + timedelta(days=40), **kwargs)
    assert str(info.value)
