"""The worked examples of docs/fees.md, computed through the service on the demo tariffs, to
the rupiah. If a number here changes, docs/fees.md changes with it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from fees.interest import add_months, late_interest
from fees.selectors import levy_policy_on, region_local_date
from fees.services import assessment_draft
from tests.fees.specs import BOARD, HOUSE, SHOP_HOUSE

pytestmark = pytest.mark.django_db

# A working morning in March: the demo versions start on 1 January of the frozen year.
FROZEN = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def frozen_demo(btg, plg):
    from fees.demo import seed_fees

    with time_machine.travel(FROZEN, tick=False):
        seed_fees()
        yield {"BTG": btg, "PLG": plg}


def step(draft, key):
    return next(s for s in draft["steps"] if s["key"] == key)


def test_example_1_a_two_floor_house_of_150_m2_in_bontang(frozen_demo):
    draft = assessment_draft(region=frozen_demo["BTG"], tariff_code="PBG", inputs=HOUSE)
    assert step(draft, "classification")["result"] == "1.245"  # 0,3×1 + 0,2×2 + 0,5×1,090
    assert step(draft, "integrated")["result"] == "0.21165"  # 0,17 × 1,245 × 1
    assert step(draft, "building")["result"] == "1166720.625"  # 150 × 0,005 × 7 350 000 × It × 1
    assert step(draft, "building")["amount"] == "1166721"
    assert step(draft, "infrastructure.0")["amount"] == "600000"  # 40 m × 1 × 1 × 15 000
    assert draft["total"] == "1766721"
    assert draft["total_in_words"] == (
        "satu juta tujuh ratus enam puluh enam ribu tujuh ratus dua puluh satu rupiah"
    )


def test_example_2_a_four_floor_shop_house_in_palembang(frozen_demo):
    draft = assessment_draft(region=frozen_demo["PLG"], tariff_code="PBG", inputs=SHOP_HOUSE)
    assert step(draft, "classification")["result"] == "1.5675"  # 0,3×2 + 0,2×2 + 0,5×1,135
    assert step(draft, "integrated")["result"] == "1.09725"  # 0,70 × 1,5675 × 1
    assert step(draft, "building")["result"] == "8637552"  # 320 × 0,004 × 6 150 000 × It × 1
    assert step(draft, "infrastructure.0")["amount"] == "600000"  # 60 m² × 1 × 1 × 10 000
    assert draft["total"] == "9237552"
    assert draft["total_in_words"] == (
        "sembilan juta dua ratus tiga puluh tujuh ribu lima ratus lima puluh dua rupiah"
    )


def test_example_3_an_advertising_board_3_by_2_m_for_90_days_in_zone_a(frozen_demo):
    draft = assessment_draft(region=frozen_demo["BTG"], tariff_code="REKLAME", inputs=BOARD)
    assert step(draft, "units")["result"] == "540"  # 3 × 2 × 90 m²·hari
    assert step(draft, "rate")["result"] == "2500"
    assert draft["total"] == "1350000"
    assert draft["total_in_words"] == "satu juta tiga ratus lima puluh ribu rupiah"


def test_example_4_the_house_paid_two_months_and_three_days_late(frozen_demo):
    btg = frozen_demo["BTG"]
    with time_machine.travel(FROZEN, tick=False):
        draft = assessment_draft(region=btg, tariff_code="PBG", inputs=HOUSE)
        issued = region_local_date(btg)
        policy = levy_policy_on(region=btg, day=issued)
    due = issued + timedelta(days=policy.payment_due_days)
    paid_on = add_months(due, 2) + timedelta(days=3)
    # as written in docs/fees.md: issued 10 March, due 9 April, paid 12 June
    assert (issued.isoformat(), due.isoformat(), paid_on.isoformat()) == (
        "2026-03-10",
        "2026-04-09",
        "2026-06-12",
    )
    result = late_interest(
        principal=int(draft["total"]),
        due_date=due,
        paid_on=paid_on,
        monthly_rate_percent=policy.interest_rate_percent,
        max_months=policy.interest_max_months,
        partial_month_counts_as_full=policy.partial_month_counts_as_full,
    )
    assert result.lateness.months_charged == 3  # 2 months and a started third
    assert result.interest == 53_002  # 1 766 721 × 1 % × 3 = 53 001,63
    assert result.total == 1_819_723
