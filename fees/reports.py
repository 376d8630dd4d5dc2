"""Revenue reports (docs/fees.md §11): the levy received per day or per month, by revenue
account code (*kode rekening*, from the SKRD's lines) and permit type, for one region, on the
treasurer's and the monitor's page and as CSV. A payment counts on the region's local day of
its `paid_at`; its SKRD lines count under their account codes, and late interest (what was
paid above the SKRD's total) under the interest account the payment was booked to (the levy
policy's `interest_account_code`, kept on the payment), marked as interest; a payment made
while the policy named none shows as interest with no account. Reads only; the views scope by
region."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from agencies.models import Role
from agencies.selectors import agencies_of
from fees.models import Payment
from fees.selectors import region_local_date

REPORT_ROLES = (Role.TREASURER, Role.MONITOR)


@dataclass(frozen=True)
class RevenueRow:
    period: str  # YYYY-MM-DD or YYYY-MM
    account_code: str
    permit_type: str
    payments: int
    amount: Decimal
    interest: bool = False  # late interest, not the SKRD's lines


def report_regions(user):
    """The regions whose revenue `user` may see: where they are treasurer or monitor."""
    regions = {}
    for role in REPORT_ROLES:
        for agency in agencies_of(user, role):
            regions[agency.region_id] = agency.region
    return sorted(regions.values(), key=lambda r: r.name)


def revenue(*, region, first_day: date, last_day: date, by: str = "day") -> list[RevenueRow]:
    """Receipts of `region` paid from `first_day` to `last_day` (the region's local days, both
    included), summed per period (`by`: "day" or "month"), account code and permit type."""
    zone = ZoneInfo(region.timezone)
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    payments = Payment.objects.filter(
        bill__region=region, paid_at__gte=start, paid_at__lt=end
    ).select_related("bill", "bill__application__permit_type")
    sums: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for payment in payments:
        day = region_local_date(region, payment.paid_at)
        period = day.isoformat() if by == "day" else day.strftime("%Y-%m")
        bill = payment.bill
        ptype = bill.application.permit_type
        type_name = f"{ptype.code} — {ptype.name}"
        for line in bill.lines:
            key = (period, False, line["account_code"], type_name)
            sums[key][0] += 1
            sums[key][1] += Decimal(line["amount"])
        interest = Decimal(payment.amount) - Decimal(bill.total)
        if interest > 0:
            key = (period, True, payment.interest_account_code, type_name)
            sums[key][0] += 1
            sums[key][1] += interest
    return [
        RevenueRow(
            period=k[0],
            interest=k[1],
            account_code=k[2],
            permit_type=k[3],
            payments=v[0],
            amount=v[1],
        )
        for k, v in sorted(sums.items())
    ]
