"""Issue 17, phase 2: an application withdrawn while it waits for payment. The withdrawal is in
the workflow's table (awaiting_payment → withdrawn, the applicant); the unpaid SKRD is cancelled
in the same transaction (fees listens to the event), and from then on the bank is told `14` for
its billing code and no proof of it is taken. Bad inputs change nothing."""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from accounts.models import User
from applications.models import Status
from applications.services.filing import application_withdraw
from fees.cases import proof_confirm, proof_upload
from fees.models import Bill, Payment, PaymentProof
from fees.selectors import region_local_date
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.fees.h2h_calls import INQUIRY, call, pay
from tests.journeys import PDF, applicant, demo_type, draft, recommend, route, submit, upload

TREASURER = "bendahara.btg@ptsp.local"


def _billed():
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    return application


@pytest.fixture
def billed(demo):
    return _billed()


def _proof(application):
    return proof_upload(
        application_id=application.pk,
        actor=application.applicant,
        upload=upload("bukti.pdf", PDF, "application/pdf"),
        paid_on=region_local_date(application.region),
    )


@pytest.mark.django_db
def test_withdrawn_while_awaiting_payment_cancels_the_bill_and_the_bank_is_told_14(billed):
    bill = billed.bills.first()
    client = Client()
    assert call(client, INQUIRY, {"billing_code": bill.billing_code})["response_code"] == "00"
    application_withdraw(application_id=billed.pk, actor=billed.applicant, reason="Batal bangun")
    billed.refresh_from_db()
    bill.refresh_from_db()
    assert billed.status == Status.WITHDRAWN and billed.closed_at is not None
    assert bill.status == Bill.Status.CANCELLED
    event = billed.events.get(action="withdraw")
    assert (event.from_status, event.to_status) == (Status.AWAITING_PAYMENT, Status.WITHDRAWN)
    inquiry = call(client, INQUIRY, {"billing_code": bill.billing_code})
    assert inquiry["response_code"] == "14" and inquiry["http"] == 200
    assert pay(client, bill.billing_code, int(bill.total))["response_code"] == "14"
    assert not Payment.objects.exists()
    with pytest.raises(Conflict):
        _proof(billed)
    assert not PaymentProof.objects.exists()


@pytest.mark.django_db
def test_a_proof_waiting_when_the_file_is_withdrawn_cannot_be_confirmed(billed):
    proof = _proof(billed)
    application_withdraw(application_id=billed.pk, actor=billed.applicant, reason="Batal")
    with pytest.raises(Conflict) as caught:
        proof_confirm(proof_id=proof.pk, actor=User.objects.get(email=TREASURER))
    assert caught.value.code == "bill_cancelled"
    proof.refresh_from_db()
    assert proof.status == PaymentProof.Status.PENDING
    assert not Payment.objects.exists()
    assert Bill.objects.get(pk=billed.bills.first().pk).status == Bill.Status.CANCELLED


@pytest.mark.django_db
def test_bad_withdrawals_change_nothing(billed):
    bill = billed.bills.first()
    with pytest.raises(DomainError) as caught:
        application_withdraw(application_id=billed.pk, actor=billed.applicant, reason="  ")
    assert caught.value.code == "reason_required"
    with pytest.raises(NotAllowed):  # not the owner
        application_withdraw(
            application_id=billed.pk, actor=User.objects.get(email=TREASURER), reason="x"
        )
    billed.refresh_from_db()
    bill.refresh_from_db()
    assert billed.status == Status.AWAITING_PAYMENT and bill.status == Bill.Status.UNPAID


@pytest.mark.django_db
def test_a_paid_file_is_no_longer_withdrawn_and_its_payment_stands(billed):
    bill = billed.bills.first()
    assert pay(Client(), bill.billing_code, int(bill.total))["response_code"] == "00"
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED
    with pytest.raises(Conflict):
        application_withdraw(application_id=billed.pk, actor=billed.applicant, reason="Batal")
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID and Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_meeting_a_payment_in_progress_is_refused_not_deadlocked(demo):
    """The bank's payment holds the bill's row (and then waits for the application's): the
    withdrawal, holding the application's row, does not wait for the bill's — it is refused with
    a clear message, nothing changes, and the payment can go through."""
    application = _billed()
    bill = application.bills.first()
    locked, release = threading.Event(), threading.Event()

    def bank_holds_the_bill():
        try:
            with transaction.atomic():
                Bill.objects.select_for_update(no_key=True).get(pk=bill.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=bank_holds_the_bill)
    holder.start()
    try:
        assert locked.wait(30)
        with pytest.raises(Conflict) as caught:
            application_withdraw(
                application_id=application.pk, actor=application.applicant, reason="Batal"
            )
        assert caught.value.code == "bill_payment_in_progress"
    finally:
        release.set()
        holder.join(30)
    application.refresh_from_db()
    bill.refresh_from_db()
    assert application.status == Status.AWAITING_PAYMENT and bill.status == Bill.Status.UNPAID
    assert pay(Client(), bill.billing_code, int(bill.total))["response_code"] == "00"


@pytest.mark.django_db
def test_the_applicants_page_offers_the_withdrawal_while_awaiting_payment(billed, login):
    from django.urls import reverse

    client = login(billed.applicant.email)
    page = client.get(reverse("applications:detail", args=[billed.pk]))
    assert reverse("applications:withdraw", args=[billed.pk]) in page.content.decode()
    empty = client.post(reverse("applications:withdraw", args=[billed.pk]), {"reason": ""})
    assert empty.status_code == 302
    assert Bill.objects.get(pk=billed.bills.first().pk).status == Bill.Status.UNPAID
    done = client.post(reverse("applications:withdraw", args=[billed.pk]), {"reason": "Batal"})
    assert done.status_code == 302
    billed.refresh_from_db()
    assert billed.status == Status.WITHDRAWN
    assert Bill.objects.get(pk=billed.bills.first().pk).status == Bill.Status.CANCELLED
    bill_page = client.get(reverse("fees:bill", args=[billed.pk]))
    assert bill_page.status_code == 200
    assert reverse("fees:proof_new", args=[billed.pk]) not in bill_page.content.decode()
