"""The workflow through the API, each role end to end, and the refusal of wrong roles, wrong
regions, wrong agencies and wrong owners."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Inspection, Notification, ReviewStatus, Status
from tests.api.conftest import (
    APPLICANT,
    OTHER_APPLICANT,
    SIGNER,
    SIGNER_PLG,
    VERIFIER,
    VERIFIER_PLG,
    error,
)
from tests.journeys import submitted_application
from tests.stepup import step_up

pytestmark = pytest.mark.django_db


def verdicts(application, verdict="accepted", note=""):
    return [
        {"document": d.pk, "verdict": verdict, "note": note}
        for d in application.documents.filter(is_current=True)
    ]


def test_verifier_queue_detail_and_accept(as_user, submitted, run_outbox):
    api = as_user(VERIFIER)
    queue = api.get("/api/v1/intake/", {"permit": submitted.permit_type.code})
    assert queue.status_code == 200
    assert [a["tracking_number"] for a in queue.json()["results"]] == [submitted.tracking_number]
    detail = api.get(f"/api/v1/intake/{submitted.pk}/").json()
    assert detail["business_name"] == "Klinik Sehat Sentosa"
    assert {d["requirement_code"] for d in detail["documents"]} == {"ktp", "denah"}
    response = api.post(
        f"/api/v1/intake/{submitted.pk}/accept/", {"verdicts": verdicts(submitted)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    run_outbox()
    assert submitted.reviews.count() == 2
    again = api.post(
        f"/api/v1/intake/{submitted.pk}/accept/", {"verdicts": verdicts(submitted)}, format="json"
    )
    assert again.status_code == 409
    assert error(again)["code"] == "workflow"


def test_verifier_returns_with_notes_and_a_missing_note_changes_nothing(as_user, submitted):
    api = as_user(VERIFIER)
    url = f"/api/v1/intake/{submitted.pk}/return/"
    refused = api.post(url, {"verdicts": verdicts(submitted, "rejected")}, format="json")
    assert refused.status_code == 400
    assert error(refused)["code"] == "verdict_note"
    assert "Say what is wrong with" in error(refused)["message"]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not submitted.documents.exclude(verdict="pending").exists()
    response = api.post(
        url,
        {"verdicts": verdicts(submitted, "rejected", "Blurred scan"), "note": "Please rescan"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "returned"


def test_intake_input_is_validated_with_field_errors(as_user, submitted):
    api = as_user(VERIFIER)
    response = api.post(
        f"/api/v1/intake/{submitted.pk}/accept/",
        {"verdicts": [{"document": "x", "verdict": "maybe"}]},
        format="json",
    )
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert set(fields) == {"verdicts.0.document", "verdicts.0.verdict"}
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (VERIFIER_PLG, 404),
        (APPLICANT, 403),
        ("petugas.dinkes.btg@ptsp.local", 403),
        (SIGNER, 403),
    ],
)
def test_intake_refuses_other_regions_and_roles(as_user, submitted, email, status):
    api = as_user(email)
    assert api.get(f"/api/v1/intake/{submitted.pk}/").status_code == status
    response = api.post(
        f"/api/v1/intake/{submitted.pk}/accept/", {"verdicts": verdicts(submitted)}, format="json"
    )
    assert response.status_code == status
    if status == 403:
        assert api.get("/api/v1/intake/").status_code == 403
    else:
        listed = api.get("/api/v1/intake/", {"permit": submitted.permit_type.code}).json()
        assert listed["count"] == 0
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_officer_inbox_detail_inspection_and_recommendations(
    as_user, routed, django_assert_max_num_queries
):
    for code in ("DINKES", "DLH"):
        review = routed.reviews.get(agency__code=code)
        api = as_user(review.assignee.email)
        inbox = api.get("/api/v1/reviews/", {"mine": "true"}).json()
        assert [r["id"] for r in inbox["results"]] == [review.pk]
        assert api.get("/api/v1/reviews/", {"status": "done"}).json()["count"] == 0
        assert api.get("/api/v1/reviews/", {"q": routed.tracking_number[-4:]}).json()["count"] == 1
        with django_assert_max_num_queries(20):
            detail = api.get(f"/api/v1/reviews/{review.pk}/")
        assert detail.status_code == 200
        assert detail.json()["application"]["tracking_number"] == routed.tracking_number
        if code == "DINKES":
            when = (timezone.now() + timedelta(days=3)).isoformat()
            scheduled = api.post(
                f"/api/v1/reviews/{review.pk}/inspections/",
                {"scheduled_for": when, "place": "Jl. Ahmad Yani No. 5"},
                format="json",
            )
            assert scheduled.status_code == 201, scheduled.content
            inspection_id = scheduled.json()["id"]
            recorded = api.post(
                f"/api/v1/inspections/{inspection_id}/result/",
                {"result": "Sesuai denah."},
                format="json",
            )
            assert recorded.status_code == 200
            assert Inspection.objects.get(pk=inspection_id).result == "Sesuai denah."
            past = api.post(
                f"/api/v1/reviews/{review.pk}/inspections/",
                {"scheduled_for": (timezone.now() - timedelta(hours=1)).isoformat(), "place": "x"},
                format="json",
            )
            assert past.status_code == 400
            assert "scheduled_for" in error(past)["fields"]
        decided = api.post(
            f"/api/v1/reviews/{review.pk}/decide/",
            {"decision": "recommend", "reasons": "Memenuhi syarat"},
            format="json",
        )
        assert decided.status_code == 200, decided.content
        assert decided.json()["status"] == "recommended"
    routed.refresh_from_db()
    assert routed.status == Status.RECOMMENDED


def test_decision_errors_and_mass_assignment(as_user, routed):
    review = routed.reviews.get(agency__code="DINKES")
    api = as_user(review.assignee.email)
    url = f"/api/v1/reviews/{review.pk}/decide/"
    missing = api.post(url, {"decision": "reject"}, format="json")
    assert missing.status_code == 400
    assert error(missing)["fields"] == {"reasons": ["A rejection needs its reasons."]}
    unknown = api.post(
        url,
        {
            "decision": "request_revision",
            "revision_items": [{"kind": "document", "key": "nope", "note": "?"}],
        },
        format="json",
    )
    assert unknown.status_code == 400 and "revision_items" in error(unknown)["fields"]
    # Fields the client may not set are ignored: the status follows the decision only.
    sneaky = api.post(
        url,
        {
            "decision": "request_revision",
            "status": "recommended",
            "assignee": 1,
            "agency": 1,
            "revision_items": [{"kind": "field", "key": "jumlah_ruang", "note": "Hitung lagi"}],
        },
        format="json",
    )
    assert sneaky.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.REVISION_REQUESTED
    assert review.agency.code == "DINKES"


def test_reviews_refuse_other_agencies_roles_and_owners(as_user, routed):
    review = routed.reviews.get(agency__code="DINKES")
    for email, status in [
        ("petugas.pupr.btg@ptsp.local", 404),
        ("petugas.dinkes.plg@ptsp.local", 404),
        (VERIFIER, 403),
        (APPLICANT, 403),
    ]:
        api = as_user(email)
        assert api.get(f"/api/v1/reviews/{review.pk}/").status_code == status, email
        response = api.post(
            f"/api/v1/reviews/{review.pk}/decide/", {"decision": "recommend"}, format="json"
        )
        assert response.status_code == status, email
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW


def test_head_reassigns_and_an_officer_may_not(as_user, demo, run_outbox):
    from applications.services.intake import application_accept
    from tests.api.conftest import user
    from tests.journeys import all_accepted

    application = submitted_application(agencies=("PUPR",), code="PBG-T")
    application_accept(
        application_id=application.pk, actor=user(VERIFIER), verdicts=all_accepted(application)
    )
    run_outbox()
    review = application.reviews.get()
    other = (
        user("petugas2.pupr.btg@ptsp.local")
        if review.assignee.email != "petugas2.pupr.btg@ptsp.local"
        else user("petugas.pupr.btg@ptsp.local")
    )
    officer = as_user(review.assignee.email)
    refused = officer.post(
        f"/api/v1/reviews/{review.pk}/reassign/", {"assignee": other.pk}, format="json"
    )
    assert refused.status_code == 403
    assert error(refused)["code"] == "role_required"
    head = as_user("kepala.pupr.btg@ptsp.local")
    listed = head.get("/api/v1/reviews/").json()
    assert [r["id"] for r in listed["results"]] == [review.pk]
    outsider = head.post(
        f"/api/v1/reviews/{review.pk}/reassign/", {"assignee": user(VERIFIER).pk}, format="json"
    )
    assert outsider.status_code == 400 and "assignee" in error(outsider)["fields"]
    done = head.post(
        f"/api/v1/reviews/{review.pk}/reassign/",
        {"assignee": other.pk, "note": "Load"},
        format="json",
    )
    assert done.status_code == 200, done.content
    review.refresh_from_db()
    assert review.assignee == other
    assert (
        as_user("kepala.dinkes.btg@ptsp.local")
        .post(f"/api/v1/reviews/{review.pk}/reassign/", {"assignee": other.pk}, format="json")
        .status_code
        == 404
    )


def test_revision_answered_by_the_applicant_only(as_user, routed):
    review = routed.reviews.get(agency__code="DLH")
    api = as_user(review.assignee.email)
    api.post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {
            "decision": "request_revision",
            "revision_items": [{"kind": "field", "key": "jumlah_ruang", "note": "Hitung lagi"}],
        },
        format="json",
    )
    routed.refresh_from_db()
    assert routed.status == Status.REVISION_REQUESTED
    url = f"/api/v1/applications/{routed.pk}/revisions/{review.pk}/answer/"
    assert as_user(OTHER_APPLICANT).post(url, {"note": "x"}, format="json").status_code == 404
    assert as_user(VERIFIER).post(url, {"note": "x"}, format="json").status_code == 404
    api = as_user(APPLICANT)
    answered = api.post(url, {"note": "Sudah dihitung ulang"}, format="json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "in_review"
    routed.refresh_from_db()
    assert routed.status == Status.IN_REVIEW
    twice = api.post(url, {"note": "again"}, format="json")
    assert twice.status_code == 409


def _propose_rejection(as_user, routed):
    review = routed.reviews.get(agency__code="DINKES")
    as_user(review.assignee.email).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {"decision": "reject", "reasons": "Lokasi tidak sesuai tata ruang"},
        format="json",
    )
    routed.refresh_from_db()
    assert routed.status == Status.REJECTION_PROPOSED
    return review


def test_signer_sends_back_then_confirms_a_rejection(as_user, routed, run_outbox):
    _propose_rejection(as_user, routed)
    api = as_user(SIGNER)
    queue = api.get("/api/v1/signing/rejections/").json()
    assert [a["id"] for a in queue["results"]] == [routed.pk]
    detail = api.get(f"/api/v1/signing/applications/{routed.pk}/").json()
    assert any(r["reasons"] == "Lokasi tidak sesuai tata ruang" for r in detail["reviews"])
    no_note = api.post(f"/api/v1/signing/rejections/{routed.pk}/send-back/", {}, format="json")
    assert no_note.status_code == 400 and "note" in error(no_note)["fields"]
    sent = api.post(
        f"/api/v1/signing/rejections/{routed.pk}/send-back/",
        {"note": "Periksa lagi RTRW"},
        format="json",
    )
    assert sent.status_code == 200 and sent.json()["status"] == "in_review"
    _propose_rejection(as_user, routed)
    api = as_user(SIGNER)
    url = f"/api/v1/signing/rejections/{routed.pk}/confirm/"
    refused = api.post(url, {"note": "OK"}, format="json")
    assert refused.status_code == 400 and {"password", "code"} <= set(error(refused)["fields"])
    confirmed = api.post(url, step_up(SIGNER, note="OK"), format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "rejected"


def test_rejection_refuses_other_roles_and_regions(as_user, routed):
    _propose_rejection(as_user, routed)
    for email, status in [(SIGNER_PLG, 404), (VERIFIER, 403), (APPLICANT, 403)]:
        api = as_user(email)
        response = api.post(f"/api/v1/signing/rejections/{routed.pk}/confirm/", {}, format="json")
        assert response.status_code == status, email
    routed.refresh_from_db()
    assert routed.status == Status.REJECTION_PROPOSED


def test_applications_list_and_detail_follow_the_web_selectors(as_user, routed):
    api = as_user(APPLICANT)
    mine = api.get("/api/v1/applications/", {"permit": "KLINIK-T"}).json()
    assert [a["id"] for a in mine["results"]] == [routed.pk]
    detail = api.get(f"/api/v1/applications/{routed.pk}/").json()
    assert [e["action"] for e in detail["events"]][:2] == ["submit", "accept"]
    assert len(detail["reviews"]) == 2
    assert as_user(OTHER_APPLICANT).get(f"/api/v1/applications/{routed.pk}/").status_code == 404
    others = as_user(OTHER_APPLICANT).get("/api/v1/applications/", {"page_size": 100}).json()
    assert routed.pk not in [a["id"] for a in others["results"]]
    assert as_user(VERIFIER_PLG).get(f"/api/v1/applications/{routed.pk}/").status_code == 404
    assert (
        as_user("petugas.pupr.btg@ptsp.local").get(f"/api/v1/applications/{routed.pk}/").status_code
        == 404
    )
    assert as_user(VERIFIER).get(f"/api/v1/applications/{routed.pk}/").status_code == 200


def test_lists_filter_order_and_paginate(as_user, demo, django_assert_max_num_queries):
    first = submitted_application()
    second = submitted_application()
    for _ in range(3):
        submitted_application()
    api = as_user(VERIFIER)
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/intake/", {"permit": "KLINIK-T"}).json()["count"] == 5
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/applications/", {"permit": "KLINIK-T"}).json()["count"] == 5
    newest = api.get(
        "/api/v1/intake/", {"permit": "KLINIK-T", "ordering": "-submitted_at", "page_size": 1}
    ).json()
    assert newest["count"] == 5 and newest["results"][0]["id"] > second.pk
    assert newest["next"] and "page=2" in newest["next"]
    oldest = api.get("/api/v1/intake/", {"permit": "KLINIK-T", "ordering": "submitted_at"}).json()
    assert [a["id"] for a in oldest["results"]][:2] == [first.pk, second.pk]
    assert api.get("/api/v1/intake/", {"permit": "NOPE"}).json()["count"] == 0
    bad = api.get("/api/v1/intake/", {"ordering": "applicant__password"})
    assert bad.status_code == 400 and "ordering" in error(bad)["fields"]
    assert api.get("/api/v1/intake/", {"page": "0"}).status_code == 400
    assert api.get("/api/v1/intake/", {"page": "999"}).status_code == 404
    assert api.get("/api/v1/intake/", {"page_size": "1000"}).status_code == 400
    by_status = (
        as_user(APPLICANT)
        .get("/api/v1/applications/", {"status": "submitted", "permit": "KLINIK-T"})
        .json()
    )
    assert by_status["count"] == 5


def test_notifications_list_and_mark_read(as_user, routed):
    api = as_user(APPLICANT)
    listed = api.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert listed["count"] >= 1
    first = listed["results"][0]["id"]
    marked = api.post("/api/v1/notifications/read/", {"ids": [first]}, format="json")
    assert marked.json() == {"marked": 1}
    assert Notification.objects.get(pk=first).read_at is not None
    # Someone else's notification is never marked.
    other = Notification.objects.exclude(recipient__email=APPLICANT).first()
    as_user(APPLICANT).post("/api/v1/notifications/read/", {"ids": [other.pk]}, format="json")
    other.refresh_from_db()
    assert other.read_at is None
    everything = api.post("/api/v1/notifications/read/", {}, format="json").json()
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert everything["marked"] == listed["count"] - 1


def test_revision_of_a_document_replaced_then_answered(as_user, routed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.journeys import PDF

    review = routed.reviews.get(agency__code="DINKES")
    as_user(review.assignee.email).post(
        f"/api/v1/reviews/{review.pk}/decide/",
        {
            "decision": "request_revision",
            "revision_items": [{"kind": "document", "key": "denah", "note": "Skala salah"}],
        },
        format="json",
    )
    api = as_user(APPLICANT)
    answer_url = f"/api/v1/applications/{routed.pk}/revisions/{review.pk}/answer/"
    early = api.post(answer_url, {"note": "?"}, format="json")
    assert early.status_code == 400 and error(early)["code"] == "documents_missing"
    replaced = api.post(
        f"/api/v1/applications/{routed.pk}/documents/denah/replace/",
        {"file": SimpleUploadedFile("denah-baru.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    assert replaced.status_code == 201, replaced.content
    answered = api.post(answer_url, {"note": "Denah baru"}, format="json")
    assert answered.status_code == 200
    routed.refresh_from_db()
    assert routed.status == Status.IN_REVIEW
