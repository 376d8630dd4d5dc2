"""The applicant's filing journey through the services and the pages."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Event, Status
from applications.services import filing
from catalog.models import PermitType
from ptsp.errors import Conflict, DomainError, NotAllowed
from tests.factories import ApplicantFactory
from tests.journeys import PDF, PNG, apotek, applicant, complete_draft, upload

pytestmark = pytest.mark.django_db


def submit(application, user=None):
    return filing.application_submit(application_id=application.pk, actor=user or applicant())


# --- services -----------------------------------------------------------------------------------
def test_submit_assigns_tracking_number_event_deadline_and_mails(demo, run_outbox):
    run_outbox()  # the demo's own mails
    application = complete_draft()
    filed = submit(application)
    year = timezone.localtime().year
    assert re.fullmatch(rf"BTG-{year}-\d{{6}}", filed.tracking_number)
    assert filed.status == Status.SUBMITTED and filed.submitted_at is not None
    assert filed.due_at is not None and filed.due_at > filed.submitted_at
    local_due = filed.due_at.astimezone(ZoneInfo(filed.region.timezone))
    assert local_due.time() == filed.region.service_end  # intake budget: 1 working day
    assert Event.objects.filter(application=filed, action="submit", to_status="submitted").exists()
    mail.outbox.clear()
    run_outbox()
    assert len(mail.outbox) == 1
    assert filed.tracking_number in mail.outbox[0].subject
    assert mail.outbox[0].to == ["budi.santoso@example.id"]
    run_outbox()
    assert len(mail.outbox) == 1


def test_confirmation_mail_is_in_the_applicants_language(demo, run_outbox):
    run_outbox()  # the demo's own mails
    user = applicant()
    user.language = "en"
    user.save()
    submit(complete_draft(user))
    mail.outbox.clear()
    run_outbox()
    assert "received" in mail.outbox[0].subject
    assert "has been received by the DPMPTSP front office" in mail.outbox[0].body
    notice = user.notifications.filter(kind="submitted").latest("pk")
    assert notice.url == reverse("applications:detail", args=[notice.application_id])


def test_tracking_numbers_count_up_per_region(demo):
    first = submit(complete_draft())
    second = submit(complete_draft())
    a = int(first.tracking_number.rsplit("-", 1)[1])
    b = int(second.tracking_number.rsplit("-", 1)[1])
    assert b == a + 1
    plg = submit(
        complete_draft(applicant("siti.rahma@example.id"), apotek("PLG")),
        applicant("siti.rahma@example.id"),
    )
    assert plg.tracking_number.startswith("PLG-")


def test_submitting_with_a_document_missing_lists_it_and_changes_nothing(demo):
    application = complete_draft(skip={"sppl", "denah"})
    with pytest.raises(DomainError) as error:
        submit(application)
    assert error.value.code == "incomplete"
    message = str(error.value)
    assert "SPPL" in message and "Denah bangunan dengan ukuran ruang" in message
    assert "Surat permohonan" not in message
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.tracking_number is None
    assert not application.events.exists()


def test_missing_business_data_and_required_fields_are_listed(demo):
    application = filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())
    with pytest.raises(DomainError) as error:
        submit(application)
    missing = error.value.details["missing"]
    assert "NIB" in missing and "Nama apoteker penanggung jawab" in missing
    assert any("Surat permohonan" in m for m in missing)


def test_submitting_twice_gives_one_tracking_number(demo):
    application = complete_draft()
    filed = submit(application)
    with pytest.raises(Conflict):
        submit(application)
    application.refresh_from_db()
    assert application.tracking_number == filed.tracking_number
    assert application.events.filter(action="submit").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nib": "12345"}, "nib"),
        ({"nib": "12345678901ab"}, "nib"),
        ({"kbli": "4772"}, "kbli"),
        ({"latitude": "95"}, "latitude"),
        ({"longitude": "abc"}, "longitude"),
        ({"luas_ruang": "empat puluh"}, "luas_ruang"),
        ({"luas_ruang": "-3"}, "luas_ruang"),
        ({"luas_ruang": "NaN"}, "luas_ruang"),
        ({"jenis_pemohon": "Koperasi"}, "jenis_pemohon"),
        ({"business_name": "x" * 201}, "business_name"),
    ],
)
def test_a_value_outside_its_declared_type_is_refused_and_nothing_saved(demo, data, field):
    application = filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())
    filing.application_update_draft(
        application_id=application.pk,
        actor=applicant(),
        data={"business_name": "Lama", "luas_ruang": "10"},
    )
    with pytest.raises(DomainError) as error:
        filing.application_update_draft(
            application_id=application.pk,
            actor=applicant(),
            data={**data, "kecamatan": "Baru"},
        )
    assert error.value.code == "invalid_fields" and field in error.value.details
    application.refresh_from_db()
    assert application.business_name == "Lama" and application.kecamatan == ""
    assert application.form_data == {"luas_ruang": "10.00"}


def test_typed_fields_of_every_kind(demo):
    pbg = PermitType.objects.get(region__code="BTG", code="PBG")
    application = filing.application_create_draft(permit_type_id=pbg.pk, actor=applicant())
    start = (timezone.localdate() + timedelta(days=30)).isoformat()  # planned, so ahead
    filing.application_update_draft(
        application_id=application.pk,
        actor=applicant(),
        data={
            "luas_bangunan": "120,5",
            "jumlah_lantai": "2",
            "rencana_mulai": start,
            "fungsi_bangunan": "Usaha",
            "undeclared": "forged",
        },
    )
    application.refresh_from_db()
    assert application.form_data == {
        "luas_bangunan": "120.50",
        "jumlah_lantai": 2,
        "rencana_mulai": start,
        "fungsi_bangunan": "Usaha",
    }
    for bad in ({"jumlah_lantai": "2.5"}, {"rencana_mulai": "31/12/" + start[:4]}):
        with pytest.raises(DomainError):
            filing.application_update_draft(
                application_id=application.pk, actor=applicant(), data=bad
            )


def test_editing_or_uploading_after_submit_is_refused(demo):
    filed = submit(complete_draft())
    with pytest.raises(Conflict) as error:
        filing.application_update_draft(
            application_id=filed.pk, actor=applicant(), data={"business_name": "Ganti"}
        )
    assert "can no longer be changed" in str(error.value) or error.value.code == "not_draft"
    with pytest.raises(Conflict):
        filing.document_upload(
            application_id=filed.pk,
            requirement_code="sppl",
            upload=upload(),
            actor=applicant(),
        )
    with pytest.raises(Conflict):
        filing.document_remove(application_id=filed.pk, requirement_code="sppl", actor=applicant())
    filed.refresh_from_db()
    assert filed.business_name == "Apotek Uji"
    assert filed.documents.filter(requirement_code="sppl").count() == 1


def test_another_person_cannot_change_or_submit_a_draft(demo):
    application = complete_draft()
    other = applicant("siti.rahma@example.id")
    for call in (
        lambda: filing.application_update_draft(
            application_id=application.pk, actor=other, data={"business_name": "X"}
        ),
        lambda: filing.document_upload(
            application_id=application.pk, requirement_code="sppl", upload=upload(), actor=other
        ),
        lambda: submit(application, other),
    ):
        with pytest.raises(NotAllowed):
            call()
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.business_name == "Apotek Uji"


def test_inactive_permit_type_cannot_be_filed(demo):
    permit_type = apotek()
    permit_type.is_active = False
    permit_type.save()
    count = Application.objects.count()
    with pytest.raises(DomainError) as error:
        filing.application_create_draft(permit_type_id=permit_type.pk, actor=applicant())
    assert error.value.code == "permit_type_inactive"
    assert Application.objects.count() == count


def test_withdraw_needs_a_reason_and_goes_through_the_workflow(demo):
    filed = submit(complete_draft())
    with pytest.raises(DomainError):
        filing.application_withdraw(application_id=filed.pk, actor=applicant(), reason="  ")
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED
    filing.application_withdraw(application_id=filed.pk, actor=applicant(), reason="Lokasi pindah")
    filed.refresh_from_db()
    assert filed.status == Status.WITHDRAWN and filed.withdraw_reason == "Lokasi pindah"
    assert filed.events.get(action="withdraw").note == "Lokasi pindah"
    with pytest.raises(Conflict):
        filing.application_withdraw(application_id=filed.pk, actor=applicant(), reason="lagi")


# --- pages --------------------------------------------------------------------------------------
def test_the_journey_through_the_pages(client, demo, login):
    login("budi.santoso@example.id")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("applications:new"), {"region": "BTG"}).content.decode()
    assert "Pharmacy permit (SIA)" in page
    response = client.post(reverse("applications:new"), {"permit_type": apotek().pk})
    application = Application.objects.filter(applicant__email="budi.santoso@example.id").latest(
        "pk"
    )
    assert response.url == reverse("applications:edit", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "Pharmacy floor area (m²)" in page and "progress" in page
    response = client.post(
        reverse("applications:edit", args=[application.pk]),
        {
            "business_name": "Apotek Uji",
            "nib": "9120301234567",
            "kbli": "47721",
            "address": "Jl. Uji",
            "kelurahan": "Api-Api",
            "kecamatan": "Bontang Utara",
            "nama_apoteker": "apt. Uji",
            "nomor_sipa": "S-1",
            "luas_ruang": "40",
            "jenis_pemohon": "Perorangan",
        },
    )
    assert response.status_code == 302
    response = client.post(reverse("applications:submit", args=[application.pk]), follow=True)
    assert "Missing:" in response.content.decode()
    for requirement in application.catalog_version.snapshot["requirements"]:
        if requirement["is_required"]:
            kind = "pdf" if "pdf" in requirement["accepted_kinds"] else "png"
            data = PDF if kind == "pdf" else PNG
            response = client.post(
                reverse("applications:upload_document", args=[application.pk, requirement["code"]]),
                {"file": upload(f"f.{kind}", data)},
                HTTP_X_REQUESTED_WITH="XMLHttpRequest",
            )
            assert response.json()["ok"], response.json()
    response = client.post(reverse("applications:submit", args=[application.pk]), follow=True)
    page = response.content.decode()
    application.refresh_from_db()
    assert application.tracking_number and application.tracking_number in page
    assert 'id="timeline"' in page and "Submitted" in page and "Draft created" in page
    page = client.get(reverse("applications:my_applications")).content.decode()
    assert application.tracking_number in page and "DPMPTSP front office" in page


def test_bad_upload_through_the_page_gets_a_clear_message(client, demo, login):
    login("budi.santoso@example.id")
    client.cookies["django_language"] = "en"
    application = filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())
    url = reverse("applications:upload_document", args=[application.pk, "surat_permohonan"])
    response = client.post(
        url, {"file": upload("x.pdf", b"MZ\x90\x00")}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    assert "not an accepted kind" in response.json()["error"]
    response = client.post(url, {"file": upload("x.pdf", b"MZ\x90\x00")}, follow=True)
    assert "not an accepted kind" in response.content.decode()
    assert not application.documents.exists()


def test_invalid_field_on_the_page_is_shown_and_nothing_saved(client, demo, login):
    login("budi.santoso@example.id")
    client.cookies["django_language"] = "en"
    application = filing.application_create_draft(permit_type_id=apotek().pk, actor=applicant())
    response = client.post(
        reverse("applications:edit", args=[application.pk]),
        {"business_name": "Baru", "nib": "123", "luas_ruang": "banyak"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "NIB must be exactly 13 digits." in page and "Enter a number." in page
    application.refresh_from_db()
    assert application.business_name == ""


def test_inactive_permit_type_through_the_page(client, demo, login):
    login("budi.santoso@example.id")
    client.cookies["django_language"] = "en"
    PermitType.objects.filter(pk=apotek().pk).update(is_active=False)
    count = Application.objects.count()
    response = client.post(reverse("applications:new"), {"permit_type": apotek().pk}, follow=True)
    assert "not open for applications" in response.content.decode()
    assert Application.objects.count() == count


def test_other_peoples_applications_and_documents_are_404(client, demo, login):
    mine = complete_draft()
    document = mine.documents.first()
    login("siti.rahma@example.id")
    urls_get = [
        reverse("applications:detail", args=[mine.pk]),
        reverse("applications:edit", args=[mine.pk]),
        reverse("applications:download_document", args=[document.pk]),
    ]
    urls_post = [
        reverse("applications:submit", args=[mine.pk]),
        reverse("applications:withdraw", args=[mine.pk]),
        reverse("applications:upload_document", args=[mine.pk, "sppl"]),
        reverse("applications:remove_document", args=[mine.pk, "sppl"]),
    ]
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    for url in urls_post:
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    missing = reverse("applications:detail", args=[987654])
    assert client.get(missing).status_code == 404
    mine.refresh_from_db()
    assert mine.status == Status.DRAFT and mine.documents.filter(is_current=True).count() > 5


def test_owner_downloads_own_document(client, demo, login):
    application = complete_draft()
    document = application.documents.get(requirement_code="surat_permohonan")
    login("budi.santoso@example.id")
    response = client.get(reverse("applications:download_document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_staff_of_another_region_cannot_download(client, demo, login):
    filed = submit(complete_draft())
    document = filed.documents.first()
    login("verifikator.plg@ptsp.local")
    url = reverse("applications:download_document", args=[document.pk])
    assert client.get(url).status_code == 404
    client.logout()
    login("verifikator.btg@ptsp.local")
    assert client.get(url).status_code == 200


def test_withdraw_through_the_page(client, demo, login):
    filed = submit(complete_draft())
    login("budi.santoso@example.id")
    url = reverse("applications:withdraw", args=[filed.pk])
    client.post(url, {"reason": ""})
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED
    client.post(url, {"reason": "Tidak jadi"})
    filed.refresh_from_db()
    assert filed.status == Status.WITHDRAWN


def test_empty_state_links_the_catalog(client, db):
    user = ApplicantFactory()
    client.force_login(user)
    page = client.get(reverse("applications:my_applications")).content.decode()
    assert reverse("catalog:catalog") in page


def test_my_applications_has_fixed_query_count(client, demo, login, django_assert_max_num_queries):
    for _ in range(3):
        submit(complete_draft())
    login("budi.santoso@example.id")
    with django_assert_max_num_queries(10):
        client.get(reverse("applications:my_applications"))


def test_detail_page_has_fixed_query_count(client, demo, login, run_outbox):
    """The same number of queries for a file just submitted and for one with reviews, many
    documents versions and a long history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from applications.services.intake import application_accept
    from applications.services.reviews import review_decide
    from tests.journeys import all_accepted, submitted_application

    filed = submit(complete_draft())
    busy = submitted_application()
    application_accept(
        application_id=busy.pk,
        actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        verdicts=all_accepted(busy),
    )
    run_outbox()
    for review in busy.reviews.select_related("assignee"):
        review_decide(review_id=review.pk, actor=review.assignee, decision="recommend")
    login("budi.santoso@example.id")
    # Warm the per-process reference cache (the regions of the footer), as any running server is.
    client.get(reverse("applications:my_applications"))
    counts = []
    for application in (filed, busy):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
            )
        counts.append(len(queries))
    # the person, the file, its rows (events, reviews, documents: one statement) and one more
    assert counts[0] == counts[1] <= 4, counts


def test_editing_and_uploading_after_submit_through_the_pages(client, demo, login):
    filed = submit(complete_draft())
    login("budi.santoso@example.id")
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("applications:edit", args=[filed.pk]), {"business_name": "Ganti"}, follow=True
    )
    assert "can no longer be changed" in response.content.decode()
    response = client.post(
        reverse("applications:upload_document", args=[filed.pk, "sppl"]),
        {"file": upload()},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400
    assert "can no longer be changed" in response.json()["error"]
    response = client.post(reverse("applications:submit", args=[filed.pk]), follow=True)
    assert "can no longer be changed" in response.content.decode()
    filed.refresh_from_db()
    assert filed.business_name == "Apotek Uji"
    assert filed.documents.count() == filed.documents.filter(version=1).count()
    assert filed.events.filter(action="submit").count() == 1


def test_an_unticked_yes_no_field_is_saved_as_no(client, demo, login):
    iuts = PermitType.objects.get(region__code="BTG", code="IUTS")
    application = filing.application_create_draft(permit_type_id=iuts.pk, actor=applicant())
    login("budi.santoso@example.id")
    url = reverse("applications:edit", args=[application.pk])
    client.post(url, {"business_name": "Toko", "luas_lantai_jual": "200"})
    application.refresh_from_db()
    assert application.form_data["jaringan_waralaba"] is False
    client.post(url, {"business_name": "Toko", "jaringan_waralaba": "true"})
    application.refresh_from_db()
    assert application.form_data["jaringan_waralaba"] is True


def test_draft_page_has_fixed_query_count(client, demo, login, django_assert_max_num_queries):
    application = complete_draft()
    login("budi.santoso@example.id")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("applications:edit", args=[application.pk]))
    assert response.status_code == 200


def test_apply_twice_reuses_the_open_draft_and_the_draft_can_be_deleted(client, demo):
    """Issue 21 item 7: one open draft per type; the applicant deletes it; nobody else can."""
    from django.urls import reverse as url

    from accounts.models import User
    from applications.models import Application, Status
    from catalog.models import PermitType

    applicant = User.objects.get(email="budi.santoso@example.id")
    ptype = PermitType.objects.filter(region__code="BTG", is_active=True).first()
    client.force_login(applicant)
    client.cookies["django_language"] = "en"
    before = Application.objects.filter(applicant=applicant, status=Status.DRAFT).count()
    first = client.post(url("applications:new"), {"permit_type": ptype.pk})
    second = client.post(url("applications:new"), {"permit_type": ptype.pk})
    assert first["Location"] == second["Location"]
    drafts = Application.objects.filter(applicant=applicant, permit_type=ptype, status=Status.DRAFT)
    assert drafts.count() == 1
    assert (
        Application.objects.filter(applicant=applicant, status=Status.DRAFT).count() <= before + 1
    )
    draft = drafts.get()
    # Someone else cannot delete it (404, nothing changes).
    client.force_login(User.objects.get(email="siti.rahma@example.id"))
    assert client.post(url("applications:delete_draft", args=[draft.pk])).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
    client.force_login(applicant)
    page = client.post(url("applications:delete_draft", args=[draft.pk]), follow=True)
    assert "The draft was deleted." in page.content.decode()
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_a_filed_application_cannot_be_deleted(client, demo):
    from django.urls import reverse as url

    from applications.models import Application
    from tests.journeys import submitted_application

    application = submitted_application()
    client.force_login(application.applicant)
    client.cookies["django_language"] = "en"
    page = client.post(url("applications:delete_draft", args=[application.pk]), follow=True)
    assert "Only a draft can be deleted" in page.content.decode()
    assert Application.objects.filter(pk=application.pk, status="submitted").exists()
