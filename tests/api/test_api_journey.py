"""The whole journey through the API only, each role with its own scoped token: draft, upload,
submit, accept, recommend, sign and issue, download, public verification."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from api.models import Scope
from api.services import api_token_create
from tests.api.conftest import APPLICANT, OTHER_APPLICANT, SIGNER, SIGNER_PLG, VERIFIER, user
from tests.journeys import APOTEK_DATA, apotek, file_for
from tests.stepup import step_up

pytestmark = pytest.mark.django_db

FORM_KEYS = {"nama_apoteker", "nomor_sipa", "luas_ruang", "jenis_pemohon"}


def client_for(email: str, *scopes: str) -> APIClient:
    _token, raw = api_token_create(
        user=user(email), name="journey", scopes=list(scopes), actor=None
    )
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_whole_journey_through_the_api(demo, run_outbox, signing_cert):
    applicant = client_for(APPLICANT, Scope.READ, Scope.APPLICATIONS_WRITE)
    verifier = client_for(VERIFIER, Scope.READ, Scope.INTAKE)
    signer = client_for(SIGNER, Scope.READ, Scope.SIGNING)
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    # The applicant: draft, data, documents, submit.
    permit_type = apotek()
    assert anonymous.get(f"/api/v1/catalog/BTG/{permit_type.code}/").status_code == 200
    business = {k: v for k, v in APOTEK_DATA.items() if k not in FORM_KEYS}
    form = {k: v for k, v in APOTEK_DATA.items() if k in FORM_KEYS}
    created = applicant.post(
        "/api/v1/applications/create/",
        {"permit_type": permit_type.pk, **business, "form_data": form},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    sop = anonymous.get(f"/api/v1/catalog/BTG/{permit_type.code}/").json()
    for requirement in sop["requirements"]:
        if requirement["is_required"]:
            response = applicant.post(
                f"/api/v1/applications/{pk}/documents/{requirement['code']}/upload/",
                {"file": file_for(requirement)},
                format="multipart",
            )
            assert response.status_code == 201, response.content
    submitted = applicant.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted.status_code == 200, submitted.content

    # The front office accepts every document.
    detail = verifier.get(f"/api/v1/intake/{pk}/").json()
    verdicts = [{"document": d["id"], "verdict": "accepted"} for d in detail["documents"]]
    accepted = verifier.post(f"/api/v1/intake/{pk}/accept/", {"verdicts": verdicts}, format="json")
    assert accepted.status_code == 200, accepted.content
    run_outbox()

    # Every OPD on the route recommends.
    from applications.models import Application

    application = Application.objects.get(pk=pk)
    for review in application.reviews.select_related("assignee"):
        officer = client_for(review.assignee.email, Scope.READ, Scope.REVIEWS)
        inbox = officer.get("/api/v1/reviews/", {"mine": "true"}).json()
        assert review.pk in [r["id"] for r in inbox["results"]]
        decided = officer.post(
            f"/api/v1/reviews/{review.pk}/decide/",
            {"decision": "recommend", "reasons": "Memenuhi syarat"},
            format="json",
        )
        assert decided.status_code == 200, decided.content

    # The signer signs (with the password step-up) and the permit is issued.
    queue = signer.get("/api/v1/signing/").json()
    assert pk in [a["id"] for a in queue["results"]]
    wrong = signer.post(
        f"/api/v1/signing/{pk}/sign/", step_up(SIGNER, password="nope"), format="json"
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "password_incorrect"
    other_region = client_for(SIGNER_PLG, Scope.READ, Scope.SIGNING)
    assert (
        other_region.post(
            f"/api/v1/signing/{pk}/sign/", step_up(SIGNER_PLG), format="json"
        ).status_code
        == 404
    )
    signed = signer.post(f"/api/v1/signing/{pk}/sign/", step_up(SIGNER), format="json")
    assert signed.status_code == 202, signed.content
    run_outbox()
    status = applicant.get(f"/api/v1/applications/{pk}/").json()
    assert status["status"] == "issued"

    # The applicant downloads it; nobody else can.
    download = applicant.get(f"/api/v1/applications/{pk}/permit/")
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    other = client_for(OTHER_APPLICANT, Scope.READ)
    assert other.get(f"/api/v1/applications/{pk}/permit/").status_code == 404
    assert verifier.get(f"/api/v1/applications/{pk}/permit/").status_code == 404

    # Anyone verifies it by its token, and checks the file.
    from permits.models import Permit

    permit = Permit.objects.get(application_id=pk)
    verified = anonymous.get(f"/api/v1/verify/{permit.verification_token}/")
    assert verified.status_code == 200
    assert verified.json()["number"] == permit.number and verified.json()["status"] == "valid"
    check = anonymous.post(
        f"/api/v1/verify/{permit.verification_token}/check/",
        {"file": SimpleUploadedFile("izin.pdf", data, "application/pdf")},
        format="multipart",
    )
    assert check.status_code == 200 and check.json()["hash_matches"] is True
    tampered = anonymous.post(
        f"/api/v1/verify/{permit.verification_token}/check/",
        {"file": SimpleUploadedFile("izin.pdf", data + b"\n%tampered", "application/pdf")},
        format="multipart",
    )
    assert tampered.json()["ok"] is False
    assert anonymous.get("/api/v1/verify/" + "x" * 43 + "/").status_code == 404
    assert anonymous.get("/api/v1/verify/short/").status_code == 404
