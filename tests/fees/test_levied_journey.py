"""Issue 17, phase 2: a PBG is assessed by PUPR, billed with an SKRD, paid at the bank, and
only then signed. The key safety rule: a levied file is never issued unpaid (web and API)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import Status
from fees.models import Assessment, Bill, Payment
from permits.models import Permit
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.fees.h2h_calls import INQUIRY, call, pay
from tests.journeys import (
    SIGNER,
    applicant,
    demo_type,
    draft,
    recommend,
    route,
    submit,
)

pytestmark = pytest.mark.django_db


def _routed_pbg():
    application = submit(draft(demo_type("BTG", "PBG"), applicant()))
    return route(application)


def _pupr_review(application):
    return application.reviews.select_related("assignee").get(agency__code="PUPR")


@pytest.fixture
def billed(demo):
    application = recommend(_routed_pbg())
    assert application.status == Status.AWAITING_PAYMENT
    return application


def _user(email):
    from accounts.models import User

    return User.objects.get(email=email)


def test_pupr_must_assess_before_recommending(demo):
    from applications.services.reviews import review_decide

    application = _routed_pbg()
    review = _pupr_review(application)
    with pytest.raises(DomainError) as caught:
        review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
    assert caught.value.code == "levy_not_assessed"
    review.refresh_from_db()
    assert review.status == "in_review"
    assert not Bill.objects.exists()


def test_a_correction_needs_its_reason_and_the_assessment_keeps_its_numbers(demo):
    from fees.cases import assessment_inputs_from, assessment_record
    from fees.models import TariffVersion

    application = _routed_pbg()
    review = _pupr_review(application)
    inputs = {**assessment_inputs_from(application), "floor_area_m2": "150", "floors": "2"}
    with pytest.raises(DomainError, match="floor_area_m2"):
        assessment_record(review_id=review.pk, actor=review.assignee, inputs=inputs)
    assert not Assessment.objects.exists()
    stored = assessment_record(
        review_id=review.pk, actor=review.assignee, inputs=inputs, reason="Diukur di lapangan"
    )
    assert {c["input"] for c in stored.corrections} == {"floor_area_m2", "floors"}
    total = stored.total
    # A later tariff change does not change the stored assessment.
    TariffVersion.objects.filter(pk=stored.tariff_version_id).update(shst=1)
    stored.refresh_from_db()
    assert stored.total == total and stored.draft["total"] == str(total)


def test_only_the_assessing_agencys_officer_assesses(demo):
    from fees.cases import assessment_inputs_from, assessment_record

    application = _routed_pbg()
    review = _pupr_review(application)
    with pytest.raises(NotAllowed):
        assessment_record(
            review_id=review.pk,
            actor=applicant(),
            inputs=assessment_inputs_from(application),
        )
    assert not Assessment.objects.exists()


def test_bad_inputs_are_refused_with_every_message_and_nothing_stored(demo):
    from fees.cases import assessment_inputs_from, assessment_record

    application = _routed_pbg()
    review = _pupr_review(application)
    inputs = {**assessment_inputs_from(application), "floor_area_m2": "-3"}
    with pytest.raises(DomainError):
        assessment_record(review_id=review.pk, actor=review.assignee, inputs=inputs, reason="x")
    assert not Assessment.objects.exists()


def test_the_skrd_is_issued_numbered_and_notified(billed):
    bill = billed.bills.first()
    assert bill.status == Bill.Status.UNPAID
    assert bill.number.startswith("973/0001/SKRD/BTG/")
    assert bill.total == billed.assessments.first().total > 0
    assert bill.lines and all(line["account_code"] for line in bill.lines)
    assert bill.total_in_words.endswith("rupiah")
    assert bill.due_date == bill.issued_on + timedelta(days=30)
    assert len(bill.billing_code) == 16 and bill.billing_code.startswith("6474")
    assert bill.payer.npwr.startswith("R.BTG.")
    assert billed.applicant.notifications.filter(kind="skrd_issued").exists()
    assert billed.due_at is None


def test_the_applicant_sees_the_bill_and_nobody_else(billed, login):
    client = login("budi.santoso@example.id")
    page = client.get(reverse("fees:bill", args=[billed.pk]))
    assert page.status_code == 200
    assert billed.bills.first().billing_code in page.content.decode()
    detail = client.get(reverse("applications:detail", args=[billed.pk]))
    assert reverse("fees:bill", args=[billed.pk]) in detail.content.decode()
    other = Client()
    other.force_login(_user("siti.rahma@example.id"))
    assert other.get(reverse("fees:bill", args=[billed.pk])).status_code == 404


def test_an_unpaid_pbg_cannot_be_signed_by_the_service_the_web_or_the_api(
    billed, signing_cert, login
):
    from permits.services.issuance import permit_issue

    signer = _user(SIGNER)
    with pytest.raises(Conflict):
        permit_issue(application_id=billed.pk, actor=signer)
    # Even if it were moved to `recommended` behind the workflow's back, the gate refuses.
    type(billed).objects.filter(pk=billed.pk).update(status=Status.RECOMMENDED)
    with pytest.raises(Conflict, match="belum dibayar"):  # "not paid", in Indonesian
        permit_issue(application_id=billed.pk, actor=signer)
    client = login(SIGNER)
    client.post(reverse("permits:sign", args=[billed.pk]))
    billed.refresh_from_db()
    assert billed.status == Status.RECOMMENDED
    assert not Permit.objects.filter(application=billed).exists()


def test_the_bank_pays_and_the_file_goes_to_the_signer(billed):
    client = Client()
    bill = billed.bills.first()
    reply = call(client, INQUIRY, {"billing_code": bill.billing_code})
    assert reply["response_code"] == "00" and reply["amount"] == int(bill.total)
    assert pay(client, bill.billing_code, int(bill.total) - 1)["response_code"] == "13"
    assert not Payment.objects.exists()
    assert pay(client, bill.billing_code, int(bill.total))["response_code"] == "00"
    again = pay(client, bill.billing_code, int(bill.total))
    assert again["response_code"] == "00" and again["duplicate"] is True
    assert (
        pay(client, bill.billing_code, int(bill.total), receipt="OTHER1")["response_code"] == "88"
    )
    assert Payment.objects.count() == 1
    billed.refresh_from_db()
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    assert billed.status == Status.RECOMMENDED and billed.due_at is not None
    assert call(client, INQUIRY, {"billing_code": bill.billing_code})["response_code"] == "88"


def test_bad_bank_requests_change_nothing(billed):
    client = Client()
    bill = billed.bills.first()
    amount = int(bill.total)
    assert pay(client, bill.billing_code, amount, secret="y" * 40)["response_code"] == "63"
    old = pay(client, bill.billing_code, amount, moment=_minutes_ago(10))
    assert old["response_code"] == "63" and old["http"] == 401
    assert pay(client, bill.billing_code, amount, bank="NOBANK")["response_code"] == "63"
    assert pay(client, "6474260000001235", amount)["response_code"] == "14"
    # Palembang's bank does not know Bontang's bills.
    assert pay(client, bill.billing_code, amount, bank="BANKSUMSELBABEL")["response_code"] == "14"
    assert call(client, INQUIRY, {}, raw=b"not json")["response_code"] == "30"
    assert not Payment.objects.exists()
    bill.refresh_from_db()
    assert bill.status == Bill.Status.UNPAID


def _minutes_ago(n):
    from django.utils import timezone

    return timezone.now() - timedelta(minutes=n)


def test_paid_then_signed_and_issued(billed, signing_cert, run_outbox):
    from permits.services.issuance import permit_issue
    from tests.journeys import pay_levy

    pay_levy(billed)
    permit = permit_issue(application_id=billed.pk, actor=_user(SIGNER))
    run_outbox()
    permit.refresh_from_db()
    billed.refresh_from_db()
    assert billed.status == Status.ISSUED and permit.status == "valid"


def test_the_skrd_pdf_is_rendered_and_signed(billed, signing_cert):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from fees.cases import skrd_render_and_sign

    assert (
        billed.bills.first().pdf_error
    )  # no certificate when it was billed: recorded, bill stands
    bill = skrd_render_and_sign(bill_id=billed.bills.first().pk)
    bill.refresh_from_db()
    assert not bill.pdf_error or bill.pdf
    assert bill.pdf and len(bill.pdf_sha256) == 64
    data = bill.pdf.open("rb").read()
    assert PdfFileReader(io.BytesIO(data)).embedded_signatures
    from fees.documents import skrd_html

    html = skrd_html(bill)
    assert bill.number in html and "NPWR" in html and bill.payer.npwr in html


def test_the_calculator_page_computes_without_saving_then_saves(demo, login):
    application = _routed_pbg()
    review = _pupr_review(application)
    client = login(review.assignee.email)
    url = reverse("fees:assessment", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="floor_area_m2"' in page.content.decode()
    form = {
        "floor_area_m2": "150",
        "floors": "2",
        "function": "hunian_tidak_sederhana",
        "complexity": "sederhana",
        "permanence": "permanen",
        "ownership": "perorangan",
        "activity": "baru",
        "infrastructure_0_item": "pagar",
        "infrastructure_0_volume": "40",
    }
    computed = client.post(url, {**form, "action": "compute"})
    text = computed.content.decode()
    assert computed.status_code == 200 and "0,21165" in text  # It, formatted the Indonesian way
    assert not Assessment.objects.exists()
    refused = client.post(url, {**form, "action": "save"})  # corrected without a reason
    assert refused.status_code == 200 and not Assessment.objects.exists()
    bad = client.post(url, {**form, "floor_area_m2": "abc", "action": "compute"})
    assert bad.status_code == 200 and "alert-error" in bad.content.decode()
    saved = client.post(url, {**form, "reason": "Diukur ulang di lapangan", "action": "save"})
    assert saved.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.total > 0 and assessment.correction_reason
    assert assessment.draft["inputs"]["floor_area_m2"] == "150"
