"""Contract tests of the H2H receiver with the bank simulator over real HTTP (a live server),
and two payments racing for one bill: one is recorded, the other answered 88; the same
receipt posted twice at once is recorded once."""

import threading

import pytest
from django.db import connection

from applications.models import Status
from fees.models import Bill, Payment
from fees.simulator import BankSimulator
from tests.journeys import applicant, demo_type, draft, recommend, route, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def billed(demo):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    return application


@pytest.fixture
def bank(live_server):
    with BankSimulator(
        target=f"{live_server.url}/api/h2h/v1", timezone="Asia/Makassar"
    ) as simulator:
        yield simulator


def test_the_simulators_teller_pays_a_real_skrd(billed, bank):
    bill = billed.bills.first()
    answer = bank.inquiry(bill.billing_code, bank_id="BANKKALTIMTARA")
    assert answer.code == "00" and answer.body["amount"] == int(bill.total)
    assert answer.body["bill_number"] == bill.number
    assert bank.inquiry(bill.billing_code, bank_id="BANKSUMSELBABEL").code == "14"
    bank.set_fault("wrong_amount")
    refused = bank.pay(bill.billing_code, bank_id="BANKKALTIMTARA")
    assert refused.response_code == "13"
    assert not Payment.objects.exists()
    bank.set_fault("duplicate")
    paid = bank.pay(bill.billing_code, bank_id="BANKKALTIMTARA")
    assert paid.response_code == "00" and paid.status == "PAID"
    assert [r["body"]["response_code"] for r in paid.replies] == ["00", "00"]
    assert Payment.objects.get().receipt_number == paid.receipt_number
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED
    assert bank.inquiry(bill.billing_code, bank_id="BANKKALTIMTARA").code == "88"


def test_two_payments_racing_for_one_bill(billed, bank):
    bill = billed.bills.first()
    client = bank.client("BANKKALTIMTARA")
    barrier = threading.Barrier(2)
    answers = []

    def post(receipt):
        barrier.wait()
        reply = client.payment(
            billing_code=bill.billing_code, amount=int(bill.total), receipt_number=receipt
        )
        answers.append(reply.code)

    threads = [threading.Thread(target=post, args=(f"RACE{n:016d}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == ["00", "88"]
    assert Payment.objects.filter(bill=bill).count() == 1
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PAID
    assert billed.events.filter(action="payment_confirmed").count() == 1
    connection.close()


def test_the_same_receipt_posted_twice_at_once_is_recorded_once(billed, bank):
    """The bank's retry racing its first post (same receipt): the bill's row lock puts one after
    the other, and the second reads the first's payment — `00` duplicate, or `91` (retry) if it
    met the first at the receipt's unique index; never two payments."""
    bill = billed.bills.first()
    client = bank.client("BANKKALTIMTARA")
    barrier = threading.Barrier(2)
    answers = []

    def post():
        barrier.wait()
        reply = client.payment(
            billing_code=bill.billing_code, amount=int(bill.total), receipt_number="SAME0000000001"
        )
        answers.append((reply.code, bool(reply.body.get("duplicate"))))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) in ([("00", False), ("00", True)], [("00", False), ("91", False)])
    assert Payment.objects.filter(bill=bill).count() == 1
    retry = client.payment(
        billing_code=bill.billing_code, amount=int(bill.total), receipt_number="SAME0000000001"
    )
    assert retry.code == "00" and retry.body["duplicate"] is True
    assert billed.events.filter(action="payment_confirmed").count() == 1
    print(f"\nsame receipt racing: {sorted(answers)}")
    connection.close()
