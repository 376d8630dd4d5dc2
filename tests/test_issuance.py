"""Issuance: numbers, the signed PDF, verification, revocation, expiry, refusals and faults."""

import io
import logging
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from applications.models import Notification, Status
from permits.models import Permit, PermitCounter
from permits.services.issuance import (
    format_permit_number,
    permit_issue,
    permit_revoke,
    permits_expire,
    permits_remind_expiry,
    rejection_letter_issue,
)
from permits.signing import SigningUnavailable
from permits.verification import check_file
from tests.journeys import issued_permit, permit_pdf, recommended_application
from tests.stepup import step_up

pytestmark = pytest.mark.django_db

SIGNER = "kepala.btg@ptsp.local"


def _signer(email=SIGNER):
    return User.objects.get(email=email)


def _pdfa_part(data: bytes) -> str:
    import re

    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    # PDF/A-3 is PDF 1.7: the signature must not raise the version (an ECDSA P-256 key would
    # make pyHanko declare the PDF 2.0 extension ISO 32002).
    assert data.startswith(b"%PDF-1.7") and "/Version" not in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "/OutputIntents" in root
    match = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:>|=\")(\w)", xmp)
    assert conformance and conformance.group(1) == "B"
    return match.group(1) if match else ""


def _pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout


def test_number_format_fills_every_placeholder():
    from datetime import date

    number = format_permit_number(
        "503/{seq:04d}/{code}/{region}/DPMPTSP/{roman_month}/{month:02d}/{year}",
        seq=7,
        code="SIP-DU",
        region="BTG",
        on=date(2026, 11, 22),
    )
    assert number == "503/0007/SIP-DU/BTG/DPMPTSP/XI/11/2026"


def test_sign_and_issue_gives_a_signed_pdf_that_pyhanko_and_pdfsig_accept(
    demo, signing_cert, run_outbox, tmp_path
):
    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=_signer())
    application.refresh_from_db()
    assert application.status == Status.ISSUING
    assert permit.status == Permit.Status.ISSUING and permit.number.startswith(
        "503/0001/SIP-DU/DPM-PTSP/"
    )
    assert len(permit.verification_token) >= 43  # 32 random bytes, URL-safe

    assert [t for t in run_outbox() if t.startswith("permits.")] == ["permits.tasks.issue_permit"]
    permit.refresh_from_db()
    application.refresh_from_db()
    assert permit.status == Permit.Status.VALID
    assert application.status == Status.ISSUED
    data = permit_pdf(permit)
    assert data.startswith(b"%PDF-") and permit.size == len(data)
    assert _pdfa_part(data) == "3"  # PDF/A-3 identification in the XMP metadata
    report = check_file(data, permit=permit)
    assert report.hash_matches and report.signature.ok, report
    assert not report.signature.timestamped  # B-B without a TSA
    out = _pdfsig(data, tmp_path)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out
    assert application.events.filter(action="issue", actor=None).exists()
    assert Notification.objects.filter(recipient=application.applicant, kind="issued").count() == 1


def test_pades_b_t_with_a_local_timestamp_authority(
    demo, signing_cert, local_tsa, run_outbox, tmp_path
):
    permit = issued_permit(run_outbox)
    data = permit_pdf(permit)
    assert local_tsa.requests >= 1
    report = check_file(data, permit=permit)
    assert report.signature.ok and report.signature.timestamped, report
    out = _pdfsig(data, tmp_path)
    assert "Signature Validation: Signature is Valid." in out, out


@pytest.mark.parametrize("tamper", ["one_byte", "page_added", "resaved"])
def test_tampered_pdfs_fail_on_the_verification_page(
    demo, signing_cert, run_outbox, client, tamper
):
    permit = issued_permit(run_outbox)
    data = permit_pdf(permit)
    if tamper == "one_byte":
        position = len(data) // 3  # inside the first signed range
        changed = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
    elif tamper == "page_added":
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.writer import PageObject

        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        stream = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
        writer.insert_page(PageObject(contents=stream, media_box=[0, 0, 595, 842]))
        out = io.BytesIO()
        writer.write(out)
        changed = out.getvalue()
    else:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        out = io.BytesIO()
        writer.write(out)
        changed = out.getvalue()
    assert changed != data
    report = check_file(changed, permit=permit)
    assert not report.hash_matches and not report.ok
    if tamper != "resaved":
        assert not report.signature.ok

    client.cookies["django_language"] = "en"
    url = reverse("permits:verify", args=[permit.verification_token])
    response = client.post(url, {"file": _upload(changed)})
    text = response.content.decode()
    assert "Not genuine" in text and "Not the issued file" in text
    response = client.post(url, {"file": _upload(data)})
    text = response.content.decode()
    assert "Genuine: this is the issued file" in text and "Signed with the region" in text


def _upload(data: bytes, name="izin.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_verification_page_shows_public_facts_only(demo, signing_cert, run_outbox, client):
    permit = issued_permit(run_outbox)
    application = permit.application
    client.cookies["django_language"] = "en"
    response = client.get(reverse("permits:verify", args=[permit.verification_token]))
    assert response.status_code == 200
    text = response.content.decode()
    for public in (permit.number, permit.business_name, permit.sha256, "Valid"):
        assert public in text
    profile = application.applicant.applicant_profile
    for private in (
        application.applicant.full_name,
        application.applicant.email,
        profile.nik,
        profile.phone,
        application.nib,
        application.address,
        application.tracking_number,
        application.form_data["nomor_str"],
    ):
        assert private not in text, private


def test_unknown_or_malformed_token_is_a_plain_not_found(demo, signing_cert, run_outbox, client):
    permit = issued_permit(run_outbox)
    client.cookies["django_language"] = "en"
    pages = []
    for token in ["x" * 43, "short", permit.verification_token[:-1] + "!", "A" * 200]:
        response = client.get(f"/verify/{token}/")
        assert response.status_code == 404
        text = response.content.decode()
        pages.append(text[text.index("<main") : text.index("</main>")])
    assert len(set(pages)) == 1 and permit.number not in pages[0]
    assert "No document matches this verification address." in pages[0]


def test_revocation_and_expiry_change_the_verification_page(demo, signing_cert, run_outbox, client):
    permit = issued_permit(run_outbox)
    url = reverse("permits:verify", args=[permit.verification_token])
    client.cookies["django_language"] = "en"
    assert (
        "This permit was issued by the DPMPTSP and is in force." in client.get(url).content.decode()
    )

    # Revocation needs a reason and the step-up, through the signer's form
    client.force_login(_signer())
    revoke = reverse("permits:revoke", args=[permit.pk])
    response = client.post(revoke, step_up(SIGNER, reason=""))
    assert response.status_code == 400
    no_code = client.post(revoke, {"reason": "Izin lokasi dibatalkan.", "password": "x"})
    assert no_code.status_code == 400
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID
    response = client.post(revoke, step_up(SIGNER, reason="Izin lokasi dibatalkan."))
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.status == Permit.Status.REVOKED and permit.revoked_by == _signer()
    client.logout()
    client.cookies["django_language"] = "en"
    assert "This permit was revoked on" in client.get(url).content.decode()

    other = issued_permit(run_outbox, applicant_email="siti.rahma@example.id")
    assert permits_expire(today=other.valid_until) == 0
    assert permits_expire(today=other.valid_until + timedelta(days=1)) == 1
    other.refresh_from_db()
    assert other.status == Permit.Status.EXPIRED
    text = client.get(reverse("permits:verify", args=[other.verification_token])).content.decode()
    assert "This permit has expired." in text


def test_expiry_reminders_are_sent_once(demo, signing_cert, run_outbox):
    permit = issued_permit(run_outbox)
    today = permit.valid_until - timedelta(days=31)
    assert permits_remind_expiry(today=today) == 0
    today = permit.valid_until - timedelta(days=30)
    assert permits_remind_expiry(today=today) == 1
    assert permits_remind_expiry(today=today) == 0
    assert permits_remind_expiry(today=today + timedelta(days=5)) == 0
    assert Notification.objects.filter(kind="permit_expiring").count() == 1


@pytest.mark.parametrize("fault", ["missing", "wrong_passphrase"])
def test_unusable_certificate_refuses_cleanly(demo, signing_cert, login, caplog, fault):
    if fault == "missing":
        signing_cert.SIGNING_CERT_PATH = "/nonexistent/signer.p12"
    else:
        signing_cert.SIGNING_CERT_PASSPHRASE = "not-the-passphrase"
    application = recommended_application()
    with caplog.at_level(logging.ERROR, logger="ptsp.signing"), pytest.raises(SigningUnavailable):
        permit_issue(application_id=application.pk, actor=_signer())
    assert any("signing certificate" in r.getMessage() for r in caplog.records)

    client = login(SIGNER)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("permits:sign", args=[application.pk]), step_up(SIGNER))
    assert response.status_code == 400
    assert "signing certificate" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not Permit.objects.exists()
    assert not PermitCounter.objects.filter(last_value__gt=0).exists()


def test_wrong_password_signs_nothing(demo, signing_cert, login):
    application = recommended_application()
    client = login(SIGNER)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("permits:sign", args=[application.pk]), step_up(SIGNER, password="nope")
    )
    assert response.status_code == 400
    assert "The password is not correct" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and not Permit.objects.exists()


def test_double_click_and_retried_task_give_one_permit(demo, signing_cert, run_outbox, login):
    from permits.tasks import issue_permit

    application = recommended_application()
    client = login(SIGNER)
    url = reverse("permits:sign", args=[application.pk])
    first_click = step_up(SIGNER)
    assert client.post(url, first_click).status_code == 302
    # The second click sends the same code again: refused as already used, nothing changes.
    again = client.post(url, first_click)
    assert again.status_code == 400 and Permit.objects.count() == 1
    assert client.post(url, step_up(SIGNER)).status_code == 302  # a new code: the same permit
    first = permit_issue(application_id=application.pk, actor=_signer())
    assert Permit.objects.count() == 1
    run_outbox()
    permit = Permit.objects.get()
    sha, name = permit.sha256, permit.file.name
    issue_permit.apply(args=[first.pk])  # a redelivered message
    issue_permit.apply(args=[first.pk])
    permit.refresh_from_db()
    assert (permit.sha256, permit.file.name) == (sha, name)
    assert PermitCounter.objects.get().last_value == 1
    assert permit_issue(application_id=application.pk, actor=_signer()).pk == permit.pk
    assert application.events.filter(action="issue").count() == 1


def test_a_worker_killed_mid_issuance_is_completed_by_the_retry(demo, signing_cert, run_outbox):
    """A worker dying before its final commit leaves no trace in the database: simulated by
    rolling back the task's transaction; the redelivered task then completes the same permit."""
    from django.db import transaction

    from permits.services.issuance import permit_complete_issuance

    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=_signer())

    class Killed(Exception):
        pass

    with pytest.raises(Killed), transaction.atomic():
        permit_complete_issuance(permit_id=permit.pk)
        raise Killed
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUING and not permit.file
    run_outbox()  # the redelivered task
    assert Permit.objects.count() == 1
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID
    assert check_file(permit_pdf(permit), permit=permit).ok
    assert PermitCounter.objects.get().last_value == 1


def test_final_failure_is_shown_and_the_number_is_kept(
    demo, signing_cert, run_outbox, login, caplog, english
):
    """The certificate disappears between the click and the task: the task records the reason,
    the application returns to the signer, and the next attempt reuses the number."""
    from django.core.management import call_command

    application = recommended_application()
    permit = permit_issue(application_id=application.pk, actor=_signer())
    Path(signing_cert.SIGNING_CERT_PATH).rename(signing_cert.SIGNING_CERT_PATH + ".away")
    with caplog.at_level(logging.ERROR):
        run_outbox()
    permit.refresh_from_db()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert permit.status == Permit.Status.ISSUING
    # The truth: not signed, and the number stays reserved (it was taken at the click).
    assert "certificate chosen when the permit was signed" in permit.last_error
    assert f"its number {permit.number} stays reserved" in permit.last_error
    assert application.events.filter(action="issuance_failed").exists()

    client = login(SIGNER)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("permits:sign", args=[application.pk])).content.decode()
    assert "The last issuance attempt failed." in page and permit.number in page

    call_command("make_dev_signing_cert", stdout=io.StringIO())
    again = permit_issue(application_id=application.pk, actor=_signer())
    run_outbox()
    again.refresh_from_db()
    assert again.pk == permit.pk and again.number == permit.number
    assert again.status == Permit.Status.VALID and again.last_error == ""
    assert PermitCounter.objects.get().last_value == 1


def test_make_dev_signing_cert_keeps_existing_files(signing_cert):
    from django.core.management import call_command

    before = Path(signing_cert.SIGNING_CERT_PATH).read_bytes()
    call_command("make_dev_signing_cert", stdout=io.StringIO())
    assert Path(signing_cert.SIGNING_CERT_PATH).read_bytes() == before
    # No region in the database: no region's certificate either.
    assert not Path(signing_cert.SIGNING_CERT_DIR).exists()
    call_command("make_dev_signing_cert", "--force", stdout=io.StringIO())
    assert Path(signing_cert.SIGNING_CERT_PATH).read_bytes() != before


def test_progress_partial_and_download(demo, signing_cert, run_outbox, login, client):
    application = recommended_application()
    signer_client = login(SIGNER)
    signer_client.cookies["django_language"] = "en"
    signer_client.post(reverse("permits:sign", args=[application.pk]), step_up(SIGNER))
    status_url = reverse("permits:issuance_status", args=[application.pk])
    partial = signer_client.get(status_url).content.decode()
    assert "Being issued" in partial and 'hx-trigger="every 1s"' in partial
    run_outbox()
    partial = signer_client.get(status_url).content.decode()
    assert "is issued and signed" in partial and "hx-trigger" not in partial
    signer_client.logout()

    permit = Permit.objects.get()
    url = reverse("permits:download", args=[permit.pk])
    client.force_login(User.objects.get(email="siti.rahma@example.id"))
    assert client.get(url).status_code == 404
    client.force_login(_signer())
    assert client.get(url).status_code == 404
    client.force_login(application.applicant)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == permit_pdf(permit)


def test_other_region_signer_and_non_signers_are_refused(demo, signing_cert, client):
    from ptsp.errors import NotAllowed

    application = recommended_application()
    urls = [
        reverse("permits:sign", args=[application.pk]),
        reverse("permits:issuance_status", args=[application.pk]),
        reverse("permits:preview", args=[application.pk]),
    ]
    client.force_login(_signer("kepala.plg@ptsp.local"))
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[0], step_up("kepala.plg@ptsp.local")).status_code == 404
    assert application.pk not in [
        a["pk"] for a in client.get(reverse("permits:signing_queue")).context["applications"]
    ]
    with pytest.raises(NotAllowed):
        permit_issue(application_id=application.pk, actor=_signer("kepala.plg@ptsp.local"))
    for email in ("verifikator.btg@ptsp.local", "budi.santoso@example.id"):
        client.force_login(User.objects.get(email=email))
        for url in [*urls, reverse("permits:signing_queue")]:
            assert client.get(url).status_code == 403
    with pytest.raises(NotAllowed):
        permit_issue(
            application_id=application.pk,
            actor=User.objects.get(email="verifikator.btg@ptsp.local"),
        )
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and not Permit.objects.exists()


def test_revocation_by_another_regions_signer_is_refused(demo, signing_cert, run_outbox, client):
    from ptsp.errors import NotAllowed

    permit = issued_permit(run_outbox)
    with pytest.raises(NotAllowed):
        permit_revoke(permit_id=permit.pk, actor=_signer("kepala.plg@ptsp.local"), reason="x")
    client.force_login(_signer("kepala.plg@ptsp.local"))
    assert (
        client.post(reverse("permits:revoke", args=[permit.pk]), {"reason": "x"}).status_code == 404
    )
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID


def test_signing_queue_oldest_first_with_fixed_queries(
    demo, signing_cert, login, django_assert_max_num_queries
):
    apps = [recommended_application() for _ in range(3)]
    client = login(SIGNER)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("permits:signing_queue"))
    assert [a["pk"] for a in response.context["applications"]] == [a.pk for a in apps]
    for _ in range(5):
        recommended_application()
    with django_assert_max_num_queries(12):
        client.get(reverse("permits:signing_queue"))
    page = client.get(reverse("permits:sign", args=[apps[0].pk]))
    assert page.status_code == 200
    assert client.get(reverse("permits:preview", args=[apps[0].pk])).status_code == 200


def test_rejection_letter_is_signed(demo, signing_cert):
    application = recommended_application()
    letter = rejection_letter_issue(
        application=application,
        signer=_signer(),
        reasons="Lokasi tidak sesuai rencana tata ruang.\nDokumen lingkungan belum ada.",
    )
    with letter.file.open("rb") as f:
        data = f.read()
    from permits.verification import check_signature

    report = check_signature(data, region=application.region)
    assert report.ok, report
    assert rejection_letter_issue(application=application).pk == letter.pk


def test_english_permit_and_indonesian_dates(demo, signing_cert, run_outbox):
    from datetime import date

    from permits.rendering import long_date, permit_html

    assert long_date(date(2026, 11, 22)) == "22 November 2026"
    assert long_date(date(2026, 8, 17)) == "17 Agustus 2026"
    permit = issued_permit(run_outbox)
    html = permit_html(permit)
    assert "SURAT IZIN PRAKTIK DOKTER" in html and "Bontang, " in html
    # Issue 21 item 10: signed with the development certificate, the footnote names its real
    # issuer and the document says it is not legally valid.
    assert "Balai Besar Sertifikasi Elektronik (BSrE)" not in html
    assert "PTSP Online (development)" in html and "sertifikat pengembangan" in html
    assert "TIDAK SAH SECARA HUKUM" in html and 'data-testid="development-mark"' in html
    assert permit.signer_nip and permit.signer_nip in html
    assert f"https://ptsp.bontangkota.go.id/verify/{permit.verification_token}/" in html
    permit.permit_type.pdf_language = "en"
    permit.permit_type.save()
    html = permit_html(permit)
    assert "MEDICAL PRACTICE LICENCE (SIP DOKTER)" in html and "Electronically signed by" in html


def test_permit_admin_is_read_only(demo, signing_cert, run_outbox, client):
    permit = issued_permit(run_outbox)
    client.force_login(User.objects.get(email="admin@ptsp.local"))
    assert client.get("/admin/permits/permit/").status_code == 200
    page = client.get(f"/admin/permits/permit/{permit.pk}/change/")
    assert page.status_code == 200
    assert permit.verification_token not in page.content.decode()
    assert client.get("/admin/permits/permit/add/").status_code == 403


def test_a_type_template_extends_the_shared_one(demo, signing_cert, run_outbox):
    from permits.rendering import permit_html, permit_template_names

    permit = issued_permit(run_outbox, permit_code="PBG")
    html = permit_html(permit)
    assert "Data Bangunan Gedung" in html and "Sertifikat Laik Fungsi" in html
    assert "TIDAK SAH SECARA HUKUM" in html  # from the shared base
    permit.permit_type.pdf_template = "admin/base.html"
    assert "admin/base.html" not in permit_template_names(permit.permit_type)


def test_applicant_page_shows_the_permit_first_after_issuance(
    demo, signing_cert, run_outbox, client
):
    """Issue 21 item 13: number, validity and download first; no deadline or holder left."""
    permit = issued_permit(run_outbox)
    client.force_login(permit.application.applicant)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("applications:detail", args=[permit.application_id])).content.decode()
    assert html.index('id="permit"') < html.index("Tracking number")
    facts = html.split('data-testid="permit-facts"', 1)[1].split("</dl>", 1)[0]
    assert permit.number in facts and "Valid until" in facts
    assert reverse("permits:download", args=[permit.pk]) in html
    main_facts = html.split('<dl class="facts card">', 1)[1].split("</dl>", 1)[0]
    assert "Held by" not in main_facts and "<dt>Due</dt>" not in main_facts


def test_my_applications_lists_the_permit_not_a_deadline_after_issuance(
    demo, signing_cert, run_outbox, client
):
    """Issue 21 item 13 on the list too: an issued file shows its permit number and validity,
    not "Held by: done" and a deadline that no longer means anything."""
    permit = issued_permit(run_outbox)
    client.force_login(permit.application.applicant)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("applications:my_applications")).content.decode()
    row = html.split(permit.application.tracking_number, 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="list-permit-number"' in row and permit.number in row
    valid = permit.valid_until.strftime("%-d %B %Y") if permit.valid_until else "No end date"
    assert valid in row
    assert 'data-label="Held by"' not in row and 'data-label="Due"' not in row


def test_the_footnote_names_a_real_issuer_without_the_development_mark(
    demo, signing_cert, run_outbox, monkeypatch
):
    from permits import signing
    from permits.rendering import permit_html

    permit = issued_permit(run_outbox)
    monkeypatch.setattr(
        signing.LocalPkcs12Signer,
        "certificate_issuer",
        lambda self: {"name": "Balai Besar Sertifikasi Elektronik", "development": False},
    )
    html = permit_html(permit)
    assert "diterbitkan oleh Balai Besar Sertifikasi Elektronik." in html
    assert "alat bukti hukum yang sah" in html and 'data-testid="development-mark"' not in html


def test_the_signers_preview_has_the_issued_files_number_format_and_validity(
    demo, signing_cert, run_outbox, client
):
    from permits.services.issuance import format_permit_number

    application = recommended_application()
    ptype = application.permit_type
    ptype.validity_months = 60
    ptype.save()
    client.force_login(_signer())
    html = client.get(reverse("permits:preview", args=[application.pk])).content.decode()
    from django.utils import timezone

    from permits.rendering import long_date
    from permits.services.issuance import _add_months, _region_today

    today = _region_today(application.region)
    expected = format_permit_number(
        ptype.number_format, seq=1, code=ptype.code, region=application.region.code, on=today
    )
    assert expected in html
    assert long_date(_add_months(today, 60)) in html
    assert "TIDAK SAH SECARA HUKUM" in html
    permit = permit_issue(application_id=application.pk, actor=_signer())
    run_outbox()
    permit.refresh_from_db()
    assert permit.number == expected and timezone.now()


def test_expiry_goes_through_the_permit_table_writes_an_event_and_uses_the_regions_date(
    demo, signing_cert, run_outbox
):
    """permits_expire writes one event per expired permit, and a permit whose last day has
    ended in its region's zone expires even when the server's (UTC) date is still that day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from applications.models import Event
    from applications.workflow import Action

    permit = issued_permit(run_outbox)
    zone = ZoneInfo(permit.region.timezone)
    assert zone.utcoffset(datetime(2026, 1, 1)) > timedelta(0)  # east of UTC (WIB/WITA/WIT)
    # 00:30 local on the day after the last valid day: still the last day in UTC.
    after = datetime.combine(permit.valid_until + timedelta(days=1), datetime.min.time())
    moment = (after + timedelta(minutes=30)).replace(tzinfo=zone)
    assert moment.astimezone(ZoneInfo("UTC")).date() == permit.valid_until
    with time_machine.travel(moment, tick=False):
        assert permits_expire() == 1
        assert permits_expire() == 0  # safe to run twice
    permit.refresh_from_db()
    assert permit.status == Permit.Status.EXPIRED
    events = Event.objects.filter(application=permit.application, action=Action.PERMIT_EXPIRED)
    assert events.count() == 1
    event = events.get()
    assert event.actor is None and event.data["permit"] == permit.number
    assert (event.data["from"], event.data["to"]) == ("valid", "expired")
