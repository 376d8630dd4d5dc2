"""Signing, permit download and public verification through the API: wrong roles, regions and
owners refused; revoked permits say so; a token alone never signs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from api.models import Scope
from api.services import api_token_create
from applications.models import Status
from permits.models import Permit
from permits.services.issuance import permit_revoke
from security.models import DocumentAccess
from tests.api.conftest import APPLICANT, OTHER_APPLICANT, SIGNER, SIGNER_PLG, VERIFIER, error
from tests.journeys import issued_permit, recommended_application
from tests.stepup import step_up

pytestmark = pytest.mark.django_db


def test_signing_refuses_wrong_roles_regions_and_a_token_without_the_password(
    as_user, api, demo, signing_cert
):
    application = recommended_application()
    url = f"/api/v1/signing/{application.pk}/sign/"
    for email, status in [(VERIFIER, 403), (APPLICANT, 403), (SIGNER_PLG, 404)]:
        body = step_up(email) if email == SIGNER_PLG else {"password": "demo-ptsp-2026"}
        response = as_user(email).post(url, body, format="json")
        assert response.status_code == status, email
    assert application.pk not in [
        a["id"] for a in as_user(SIGNER_PLG).get("/api/v1/signing/").json()["results"]
    ]
    _token, raw = api_token_create(
        user=User.objects.get(email=SIGNER), name="desk", scopes=[Scope.SIGNING], actor=None
    )
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    no_password = api.post(url, {}, format="json")
    fields = error(no_password)["fields"]
    assert no_password.status_code == 400 and "password" in fields and "code" in fields
    password_only = api.post(url, {"password": "demo-ptsp-2026"}, format="json")
    assert password_only.status_code == 400 and "code" in error(password_only)["fields"]
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not Permit.objects.filter(application=application).exists()


def test_permit_download_is_the_owners_only(as_user, demo, signing_cert, run_outbox):
    permit = issued_permit(run_outbox, SIGNER)
    url = f"/api/v1/applications/{permit.application_id}/permit/"
    owner = as_user(APPLICANT).get(url, HTTP_ACCEPT="application/pdf")
    assert owner.status_code == 200 and owner["Content-Type"] == "application/pdf"
    for email in (OTHER_APPLICANT, VERIFIER, SIGNER):
        assert as_user(email).get(url).status_code == 404, email


def test_the_apis_permit_download_answers_as_the_web_one(as_user, demo, signing_cert, run_outbox):
    """Same file, name and headers through both doors (one file answer, `permits.downloads`)."""
    permit = issued_permit(run_outbox, SIGNER)
    client = as_user(APPLICANT)
    api = client.get(f"/api/v1/applications/{permit.application_id}/permit/")
    web = client.get(reverse("permits:download", args=[permit.pk]))
    assert api.status_code == web.status_code == 200
    for header in ("Content-Type", "Content-Disposition", "X-Content-Type-Options"):
        assert api[header] == web[header], header
    assert api["Content-Disposition"].startswith('attachment; filename="izin-')
    assert api["Cache-Control"] == web["Cache-Control"] == "private, no-store"
    assert b"".join(api.streaming_content) == b"".join(web.streaming_content)
    assert not DocumentAccess.objects.exists()  # the owner's own download is not recorded


def test_public_verification_shows_a_revocation(api, demo, signing_cert, run_outbox):
    permit = issued_permit(run_outbox, SIGNER)
    url = f"/api/v1/verify/{permit.verification_token}/"
    assert api.get(url).json()["status"] == "valid"
    permit_revoke(permit_id=permit.pk, actor=User.objects.get(email=SIGNER), reason="Pelanggaran")
    revoked = api.get(url).json()
    assert revoked["status"] == "revoked" and revoked["revoked_at"]
    assert set(revoked) == {
        "number",
        "status",
        "business_name",
        "permit_type",
        "region",
        "issued_at",
        "valid_until",
        "revoked_at",
        "sha256",
    }
    not_pdf = api.post(
        url + "check/",
        {"file": SimpleUploadedFile("izin.pdf", b"hello", "application/pdf")},
        format="multipart",
    )
    assert not_pdf.status_code == 400 and "file" in error(not_pdf)["fields"]
