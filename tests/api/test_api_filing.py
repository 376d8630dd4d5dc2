"""The applicant's journey through the API: the public catalog, a draft with its data and
documents (multipart), submit, withdraw; mass assignment; wrong owners and roles."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, Status
from tests.api.conftest import APPLICANT, OTHER_APPLICANT, VERIFIER, error

pytest.importorskip("applications.services.filing")  # until the filing services are merged

from tests.journeys import APOTEK_DATA, PDF, apotek, complete_draft, file_for

pytestmark = pytest.mark.django_db

FORM_KEYS = {"nama_apoteker", "nomor_sipa", "luas_ruang", "jenis_pemohon"}


def pdf(name="dok.pdf", data=PDF):
    return SimpleUploadedFile(name, data, "application/pdf")


def draft_payload(permit_type_id: int) -> dict:
    business = {k: v for k, v in APOTEK_DATA.items() if k not in FORM_KEYS}
    form = {k: v for k, v in APOTEK_DATA.items() if k in FORM_KEYS}
    return {"permit_type": permit_type_id, **business, "form_data": form}


def test_public_catalog_list_and_detail(api, demo):
    listed = api.get("/api/v1/catalog/", {"region": "BTG", "q": "apotek"})
    assert listed.status_code == 200
    codes = [p["code"] for p in listed.json()["results"]]
    assert "SIA" in codes
    detail = api.get("/api/v1/catalog/BTG/SIA/").json()
    assert detail["route"][0]["agency_code"] == "DINKES"
    assert {f["key"] for f in detail["fields"]} >= FORM_KEYS
    assert api.get("/api/v1/catalog/BTG/NOPE/").status_code == 404
    assert api.get("/api/v1/catalog/", {"region": "nope"}).status_code == 400
    assert api.get("/api/v1/catalog/", {"region": "XYZ"}).json()["count"] == 0


def test_applicant_creates_uploads_and_submits(as_user, demo):
    api = as_user(APPLICANT)
    permit_type = apotek()
    created = api.post("/api/v1/applications/create/", draft_payload(permit_type.pk), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["business_name"] == "Apotek Uji"
    assert body["form_data"]["nama_apoteker"] == "apt. Uji"
    pk = body["id"]
    incomplete = api.post(f"/api/v1/applications/{pk}/submit/")
    assert incomplete.status_code == 400
    assert error(incomplete)["code"] == "incomplete"
    assert error(incomplete)["fields"]["missing"]
    requirements = Application.objects.get(pk=pk).catalog_version.snapshot["requirements"]
    for requirement in requirements:
        if requirement["is_required"]:
            uploaded = api.post(
                f"/api/v1/applications/{pk}/documents/{requirement['code']}/upload/",
                {"file": file_for(requirement)},
                format="multipart",
            )
            assert uploaded.status_code == 201, uploaded.content
    exe = api.post(
        f"/api/v1/applications/{pk}/documents/{requirements[0]['code']}/upload/",
        {"file": pdf("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60)},
        format="multipart",
    )
    assert exe.status_code == 400
    submitted = api.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["tracking_number"].startswith("BTG-")
    again = api.post(f"/api/v1/applications/{pk}/submit/")
    assert again.status_code == 409
    detail = api.get(f"/api/v1/applications/{pk}/").json()
    assert [step["action"] for step in detail["timeline"]][:2] == ["created", "submit"]
    queue = as_user(VERIFIER).get("/api/v1/intake/", {"q": submitted.json()["tracking_number"]})
    assert [a["id"] for a in queue.json()["results"]] == [pk]


def test_draft_update_errors_name_the_fields_and_change_nothing(as_user, demo):
    api = as_user(APPLICANT)
    pk = api.post(
        "/api/v1/applications/create/", {"permit_type": apotek().pk}, format="json"
    ).json()["id"]
    bad = api.post(
        f"/api/v1/applications/{pk}/update/",
        {"nib": "123", "business_name": "X", "form_data": {"luas_ruang": "banyak"}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(error(bad)["fields"]) == {"nib", "luas_ruang"}
    application = Application.objects.get(pk=pk)
    assert application.business_name == "" and application.nib == ""


def test_mass_assignment_is_ignored(as_user, demo):
    api = as_user(APPLICANT)
    from tests.api.conftest import user

    other = user(OTHER_APPLICANT)
    payload = {
        **draft_payload(apotek().pk),
        "status": "issued",
        "applicant": other.pk,
        "owner": other.pk,
        "tracking_number": "BTG-2026-999999",
        "region": 999,
        "agency": 1,
        "signer": 1,
        "form_data": {"nama_apoteker": "apt. Uji", "status": "issued"},
    }
    created = api.post("/api/v1/applications/create/", payload, format="json")
    assert created.status_code == 201
    application = Application.objects.get(pk=created.json()["id"])
    assert application.status == Status.DRAFT
    assert application.applicant.email == APPLICANT
    assert application.tracking_number is None
    assert application.region.code == "BTG"
    assert "status" not in application.form_data
    api.post(
        f"/api/v1/applications/{application.pk}/update/",
        {"status": "submitted", "tracking_number": "X", "applicant": other.pk},
        format="json",
    )
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.tracking_number is None
    assert application.applicant.email == APPLICANT


def test_other_people_and_staff_get_404_on_a_draft(as_user, demo):
    application = complete_draft()
    for email in (OTHER_APPLICANT, VERIFIER):
        api = as_user(email)
        assert api.get(f"/api/v1/applications/{application.pk}/").status_code == 404
        for action in ("submit", "update"):
            assert (
                api.post(
                    f"/api/v1/applications/{application.pk}/{action}/", {}, format="json"
                ).status_code
                == 404
            )
        assert (
            api.post(
                f"/api/v1/applications/{application.pk}/documents/ktp/upload/",
                {"file": pdf()},
                format="multipart",
            ).status_code
            == 404
        )
        assert (
            api.post(
                f"/api/v1/applications/{application.pk}/withdraw/",
                {"reason": "x"},
                format="json",
            ).status_code
            == 404
        )
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_remove_document_and_withdraw(as_user, demo):
    application = complete_draft()
    api = as_user(APPLICANT)
    code = application.documents.filter(is_current=True).first().requirement_code
    removed = api.post(f"/api/v1/applications/{application.pk}/documents/{code}/remove/")
    assert removed.status_code == 204
    assert not application.documents.filter(is_current=True, requirement_code=code).exists()
    no_reason = api.post(f"/api/v1/applications/{application.pk}/withdraw/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in error(no_reason)["fields"]
    withdrawn = api.post(
        f"/api/v1/applications/{application.pk}/withdraw/",
        {"reason": "Pindah lokasi"},
        format="json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_documents_download_for_the_owner_and_the_region_only(as_user, demo):
    from applications.services.filing import application_submit
    from tests.api.conftest import user

    application = complete_draft()
    application_submit(application_id=application.pk, actor=user(APPLICANT))
    document = application.documents.filter(is_current=True).first()
    url = f"/api/v1/applications/{application.pk}/documents/{document.pk}/download/"
    owner = as_user(APPLICANT).get(url, HTTP_ACCEPT="application/pdf")
    assert owner.status_code == 200
    assert b"".join(owner.streaming_content).startswith(b"%PDF")
    assert as_user(VERIFIER).get(url).status_code == 200
    assert as_user(OTHER_APPLICANT).get(url).status_code == 404
    assert as_user("verifikator.plg@ptsp.local").get(url).status_code == 404


def test_returned_file_is_replaced_and_resubmitted(as_user, demo):
    from applications.services.filing import application_submit
    from tests.api.conftest import user

    application = complete_draft()
    application_submit(application_id=application.pk, actor=user(APPLICANT))
    documents = list(application.documents.filter(is_current=True))
    rejected = documents[0]
    verifier = as_user(VERIFIER)
    returned = verifier.post(
        f"/api/v1/intake/{application.pk}/return/",
        {
            "verdicts": [
                {
                    "document": d.pk,
                    "verdict": "rejected" if d == rejected else "accepted",
                    "note": "Buram" if d == rejected else "",
                }
                for d in documents
            ]
        },
        format="json",
    )
    assert returned.status_code == 200, returned.content
    api = as_user(APPLICANT)
    early = api.post(f"/api/v1/applications/{application.pk}/resubmit/")
    assert early.status_code == 400 and error(early)["code"] == "documents_rejected"
    other_code = documents[1].requirement_code
    refused = api.post(
        f"/api/v1/applications/{application.pk}/documents/{other_code}/replace/",
        {"file": pdf()},
        format="multipart",
    )
    assert refused.status_code == 400 and error(refused)["code"] == "not_replaceable"
    requirement = next(
        r
        for r in application.catalog_version.snapshot["requirements"]
        if r["code"] == rejected.requirement_code
    )
    replaced = api.post(
        f"/api/v1/applications/{application.pk}/documents/{rejected.requirement_code}/replace/",
        {"file": file_for(requirement)},
        format="multipart",
    )
    assert replaced.status_code == 201, replaced.content
    assert replaced.json()["version"] == rejected.version + 1
    assert (
        as_user(OTHER_APPLICANT)
        .post(f"/api/v1/applications/{application.pk}/resubmit/")
        .status_code
        == 404
    )
    resubmitted = as_user(APPLICANT).post(f"/api/v1/applications/{application.pk}/resubmit/")
    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "submitted"
