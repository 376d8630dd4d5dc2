"""Issue 17: the applicant's levy through the API — read the SKRD, download its signed PDF,
upload a proof of payment — through the same selector and service as the bill page; and the
bank's host-to-host endpoints in the published OpenAPI. Bad inputs change nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from api.models import Scope
from api.services import api_token_create
from applications.models import Status
from applications.services.filing import application_withdraw
from fees.models import Bill, PaymentProof
from fees.selectors import region_local_date
from tests.api.conftest import APPLICANT, OTHER_APPLICANT, SIGNER, error, user
from tests.fees.h2h_calls import pay
from tests.journeys import EXE, PDF, applicant, demo_type, draft, recommend, route, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def billed(demo):
    application = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    assert application.status == Status.AWAITING_PAYMENT
    return application


def _url(application, tail=""):
    return f"/api/v1/applications/{application.pk}/skrd/{tail}"


def _proof(client, application, *, data=PDF, name="bukti.pdf", kind="application/pdf", **fields):
    body = {
        "file": SimpleUploadedFile(name, data, content_type=kind),
        "paid_on": region_local_date(application.region).isoformat(),
        **fields,
    }
    return client.post(_url(application, "proofs/"), body, format="multipart")


def test_the_applicant_reads_the_skrd_as_the_bill_page_shows_it(as_user, billed):
    bill = billed.bills.first()
    answer = as_user(APPLICANT).get(_url(billed))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["number"] == bill.number and body["billing_code"] == bill.billing_code
    assert body["status"] == "unpaid" and body["total"] == int(bill.total)
    assert body["npwr"] == bill.payer.npwr and body["due_date"] == bill.due_date.isoformat()
    assert sum(line["amount"] for line in body["lines"]) == int(bill.total)
    assert all(line["account_code"] for line in body["lines"])
    assert body["total_in_words"] == bill.total_in_words and body["proofs"] == []


def test_nobody_else_sees_the_skrd_and_a_file_without_one_is_404(as_user, billed, demo):
    for email in (OTHER_APPLICANT, SIGNER, "bendahara.btg@ptsp.local"):
        client = as_user(email)
        assert client.get(_url(billed)).status_code == 404, email
        assert client.get(_url(billed, "pdf/")).status_code == 404, email
        assert _proof(client, billed).status_code == 404, email
    unbilled = route(submit(draft(demo_type("BTG", "PBG"), applicant())))
    assert as_user(APPLICANT).get(_url(unbilled)).status_code == 404
    assert not PaymentProof.objects.exists()


def test_the_signed_pdf_once_ready(as_user, billed, signing_cert, run_outbox):
    client = as_user(APPLICANT)
    Bill.objects.filter(pk=billed.bills.first().pk).update(pdf="")
    preparing = client.get(_url(billed, "pdf/"))
    assert preparing.status_code == 404 and client.get(_url(billed)).json()["pdf_ready"] is False
    from fees.cases import skrd_render_and_sign

    skrd_render_and_sign(bill_id=billed.bills.first().pk)
    answer = client.get(_url(billed, "pdf/"))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content)[:5] == b"%PDF-"
    assert "SKRD-" in answer["Content-Disposition"]
    assert answer["Cache-Control"] == "private, no-store"


def test_a_proof_through_the_api_waits_for_the_treasurer(as_user, billed):
    client = as_user(APPLICANT)
    answer = _proof(client, billed, note="Transfer dari BRI")
    assert answer.status_code == 201, answer.content
    proof = PaymentProof.objects.get()
    assert answer.json()["id"] == proof.pk and answer.json()["status"] == "pending"
    assert proof.note == "Transfer dari BRI" and proof.uploaded_by == user(APPLICANT)
    assert client.get(_url(billed)).json()["proofs"][0]["id"] == proof.pk
    again = _proof(client, billed)  # one proof waits at a time
    assert again.status_code == 409 and PaymentProof.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": EXE, "name": "bukti.pdf"},  # not what it says it is
        {"data": b"", "name": "kosong.pdf"},  # empty
        {"paid_on": "tomorrow"},  # not a date
        {"paid_on": "future"},  # after today
        {"paid_on": "before"},  # before the SKRD's date
    ],
)
def test_bad_proofs_through_the_api_change_nothing(as_user, billed, kwargs):
    today = region_local_date(billed.region)
    if kwargs.get("paid_on") == "future":
        kwargs["paid_on"] = (today + timedelta(days=2)).isoformat()
    elif kwargs.get("paid_on") == "before":
        kwargs["paid_on"] = (billed.bills.first().issued_on - timedelta(days=1)).isoformat()
    answer = _proof(as_user(APPLICANT), billed, **kwargs)
    assert answer.status_code == 400, answer.content
    assert error(answer)["message"]
    assert not PaymentProof.objects.exists()


def test_a_proof_needs_the_write_scope_and_the_missing_file_is_named(api, billed):
    read_only = api_token_create(
        user=user(APPLICANT), name="read", scopes=[Scope.READ], actor=None
    )[1]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert api.get(_url(billed)).status_code == 200
    assert _proof(api, billed).status_code == 403
    writer = api_token_create(
        user=user(APPLICANT),
        name="write",
        scopes=[Scope.READ, Scope.APPLICATIONS_WRITE],
        actor=None,
    )[1]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {writer}")
    missing = api.post(
        _url(billed, "proofs/"),
        {"paid_on": region_local_date(billed.region).isoformat()},
        format="multipart",
    )
    assert missing.status_code == 400 and "file" in error(missing)["fields"]
    assert not PaymentProof.objects.exists()


def test_a_paid_or_cancelled_bill_takes_no_proof(as_user, billed, demo):
    bill = billed.bills.first()
    assert pay(Client(), bill.billing_code, int(bill.total))["response_code"] == "00"
    client = as_user(APPLICANT)
    assert client.get(_url(billed)).json()["status"] == "paid"
    assert _proof(client, billed).status_code == 409
    other = recommend(route(submit(draft(demo_type("BTG", "PBG"), applicant()))))
    application_withdraw(application_id=other.pk, actor=other.applicant, reason="Batal")
    assert client.get(_url(other)).json()["status"] == "cancelled"
    assert _proof(client, other).status_code == 409
    assert not PaymentProof.objects.exists()


def test_the_openapi_documents_the_levy_and_the_banks_interface(demo):
    document = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = document.json()["paths"]
    assert {"get"} <= set(paths["/api/v1/applications/{id}/skrd/"])
    assert "post" in paths["/api/v1/applications/{id}/skrd/proofs/"]
    for path in ("/api/h2h/v1/inquiry", "/api/h2h/v1/payment"):
        operation = paths[path]["post"]
        assert {"200", "400", "401", "503"} <= set(operation["responses"]), path
        headers = {p["name"] for p in operation["parameters"]}
        assert headers == {"X-Bank-Id", "X-Timestamp", "X-Signature"}
    schemas = document.json()["components"]["schemas"]
    codes = schemas["H2hPaymentAnswer"]["properties"]["response_code"]["enum"]
    assert codes == ["00", "13", "14", "30", "54", "63", "88", "91", "94"]
