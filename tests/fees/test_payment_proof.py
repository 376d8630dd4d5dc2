"""Issue 17, phase 2, step 5: a manual proof of payment, confirmed or refused (with a reason)
by the region's treasurer (bendahara penerimaan, a DPMPTSP role)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from applications.models import Status
from fees.cases import proof_confirm, proof_refuse, proof_upload
from fees.models import Bill, Payment, PaymentProof
from fees.selectors import region_local_date
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.fees.h2h_calls import pay
from tests.journeys import EXE, PDF, applicant, demo_type, draft, recommend, route, submit, upload

pytestmark = pytest.mark.django_db

TREASURER = "bendahara.btg@ptsp.local"


@pytest.fixture
def billed(demo):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    return application


def _today(application):
    return region_local_date(application.region)


def _upload(application, data=PDF, name="bukti.pdf", kind="application/pdf", **kwargs):
    return proof_upload(
        application_id=application.pk,
        actor=kwargs.pop("actor", application.applicant),
        upload=upload(name, data, kind),
        paid_on=kwargs.pop("paid_on", _today(application)),
        **kwargs,
    )


def test_the_treasurer_confirms_and_the_file_goes_to_the_signer(billed):
    proof = _upload(billed)
    assert proof.status == PaymentProof.Status.PENDING
    treasurer = User.objects.get(email=TREASURER)
    proof_confirm(proof_id=proof.pk, actor=treasurer)
    billed.refresh_from_db()
    bill = billed.bills.first()
    assert bill.status == Bill.Status.PAID
    assert billed.status == Status.RECOMMENDED
    payment = Payment.objects.get(bill=bill)
    assert payment.method == "manual" and payment.amount == bill.total
    assert payment.confirmed_by == treasurer
    event = billed.events.get(action="payment_confirmed")
    assert event.actor == treasurer


def test_a_refusal_needs_a_reason_and_tells_the_applicant(billed):
    proof = _upload(billed)
    treasurer = User.objects.get(email=TREASURER)
    with pytest.raises(DomainError):
        proof_refuse(proof_id=proof.pk, actor=treasurer, reason="  ")
    proof.refresh_from_db()
    assert proof.status == PaymentProof.Status.PENDING
    proof_refuse(proof_id=proof.pk, actor=treasurer, reason="Nominal pada bukti tidak sesuai")
    proof.refresh_from_db()
    assert proof.status == PaymentProof.Status.REFUSED
    assert billed.applicant.notifications.filter(kind="payment_proof_refused").exists()
    billed.refresh_from_db()
    assert billed.status == Status.AWAITING_PAYMENT and billed.bills.first().status == "unpaid"
    # A new proof may follow a refused one.
    assert _upload(billed).status == PaymentProof.Status.PENDING


def test_bad_proofs_change_nothing(billed):
    with pytest.raises(DomainError):
        _upload(billed, data=EXE, name="x.pdf")
    with pytest.raises(DomainError):
        _upload(billed, paid_on=_today(billed) + timedelta(days=2))
    with pytest.raises(DomainError):
        _upload(billed, paid_on=None)
    with pytest.raises(NotAllowed):
        _upload(billed, actor=User.objects.get(email="siti.rahma@example.id"))
    assert not PaymentProof.objects.exists()
    _upload(billed)
    with pytest.raises(Conflict):
        _upload(billed)  # one proof waits at a time
    assert PaymentProof.objects.count() == 1


def test_a_proof_of_a_paid_bill_is_refused(billed, client):
    from django.test import Client

    bill = billed.bills.first()
    assert pay(Client(), bill.billing_code, int(bill.total))["response_code"] == "00"
    with pytest.raises(Conflict) as caught:
        _upload(billed)
    assert caught.value.code == "bill_not_unpaid"
    assert not PaymentProof.objects.exists()


def test_a_proof_the_bank_overtook_cannot_be_confirmed(billed):
    from django.test import Client

    proof = _upload(billed)
    bill = billed.bills.first()
    assert pay(Client(), bill.billing_code, int(bill.total))["response_code"] == "00"
    with pytest.raises(Conflict):
        proof_confirm(proof_id=proof.pk, actor=User.objects.get(email=TREASURER))
    assert Payment.objects.count() == 1


def test_only_the_regions_treasurer_decides(billed):
    proof = _upload(billed)
    for email in ("bendahara.plg@ptsp.local", "kepala.btg@ptsp.local", "monitor.btg@ptsp.local"):
        with pytest.raises(NotAllowed):
            proof_confirm(proof_id=proof.pk, actor=User.objects.get(email=email))
    proof.refresh_from_db()
    assert proof.status == PaymentProof.Status.PENDING
    treasurer = User.objects.get(email=TREASURER)
    proof_confirm(proof_id=proof.pk, actor=treasurer)
    with pytest.raises(Conflict):
        proof_confirm(proof_id=proof.pk, actor=treasurer)  # a second click
    assert Payment.objects.count() == 1


def test_the_web_pages(billed, login):
    client = login("budi.santoso@example.id")
    response = client.post(
        reverse("fees:proof_new", args=[billed.pk]),
        {"paid_on": _today(billed).isoformat(), "file": upload("bukti.pdf", PDF)},
    )
    assert response.status_code == 302
    proof = PaymentProof.objects.get()
    client.logout()
    client = login(TREASURER)
    queue = client.get(reverse("fees:proofs"))
    assert billed.bills.first().number in queue.content.decode()
    assert client.get(reverse("fees:proof", args=[proof.pk])).status_code == 200
    assert client.get(reverse("fees:proof_file", args=[proof.pk])).status_code == 200
    client.post(reverse("fees:proof_decide", args=[proof.pk]), {"decision": "refuse"})
    proof.refresh_from_db()
    assert proof.status == PaymentProof.Status.PENDING  # no reason: nothing changed
    client.post(reverse("fees:proof_decide", args=[proof.pk]), {"decision": "confirm"})
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED
