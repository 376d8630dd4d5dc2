"""Issue 17: the treasurer reconciles the bank's settlement file against the payments we
recorded, and the treasurer and the monitor read the revenue per day and month by account code
and permit type (CSV too), for their own region only. Dates are computed from now."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from fees.models import Bill, Payment, SettlementImport, SettlementLine
from fees.reconciliation import settlement_import
from fees.reports import revenue
from fees.selectors import region_local_date
from fees.simulator import SettlementRow, write_settlement
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.fees.h2h_calls import pay
from tests.journeys import applicant, demo_type, draft, recommend, route, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BANK = "BANKKALTIMTARA"
TREASURER = "bendahara.btg@ptsp.local"


def _billed():
    return recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))


def _paid(receipt):
    application = _billed()
    bill = application.bills.get()
    reply = pay(Client(), bill.billing_code, int(bill.total), receipt=receipt)
    assert reply["response_code"] == "00", reply
    return Payment.objects.get(receipt_number=receipt)


def _row(payment=None, *, receipt=None, code=None, amount=None, day=None, status="PAID"):
    return SettlementRow(
        settlement_date=day or region_local_date(payment.bill.region, payment.paid_at),
        bank_id=BANK,
        receipt_number=receipt or payment.receipt_number,
        billing_code=code or payment.bill.billing_code,
        amount=amount if amount is not None else int(payment.amount),
        paid_at=payment.paid_at.isoformat() if payment else "",
        channel="TELLER",
        status=status,
    )


def _csv(text, name="settlement.csv"):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, "text/csv")


@pytest.fixture
def treasurer(demo):
    return User.objects.get(email=TREASURER)


@pytest.fixture
def two_paid(demo):
    return _paid("BANKKA-R1"), _paid("BANKKA-R2")


def test_every_difference_is_listed(treasurer, two_paid):
    first, _second = two_paid
    day = region_local_date(first.bill.region, first.paid_at)
    other = _billed().bills.get()  # unpaid here; the bank took the money, no answer came
    rows = [
        _row(first),
        SettlementRow(
            day,
            BANK,
            "BANKKA-LOST",
            other.billing_code,
            int(other.total),
            first.paid_at.isoformat(),
            "ATM",
            "UNCONFIRMED",
        ),
    ]
    batch = settlement_import(
        actor=treasurer, region=first.bill.region, bank_id=BANK, upload=_csv(write_settlement(rows))
    )
    outcomes = {line.receipt_number: line.outcome for line in batch.lines.all()}
    assert outcomes == {
        "BANKKA-R1": SettlementLine.Outcome.MATCHED,
        "BANKKA-LOST": SettlementLine.Outcome.MISSING_HERE,
        "BANKKA-R2": SettlementLine.Outcome.MISSING_IN_FILE,  # paid here that day, not in file
    }
    assert batch.row_count == 2 and batch.matched == 1 and batch.differences == 2
    assert batch.first_day == batch.last_day == day
    lost = batch.lines.get(receipt_number="BANKKA-LOST")
    assert lost.bank_status == "UNCONFIRMED" and lost.line_number in (2, 3) and not lost.payment


def test_an_amount_or_a_billing_code_that_differs(treasurer, two_paid):
    first, second = two_paid
    rows = [
        _row(first, amount=int(first.amount) - 1000),
        _row(second, code=first.bill.billing_code),
    ]
    batch = settlement_import(
        actor=treasurer, region=first.bill.region, bank_id=BANK, upload=_csv(write_settlement(rows))
    )
    found = {line.receipt_number: line for line in batch.lines.all()}
    assert found["BANKKA-R1"].outcome == SettlementLine.Outcome.AMOUNT_MISMATCH
    assert found["BANKKA-R1"].recorded_amount == first.amount
    assert found["BANKKA-R1"].amount == first.amount - 1000
    assert found["BANKKA-R2"].outcome == SettlementLine.Outcome.BILL_MISMATCH


def test_a_payment_of_another_day_is_not_missing_from_the_file(treasurer, two_paid):
    first, _second = two_paid
    day = region_local_date(first.bill.region) - timedelta(days=3)
    rows = [_row(first, receipt="BANKKA-OLD", day=day)]
    batch = settlement_import(
        actor=treasurer, region=first.bill.region, bank_id=BANK, upload=_csv(write_settlement(rows))
    )
    assert [x.outcome for x in batch.lines.all()] == [SettlementLine.Outcome.MISSING_HERE]


@pytest.mark.parametrize(
    "content, message",
    [
        ("date,bank,receipt\r\n2026-01-01,X,Y\r\n", "line 1"),  # wrong columns
        ("bad amount", "whole rupiah"),
        ("bad date", "YYYY-MM-DD"),
        ("other bank", "BANKSUMSELBABEL"),
        ("twice", "twice"),
        ("empty", "no payments"),
        (b"\xff\xfe\x00n\x00o", "UTF-8"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_stored(
    treasurer, two_paid, content, message
):
    first, _second = two_paid
    good = _row(first)
    if content == "bad amount":
        content = write_settlement([good]).replace(f",{int(first.amount)},", ",12.500,")
    elif content == "bad date":
        content = write_settlement([good]).replace(good.settlement_date.isoformat(), "1/2/2026")
    elif content == "other bank":
        content = write_settlement([good]).replace(f",{BANK},", ",BANKSUMSELBABEL,")
    elif content == "twice":
        content = write_settlement([good, good])
    elif content == "empty":
        content = write_settlement([])
    with pytest.raises(DomainError, match=message):
        settlement_import(
            actor=treasurer, region=first.bill.region, bank_id=BANK, upload=_csv(content)
        )
    assert not SettlementImport.objects.exists() and not SettlementLine.objects.exists()


def test_a_bank_of_another_region_the_same_file_twice_and_someone_else(treasurer, two_paid):
    first, _second = two_paid
    text = write_settlement([_row(first)])
    region = first.bill.region
    with pytest.raises(DomainError, match="region's banks"):
        settlement_import(
            actor=treasurer, region=region, bank_id="BANKSUMSELBABEL", upload=_csv(text)
        )
    with pytest.raises(NotAllowed):
        settlement_import(
            actor=User.objects.get(email="monitor.btg@ptsp.local"),
            region=region,
            bank_id=BANK,
            upload=_csv(text),
        )
    assert not SettlementImport.objects.exists()
    settlement_import(actor=treasurer, region=region, bank_id=BANK, upload=_csv(text))
    with pytest.raises(Conflict):
        settlement_import(actor=treasurer, region=region, bank_id=BANK, upload=_csv(text))
    assert SettlementImport.objects.count() == 1


def test_the_treasurers_page_imports_and_lists_the_differences(treasurer, two_paid, login):
    first, _second = two_paid
    client = login(TREASURER)
    assert client.get(reverse("fees:settlements")).status_code == 200
    bad = client.post(
        reverse("fees:settlements"),
        {"bank": BANK, "file": _csv("a,b\r\n1,2\r\n")},
        follow=True,
    )
    assert "line 1" in bad.content.decode() and not SettlementImport.objects.exists()
    done = client.post(
        reverse("fees:settlements"),
        {"bank": BANK, "file": _csv(write_settlement([_row(first)]))},
        follow=True,
    )
    html = done.content.decode()
    assert SettlementImport.objects.count() == 1
    assert 'id="differences"' in html and "BANKKA-R2" in html


def test_revenue_per_day_and_month_by_account_code_and_permit_type(two_paid, login):
    first, second = two_paid
    region = first.bill.region
    today = region_local_date(region)
    rows = revenue(region=region, first_day=today, last_day=today)
    expected: dict[str, Decimal] = {}
    for payment in (first, second):
        for line in payment.bill.lines:
            code = line["account_code"]
            expected[code] = expected.get(code, Decimal(0)) + Decimal(line["amount"])
    assert {r.account_code: r.amount for r in rows} == expected
    assert all(r.period == today.isoformat() and r.permit_type.startswith("PBG") for r in rows)
    assert sum(r.amount for r in rows) == first.amount + second.amount
    monthly = revenue(region=region, first_day=today.replace(day=1), last_day=today, by="month")
    assert {r.period for r in monthly} == {today.strftime("%Y-%m")}
    assert not revenue(
        region=region, first_day=today - timedelta(days=9), last_day=today - timedelta(days=1)
    )
    # The CSV, for the treasurer and the monitor of Bontang; Palembang's monitor sees its own.
    for email in (TREASURER, "monitor.btg@ptsp.local"):
        response = login(email).get(reverse("fees:revenue_csv"), {"by": "month"})
        table = list(csv.reader(io.StringIO(response.content.decode())))
        assert table[0] == ["period", "account_code", "kind", "permit_type", "payments", "amount"]
        assert {r[2] for r in table[1:]} == {"levy"}
        assert sum(Decimal(r[5]) for r in table[1:]) == first.amount + second.amount
    page = login("monitor.btg@ptsp.local").get(reverse("fees:revenue"))
    assert page.status_code == 200 and 'id="revenue"' in page.content.decode()
    plg = Client()
    plg.force_login(User.objects.get(email="monitor.plg@ptsp.local"))
    table = list(csv.reader(io.StringIO(plg.get(reverse("fees:revenue_csv")).content.decode())))
    assert table[1:] == []
    other = plg.get(reverse("fees:revenue_csv"), {"region": "BTG"})
    assert list(csv.reader(io.StringIO(other.content.decode())))[1:] == []


def _paid_late(receipt: str, *, interest_account: str):
    """A billed file whose SKRD fell due three days ago (the region's levy policy naming
    `interest_account` for late interest), paid at the bank with the interest."""
    from fees.cases import bill_amount_due
    from fees.interest import add_months
    from fees.models import Bill, LevyPolicy

    application = _billed()
    region = application.region
    today = region_local_date(region)
    LevyPolicy.objects.filter(region=region).update(
        valid_from=add_months(today, -60), interest_account_code=interest_account
    )
    Bill.objects.filter(application=application).update(
        due_date=today - timedelta(days=3), expires_on=today + timedelta(days=60)
    )
    bill = application.bills.get()
    due = bill_amount_due(bill, today)
    assert due > bill.total
    assert pay(Client(), bill.billing_code, due, receipt=receipt)["response_code"] == "00"
    return bill, due


def test_late_interest_counts_under_the_policys_interest_account(demo, login):
    from fees.models import LevyPolicy

    bill, due = _paid_late("BANKKA-LATE", interest_account="4.1.04.16.01.0001")
    region = bill.region
    today = region_local_date(region)
    payment = bill.payments.get()
    assert payment.interest_account_code == "4.1.04.16.01.0001"
    rows = revenue(region=region, first_day=today, last_day=today)
    interest = [r for r in rows if r.interest]
    assert [(r.account_code, r.amount) for r in interest] == [
        ("4.1.04.16.01.0001", due - bill.total)
    ]
    assert sum(r.amount for r in rows if not r.interest) == bill.total
    # A later change of the policy's account does not move what was booked.
    LevyPolicy.objects.filter(region=region).update(interest_account_code="4.1.04.99")
    again = [r for r in revenue(region=region, first_day=today, last_day=today) if r.interest]
    assert [r.account_code for r in again] == ["4.1.04.16.01.0001"]
    page = login(TREASURER).get(reverse("fees:revenue")).content.decode()
    assert "4.1.04.16.01.0001 (late interest)" in page
    table = list(
        csv.reader(io.StringIO(login(TREASURER).get(reverse("fees:revenue_csv")).content.decode()))
    )
    assert ["4.1.04.16.01.0001", "interest"] in [r[1:3] for r in table[1:]]


def test_late_interest_with_no_account_in_the_policy_shows_as_unassigned(demo, login):
    bill, due = _paid_late("BANKKA-LATE2", interest_account="")
    today = region_local_date(bill.region)
    interest = [
        r for r in revenue(region=bill.region, first_day=today, last_day=today) if r.interest
    ]
    assert [(r.account_code, r.amount) for r in interest] == [("", due - bill.total)]
    page = login(TREASURER).get(reverse("fees:revenue")).content.decode()
    assert "late interest (no account code in the levy policy)" in page


def test_a_payment_on_time_books_no_interest_account(two_paid):
    assert {p.interest_account_code for p in two_paid} == {""}


# --- recording a payment the bank lists and we do not (a `missing_here` finding) ------------


def _lost_payment(treasurer, *, amount=None, receipt="BANKKA-LOST", code=None, paid_at=None):
    """A billed file whose payment the bank took (UNCONFIRMED: no answer reached it) and never
    posted again; the treasurer imports the bank's file listing it."""
    other = _billed()
    bill = other.bills.get()
    when = paid_at or timezone.now()
    row = SettlementRow(
        region_local_date(bill.region, when),
        BANK,
        receipt,
        code or bill.billing_code,
        int(bill.total) if amount is None else amount,
        when.isoformat(),
        "ATM",
        "UNCONFIRMED",
    )
    batch = settlement_import(
        actor=treasurer, region=bill.region, bank_id=BANK, upload=_csv(write_settlement([row]))
    )
    return bill, batch.lines.get(receipt_number=receipt)


def _unchanged(bill, line):
    bill.refresh_from_db()
    line.refresh_from_db()
    return (
        bill.status == Bill.Status.UNPAID
        and not bill.payments.exists()
        and line.payment_id is None
        and line.recorded_by_id is None
    )


def test_the_treasurer_records_a_lost_payment_from_the_file(treasurer, login, english):
    from applications.models import Status

    bill, line = _lost_payment(treasurer)
    client = login(TREASURER)
    page = client.get(reverse("fees:settlement", args=[line.settlement_id])).content.decode()
    assert "Record this payment" in page
    url = reverse("fees:settlement_line_record", args=[line.settlement_id, line.pk])
    answer = client.post(url, follow=True)
    assert "The payment is recorded" in answer.content.decode()
    bill.refresh_from_db()
    line.refresh_from_db()
    payment = bill.payments.get()
    assert bill.status == Bill.Status.PAID and bill.application.status == Status.RECOMMENDED
    assert (payment.bank_id, payment.receipt_number, payment.method) == (BANK, "BANKKA-LOST", "h2h")
    assert payment.amount == bill.total and payment.confirmed_by == treasurer
    assert line.payment == payment and line.recorded_by == treasurer and line.recorded_at
    assert "recorded from the file by" in answer.content.decode()
    # Twice: refused, nothing more.
    again = client.post(url, follow=True).content.decode()
    assert "recorded already" in again and Payment.objects.filter(bill=bill).count() == 1
    # The bank's own late post of the same receipt is answered as a repeat, not paid twice.
    reply = pay(Client(), bill.billing_code, int(bill.total), receipt="BANKKA-LOST")
    assert reply["response_code"] in ("00", "88") and Payment.objects.filter(bill=bill).count() == 1


def test_when_the_banks_post_arrived_since_the_import_the_finding_is_only_linked(treasurer):
    from fees.reconciliation import settlement_line_record

    bill, line = _lost_payment(treasurer)
    assert (
        pay(Client(), bill.billing_code, int(bill.total), receipt="BANKKA-LOST")["response_code"]
        == "00"
    )
    result = settlement_line_record(line_id=line.pk, actor=treasurer)
    line.refresh_from_db()
    assert not result.new and line.payment == result.payment
    assert Payment.objects.filter(bill=bill).count() == 1 and line.recorded_by_id is None


@pytest.mark.parametrize(
    "case, message",
    [
        ("amount", "the bill cost"),
        ("unknown bill", "No bill of"),
        ("paid by another", "paid already by another payment"),
        ("other treasurer", "You may not do this"),
        ("matched line", "Only a payment the bank lists"),
    ],
)
def test_a_payment_that_cannot_be_recorded_is_refused_and_nothing_changes(
    treasurer, two_paid, case, message, english
):
    from fees.reconciliation import settlement_line_record

    actor = treasurer
    if case == "amount":
        bill, line = _lost_payment(treasurer, amount=1000)
    elif case == "unknown bill":
        bill, line = _lost_payment(treasurer, code="64749999999999")
    elif case == "paid by another":
        bill, line = _lost_payment(treasurer)
        assert (
            pay(Client(), bill.billing_code, int(bill.total), receipt="BANKKA-OTHER")[
                "response_code"
            ]
            == "00"
        )
    elif case == "other treasurer":
        bill, line = _lost_payment(treasurer)
        actor = User.objects.get(email="verifikator.btg@ptsp.local")
    else:
        first, _second = two_paid
        batch = settlement_import(
            actor=treasurer,
            region=first.bill.region,
            bank_id=BANK,
            upload=_csv(write_settlement([_row(first)])),
        )
        line = batch.lines.get(receipt_number=first.receipt_number)
        bill = first.bill
    payments_before = Payment.objects.count()
    with pytest.raises(DomainError) as refused:
        settlement_line_record(line_id=line.pk, actor=actor)
    assert message in str(refused.value.message)
    assert Payment.objects.count() == payments_before
    line.refresh_from_db()
    assert line.recorded_by_id is None
    if case in ("amount", "other treasurer"):
        assert _unchanged(bill, line)
