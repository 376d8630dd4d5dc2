"""The smaller holes of issue 14, each refused with a clear message and changing nothing: the
signer's pages never show drafts, an inspection result is written once, logged-in answers are
never cached, a method an operation lacks is a 405, a 429 says when to come back, a number is
not a reason, an empty file says so."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import Scope
from api.services import api_token_create
from applications.models import Inspection, Status
from applications.services import filing
from applications.services.reviews import inspection_record, inspection_schedule
from tests.api.conftest import APPLICANT, SIGNER, error, user
from tests.journeys import apotek, complete_draft, issued_permit, permit_pdf

pytestmark = pytest.mark.django_db


def test_the_signers_pages_never_show_an_applicants_draft(as_user, demo):
    """The rejection page once opened any application of the region, drafts included."""
    draft = complete_draft(user(APPLICANT))
    client = Client()
    client.force_login(user(SIGNER))
    assert client.get(reverse("applications:rejection", args=[draft.pk])).status_code == 404
    assert (
        client.post(
            reverse("applications:rejection", args=[draft.pk]), {"action": "send_back", "note": "x"}
        ).status_code
        == 404
    )
    assert as_user(SIGNER).get(f"/api/v1/signing/applications/{draft.pk}/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.fixture
def inspection(routed):
    review = routed.reviews.get(agency__code="DINKES")
    return inspection_schedule(
        review_id=review.pk,
        actor=review.assignee,
        scheduled_for=timezone.now() + timedelta(days=2),
        place="Jl. Ahmad Yani No. 5",
    )


def test_an_inspection_result_cannot_be_overwritten(as_user, inspection, english):
    officer = inspection.review.assignee
    inspection_record(inspection_id=inspection.pk, actor=officer, result="Sesuai denah.")
    recorded_at = Inspection.objects.get(pk=inspection.pk).recorded_at
    # Through the API: 409 in the API's shape.
    again = as_user(officer.email).post(
        f"/api/v1/inspections/{inspection.pk}/result/", {"result": "Ditulis ulang"}, format="json"
    )
    assert again.status_code == 409
    assert "already recorded and cannot be changed" in error(again)["message"]
    # Through the web page: the message banner.
    client = Client()
    client.force_login(officer)
    page = client.post(
        reverse("applications:inspection_result", args=[inspection.pk]),
        {"result": "Ditulis ulang lagi"},
        follow=True,
    )
    assert "already recorded and cannot be changed" in page.content.decode()
    inspection.refresh_from_db()
    assert inspection.result == "Sesuai denah." and inspection.recorded_at == recorded_at


def test_logged_in_answers_are_never_stored_by_a_cache(as_user, demo):
    anonymous = Client().get(reverse("home"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client = Client()
    client.force_login(user(APPLICANT))
    for url in (reverse("home"), reverse("applications:my_applications")):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "no-store" in as_user(APPLICANT).get("/api/v1/applications/")["Cache-Control"]
    _token, raw = api_token_create(user=user(SIGNER), name="desk", scopes=[Scope.READ], actor=None)
    with_token = Client().get("/api/v1/signing/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert with_token.status_code == 200 and "no-store" in with_token["Cache-Control"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/applications/", "/api/v1/catalog/", "/api/v1/signing/", "/api/v1/tokens/"]
)
def test_a_method_the_operation_lacks_is_405_for_everyone(api, as_user, demo, method, path):
    for client in (api, as_user(APPLICANT)):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 405, (path, method, response.status_code)
        assert error(response)["code"] == "method_not_allowed"


def test_the_verification_429_says_when_to_come_back(api, demo, signing_cert, run_outbox, settings):
    from django.core.cache import cache

    cache.clear()
    settings.VERIFY_CHECKS_PER_WINDOW = 2
    permit = issued_permit(run_outbox)
    pdf = permit_pdf(permit)
    web = reverse("permits:verify", args=[permit.verification_token])
    api_url = f"/api/v1/verify/{permit.verification_token}/check/"
    client = Client()
    for _ in range(2):
        client.post(web, {"file": SimpleUploadedFile("i.pdf", pdf)})
    refused = client.post(web, {"file": SimpleUploadedFile("i.pdf", pdf)})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.VERIFY_CHECK_WINDOW_SECONDS
    answered = api.post(api_url, {"file": SimpleUploadedFile("i.pdf", pdf)}, format="multipart")
    assert answered.status_code == 429 and error(answered)["code"] == "too_many_file_checks"
    assert 0 < int(answered["Retry-After"]) <= settings.VERIFY_CHECK_WINDOW_SECONDS


@pytest.mark.parametrize("reason", [0, 1.5, True, ["x"], {"x": 1}, None])
def test_a_reason_that_is_not_text_is_refused_and_nothing_changes(as_user, routed, reason):
    response = as_user(APPLICANT).post(
        f"/api/v1/applications/{routed.pk}/withdraw/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "reason" in error(response)["fields"]
    routed.refresh_from_db()
    assert routed.status == Status.IN_REVIEW


def test_an_empty_file_through_the_api_says_it_is_empty(as_user, demo):
    draft = filing.application_create_draft(permit_type_id=apotek().pk, actor=user(APPLICANT))
    response = as_user(APPLICANT).post(
        f"/api/v1/applications/{draft.pk}/documents/surat_permohonan/upload/",
        {"file": SimpleUploadedFile("kosong.pdf", b"")},
        format="multipart",
    )
    assert response.status_code == 400
    body = error(response)
    assert "empty" in body["message"] and body["message"].startswith("file:")
    assert not draft.documents.exists()
