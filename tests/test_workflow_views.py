"""The workflow pages: each role's page works for that role and refuses the others."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from applications.models import Inspection, Notification, ReviewStatus, Status
from applications.services.intake import application_accept
from tests.journeys import all_accepted, submitted_application
from tests.stepup import step_up

pytestmark = pytest.mark.django_db

VERIFIER = "verifikator.btg@ptsp.local"


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_intake_queue_and_check_page_for_the_verifier(
    en, login, submitted, django_assert_max_num_queries
):
    login(VERIFIER)
    queue = en.get(reverse("applications:intake_queue"))
    assert submitted.tracking_number in queue.content.decode()
    with django_assert_max_num_queries(20):
        page = en.get(reverse("applications:intake_check", args=[submitted.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Klinik Sehat Sentosa" in body and "Accept and route" in body


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("verifikator.plg@ptsp.local", 404),
        ("budi.santoso@example.id", 403),
        ("petugas.dinkes.btg@ptsp.local", 403),
    ],
)
def test_intake_check_refuses_other_regions_and_roles(client, login, submitted, email, status):
    login(email)
    assert (
        client.get(reverse("applications:intake_check", args=[submitted.pk])).status_code == status
    )
    response = client.post(
        reverse("applications:intake_check", args=[submitted.pk]), {"action": "accept"}
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_accept_from_the_check_page(en, login, submitted, run_outbox):
    login(VERIFIER)
    data = {"action": "accept"}
    for d in submitted.documents.filter(is_current=True):
        data[f"verdict_{d.pk}"] = "accepted"
    response = en.post(reverse("applications:intake_check", args=[submitted.pk]), data, follow=True)
    assert "Accepted: the file is being routed" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    run_outbox()
    assert submitted.reviews.count() == 2


def test_return_without_a_note_shows_the_reason_and_changes_nothing(en, login, submitted):
    login(VERIFIER)
    data = {"action": "return"}
    for d in submitted.documents.filter(is_current=True):
        data[f"verdict_{d.pk}"] = "rejected"
    response = en.post(reverse("applications:intake_check", args=[submitted.pk]), data, follow=True)
    assert "Say what is wrong with" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not submitted.documents.exclude(verdict="pending").exists()


def test_officer_inbox_review_page_and_decision(en, login, routed, django_assert_max_num_queries):
    review = routed.reviews.get(agency__code="DINKES")
    login(review.assignee.email)
    inbox = en.get(reverse("applications:inbox"))
    assert routed.tracking_number in inbox.content.decode()
    assert (
        routed.tracking_number
        in en.get(
            reverse("applications:inbox"), {"q": routed.tracking_number[-4:]}
        ).content.decode()
    )
    assert (
        routed.tracking_number
        not in en.get(reverse("applications:inbox"), {"status": "done"}).content.decode()
    )
    with django_assert_max_num_queries(25):
        page = en.get(reverse("applications:review", args=[review.pk]))
    assert page.status_code == 200 and "Save the decision" in page.content.decode()
    response = en.post(
        reverse("applications:review_decision", args=[review.pk]),
        {"decision": "reject", "reasons": ""},
        follow=True,
    )
    assert "A rejection needs its reasons." in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW
    en.post(
        reverse("applications:review_decision", args=[review.pk]),
        {"decision": "recommend", "reasons": "OK"},
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECOMMENDED


def test_revision_request_from_the_review_page(en, login, routed):
    review = routed.reviews.get(agency__code="DLH")
    login(review.assignee.email)
    response = en.post(
        reverse("applications:review_decision", args=[review.pk]),
        {
            "decision": "request_revision",
            "item_key": ["document:denah", "field:jumlah_ruang"],
            "item_note_document:denah": "Lengkapi denah IPAL",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.REVISION_REQUESTED
    assert review.revision_items == [
        {
            "kind": "document",
            "key": "denah",
            "label": "Denah ruangan",
            "note": "Lengkapi denah IPAL",
        }
    ]


@pytest.mark.parametrize(
    "email",
    ["petugas.pupr.btg@ptsp.local", "petugas.dinkes.plg@ptsp.local", "budi.santoso@example.id"],
)
def test_review_page_refuses_other_agencies(client, login, routed, email):
    review = routed.reviews.get(agency__code="DINKES")
    login(email)
    assert client.get(reverse("applications:review", args=[review.pk])).status_code in (403, 404)
    assert client.post(
        reverse("applications:review_decision", args=[review.pk]), {"decision": "recommend"}
    ).status_code in (403, 404)
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW


def test_head_queue_and_reassign(en, login, demo, run_outbox):
    from accounts.models import User

    application = submitted_application(agencies=("PUPR",), code="PBG-T")
    application_accept(
        application_id=application.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts=all_accepted(application),
    )
    run_outbox()
    review = application.reviews.get()
    other = (
        User.objects.filter(memberships__agency=review.agency, memberships__role="officer")
        .exclude(pk=review.assignee_id)
        .first()
    )
    login("kepala.pupr.btg@ptsp.local")
    queue = en.get(reverse("applications:agency_queue"))
    assert application.tracking_number in queue.content.decode()
    en.post(reverse("applications:reassign", args=[review.pk]), {"assignee": other.pk})
    review.refresh_from_db()
    assert review.assignee == other
    en.logout()
    login(other.email)
    assert (
        en.post(
            reverse("applications:reassign", args=[review.pk]), {"assignee": other.pk}
        ).status_code
        == 403
    )


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_inspection_schedule_and_result_with_photos(en, login, routed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = routed.reviews.get(agency__code="DINKES")
    login(review.assignee.email)
    when = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    en.post(
        reverse("applications:inspection_new", args=[review.pk]),
        {"scheduled_for": when, "place": "Jl. Ahmad Yani No. 5"},
    )
    inspection = Inspection.objects.get(review=review)
    assert Notification.objects.filter(
        recipient=routed.applicant, kind="inspection_scheduled"
    ).exists()
    past = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = en.post(
        reverse("applications:inspection_new", args=[review.pk]),
        {"scheduled_for": past, "place": "x"},
        follow=True,
    )
    assert "in the future" in response.content.decode()
    assert Inspection.objects.filter(review=review).count() == 1
    bad = SimpleUploadedFile("photo.png", b"<html>not an image</html>", content_type="image/png")
    response = en.post(
        reverse("applications:inspection_result", args=[inspection.pk]),
        {"result": "Sesuai", "photos": [bad]},
        follow=True,
    )
    assert "not an accepted kind" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.recorded_at is None
    good = SimpleUploadedFile("foto lokasi.png", png_bytes(), content_type="image/png")
    en.post(
        reverse("applications:inspection_result", args=[inspection.pk]),
        {"result": "Sarana sesuai denah", "photos": [good]},
    )
    inspection.refresh_from_db()
    assert inspection.recorded_at and inspection.photos.count() == 1


def test_signer_rejection_page(en, login, routed):
    from applications.services.reviews import review_decide

    review = routed.reviews.get(agency__code="DINKES")
    review_decide(
        review_id=review.pk, actor=review.assignee, decision="reject", reasons="Lokasi tidak sesuai"
    )
    login("kepala.btg@ptsp.local")
    assert (
        routed.tracking_number in en.get(reverse("applications:rejection_queue")).content.decode()
    )
    page = en.get(reverse("applications:rejection", args=[routed.pk]))
    assert "Lokasi tidak sesuai" in page.content.decode()
    url = reverse("applications:rejection", args=[routed.pk])
    # Without the step-up nothing is confirmed, and the page says why.
    refused = en.post(url, {"action": "confirm", "note": "", "password": "demo-ptsp-2026"})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    routed.refresh_from_db()
    assert routed.status == Status.REJECTION_PROPOSED
    en.post(url, step_up("kepala.btg@ptsp.local", action="confirm", note=""))
    routed.refresh_from_db()
    assert routed.status == Status.REJECTED


def test_rejection_page_refuses_non_signers_and_other_regions(client, login, routed):
    for email, status in [
        ("kepala.plg@ptsp.local", 404),
        (VERIFIER, 403),
        ("budi.santoso@example.id", 403),
    ]:
        client.logout()
        login(email)
        assert client.get(reverse("applications:rejection", args=[routed.pk])).status_code == status


def test_notifications_list_and_mark_read(en, login, routed):
    login("budi.santoso@example.id")
    page = en.get(reverse("applications:notifications"))
    assert routed.tracking_number in page.content.decode()
    assert Notification.objects.filter(recipient=routed.applicant, read_at__isnull=True).exists()
    en.post(reverse("applications:notifications_read"), {"next": "https://evil.example/"})
    assert not Notification.objects.filter(
        recipient=routed.applicant, read_at__isnull=True
    ).exists()


def test_notifications_list_writes_times_in_the_files_zone_newest_first(en, login, routed):
    """The list reads rows (issue 20): a file's notice in its region's zone with the zone's
    name, a notice about no file in the active zone, newest first, an unread mark on each
    unread one, and nobody else's notices."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from accounts.models import User

    applicant = routed.applicant
    Notification.objects.create(
        recipient=applicant, kind="survey_invitation", subject="Survei tanpa berkas", body="-"
    )
    siti = User.objects.get(email="siti.rahma@example.id")
    Notification.objects.create(
        recipient=siti, kind="survey_invitation", subject="Pemberitahuan untuk Siti", body="-"
    )
    login("budi.santoso@example.id")
    page = en.get(reverse("applications:notifications")).content.decode()
    notices = list(Notification.objects.filter(recipient=applicant).order_by("-created_at", "-pk"))
    about_file = next(n for n in notices if n.application_id == routed.pk)
    local = timezone.localtime(about_file.created_at, ZoneInfo(routed.region.timezone))
    assert (
        f"{local.day} " in page and f"{local:%H:%M} {routed.region.timezone_abbreviation}" in page
    )
    positions = [page.index(n.subject) for n in notices]
    assert positions == sorted(positions)
    listed = page[page.index('<ul class="notification-list">') :]
    assert listed.count('class="badge"') == len(notices)  # all unread
    assert "Pemberitahuan untuk Siti" not in page


def test_applicant_sees_each_opd_holder_and_deadline(en, login, routed):
    login("budi.santoso@example.id")
    page = en.get(reverse("applications:detail", args=[routed.pk])).content.decode()
    for review in routed.reviews.select_related("agency", "assignee"):
        assert review.agency.name in page
        assert review.assignee.full_name in page
    assert "Sent for technical review" in page


def test_returned_file_replaced_and_resubmitted_from_the_pages(en, login, submitted):
    from accounts.models import User
    from applications.services.intake import application_return
    from tests.journeys import pdf_upload

    ktp = submitted.documents.get(requirement_code="ktp")
    denah = submitted.documents.get(requirement_code="denah")
    application_return(
        application_id=submitted.pk,
        actor=User.objects.get(email=VERIFIER),
        verdicts={
            ktp.pk: {"verdict": "accepted"},
            denah.pk: {"verdict": "rejected", "note": "Denah buram"},
        },
    )
    login("budi.santoso@example.id")
    page = en.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    assert "Denah buram" in page and "Send back to the front office" in page
    # The accepted document cannot be replaced; the rejected one can.
    en.post(
        reverse("applications:replace_document", args=[submitted.pk, "ktp"]),
        {"file": pdf_upload("ktp")},
    )
    assert submitted.documents.get(requirement_code="ktp", is_current=True) == ktp
    response = en.post(reverse("applications:resubmit", args=[submitted.pk]), follow=True)
    assert "Replace the rejected documents first" in response.content.decode()
    en.post(
        reverse("applications:replace_document", args=[submitted.pk, "denah"]),
        {"file": pdf_upload("denah")},
    )
    en.post(reverse("applications:resubmit", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    # Issue 21 item 14: the verifier who returned it is told that it came back.
    told = Notification.objects.get(application=submitted, kind="resubmitted")
    assert told.recipient.email == VERIFIER
    assert submitted.tracking_number in told.subject
    assert told.url == reverse("applications:intake_check", args=[submitted.pk])


def test_revision_answered_from_the_revision_page(en, login, routed):
    from applications.services.reviews import review_decide
    from tests.journeys import pdf_upload

    review = routed.reviews.get(agency__code="DINKES")
    review_decide(
        review_id=review.pk,
        actor=review.assignee,
        decision="request_revision",
        revision_items=[{"kind": "document", "key": "denah", "note": "Cantumkan ukuran"}],
    )
    login("budi.santoso@example.id")
    url = reverse("applications:revision", args=[routed.pk, review.pk])
    assert "Cantumkan ukuran" in en.get(url).content.decode()
    response = en.post(url, {"note": "Sudah"}, follow=True)
    assert "Replace these documents first" in response.content.decode()
    en.post(
        reverse("applications:revision_upload", args=[routed.pk, review.pk]),
        {"requirement": "denah", "file": pdf_upload("denah")},
    )
    en.post(url, {"note": "Denah diperbarui"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW
    # Issue 21 item 5: the timeline shows one revision as one request and one answer.
    detail = en.get(reverse("applications:detail", args=[routed.pk]))
    labels = [step.label for step in detail.context["timeline"]]
    assert sum(label.startswith("Revision requested") for label in labels) == 1, labels
    assert sum(label.startswith("Revision answered") for label in labels) == 1, labels
    requested = next(s for s in detail.context["timeline"] if s.label.startswith("Revision req"))
    assert requested.holder == "You (revision requested)"


def test_revision_page_is_the_applicants_only(client, login, routed):
    review = routed.reviews.get(agency__code="DINKES")
    login("siti.rahma@example.id")
    assert (
        client.get(reverse("applications:revision", args=[routed.pk, review.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("applications:revision", args=[routed.pk, review.pk]), {"note": "x"}
        ).status_code
        == 404
    )


def test_applicant_sees_times_in_the_regions_zone_with_its_label(en, login, submitted):
    """Issue 21 item 2: Bontang is WITA; its applicant's pages show WITA values, labelled."""
    from zoneinfo import ZoneInfo

    wita = timezone.localtime(submitted.due_at, ZoneInfo("Asia/Makassar"))
    wib = timezone.localtime(submitted.due_at, ZoneInfo("Asia/Jakarta"))
    login("budi.santoso@example.id")
    for name, args in (
        ("applications:detail", [submitted.pk]),
        ("applications:my_applications", []),
    ):
        html = en.get(reverse(name, args=args)).content.decode()
        assert f"{wita:%H:%M} WITA" in html, name
        assert f"{wib:%H:%M} WITA" not in html, name


def test_inspection_notice_gives_the_time_in_the_regions_zone(en, login, routed):
    from zoneinfo import ZoneInfo

    from applications.services.reviews import inspection_schedule

    review = routed.reviews.select_related("assignee").get(agency__code="DINKES")
    when = timezone.now() + timedelta(days=2)
    inspection_schedule(
        review_id=review.pk, actor=review.assignee, scheduled_for=when, place="Lokasi"
    )
    notice = Notification.objects.get(kind="inspection_scheduled", application=routed)
    local = timezone.localtime(when, ZoneInfo("Asia/Makassar"))
    assert f"{local:%d-%m-%Y %H:%M} WITA" in notice.body


def test_officer_cancels_an_inspection_from_the_review_page(en, login, routed):
    from applications.services.reviews import inspection_schedule

    review = routed.reviews.select_related("assignee").get(agency__code="DINKES")
    inspection = inspection_schedule(
        review_id=review.pk,
        actor=review.assignee,
        scheduled_for=timezone.now() + timedelta(days=1),
        place="Lokasi",
    )
    login(review.assignee.email)
    url = reverse("applications:inspection_cancel", args=[inspection.pk])
    page = en.post(url, {"cancel_reason": ""}, follow=True)
    assert "Say why the inspection is cancelled." in page.content.decode()
    inspection.refresh_from_db()
    assert inspection.is_open
    page = en.post(
        reverse("applications:review_decision", args=[review.pk]),
        {"decision": "recommend"},
        follow=True,
    )
    assert "record its result, or cancel it" in page.content.decode()
    page = en.post(url, {"cancel_reason": "Lokasi tutup"}, follow=True)
    assert (
        "Inspection cancelled." in page.content.decode() and "Lokasi tutup" in page.content.decode()
    )


def test_staff_pages_label_times_with_the_regions_zone(en, login, submitted):
    from zoneinfo import ZoneInfo

    wita = timezone.localtime(submitted.due_at, ZoneInfo("Asia/Makassar"))
    login(VERIFIER)
    for name in ("applications:intake_queue",):
        html = en.get(reverse(name)).content.decode()
        assert f"{wita:%H:%M} WITA" in html
    html = en.get(reverse("applications:intake_check", args=[submitted.pk])).content.decode()
    assert f"{wita:%H:%M} WITA" in html
