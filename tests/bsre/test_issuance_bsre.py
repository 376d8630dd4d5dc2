"""Phase 2, steps 2–3: issuing permits with BSrE (the simulator), one file or a batch, and the
faults: a wrong passphrase or code, BSrE down, signed-then-timed-out, a revoked certificate,
a file that fails alone, a redelivered task, an expired signing session."""

import io
import logging
import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from applications.models import Application, Status
from bsre import sealing
from bsre.client import SIGN_PDF_PATH
from bsre.errors import BsreCertificateRevoked
from outbox.models import OutboxMessage
from permits.models import Permit, PermitCounter, SigningBatch, SigningBatchItem
from permits.services.batch_signing import (
    permit_release_unknown_outcome,
    permits_sign,
    signing_batch_run,
)
from permits.signing import SigningCredential
from permits.verification import check_file
from tests.bsre.conftest import ACTIVE_NIK, BSRE_PASSPHRASE, REVOKED_NIK
from tests.bsre.test_configuration import SIGNER, configure_bsre
from tests.journeys import recommended_application
from tests.stepup import step_up

pytestmark = pytest.mark.django_db


def _signer():
    return User.objects.get(email=SIGNER)


def _passphrase(value=BSRE_PASSPHRASE):
    return SigningCredential.passphrase(value)


def _numbers_taken() -> int:
    return sum(PermitCounter.objects.values_list("last_value", flat=True))


def _sign_calls(simulator) -> int:
    return sum(1 for call in simulator.calls if call.path == SIGN_PDF_PATH)


def test_a_permit_signed_with_bsre_is_issued_and_verifiable(
    bsre_region, simulator, run_outbox, caplog
):
    caplog.set_level(logging.DEBUG)
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase()
    )
    assert _numbers_taken() == 0  # nothing is numbered before BSrE is asked
    message = OutboxMessage.objects.get(task_name="permits.tasks.sign_batch")
    assert BSRE_PASSPHRASE not in str(message.kwargs)  # sealed, not in the clear
    run_outbox()
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    permit = Permit.objects.get(application=application)
    assert permit.status == Permit.Status.VALID and permit.sequence == 1
    item = batch.items.get()
    assert item.state == SigningBatchItem.State.DONE
    data = permit.file.open("rb").read()
    report = check_file(data, permit=permit)
    assert report.hash_matches
    assert report.signature.intact and report.signature.valid and report.signature.trusted
    assert "Kepala DPMPTSP Kota Bontang" in report.signature.signer_subject
    # The credential is gone from the task's row once it has run, and was never logged.
    message.refresh_from_db()
    assert message.kwargs == {}
    assert BSRE_PASSPHRASE not in caplog.text
    assert ACTIVE_NIK not in caplog.text


def test_a_wrong_passphrase_consumes_no_number_and_says_so(bsre_region, run_outbox, english):
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase("salah")
    )
    run_outbox()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not Permit.objects.filter(application=application).exists()
    assert _numbers_taken() == 0
    item = batch.items.get()
    assert item.state == SigningBatchItem.State.FAILED
    assert "passphrase or the one-time code is wrong" in item.error
    # The sign page says it, and the next try with the right passphrase takes number 1.
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:sign", args=[application.pk])).content.decode()
    assert "passphrase or the one-time code is wrong" in page
    permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    assert Permit.objects.get(application=application).sequence == 1


def test_a_one_time_code_signs_a_batch_in_one_request(bsre_region, simulator, run_outbox):
    first, second = recommended_application(), recommended_application()
    client = Client()
    client.force_login(_signer())
    sent = client.post(reverse("permits:request_code"))
    assert sent.status_code == 302
    code = simulator.totp_for(ACTIVE_NIK)
    before = _sign_calls(simulator)
    permits_sign(
        application_ids=[first.pk, second.pk],
        actor=_signer(),
        credential=SigningCredential.totp(code),
    )
    run_outbox()
    assert _sign_calls(simulator) == before + 1
    assert (
        Application.objects.filter(pk__in=[first.pk, second.pk], status=Status.ISSUED).count() == 2
    )
    assert sorted(Permit.objects.values_list("sequence", flat=True)) == [1, 2]


def test_a_wrong_code_changes_nothing(bsre_region, run_outbox, english):
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk],
        actor=_signer(),
        credential=SigningCredential.totp("000000"),
    )
    run_outbox()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and _numbers_taken() == 0
    assert "wrong or has expired" in batch.items.get().error


def test_bsre_down_leaves_nothing_half_issued(bsre_region, simulator, run_outbox, english):
    files = [recommended_application(), recommended_application()]
    simulator.fail_next("unavailable", paths=[SIGN_PDF_PATH])
    batch = permits_sign(
        application_ids=[a.pk for a in files], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    assert not Permit.objects.exists() and _numbers_taken() == 0
    assert (
        Application.objects.filter(status=Status.RECOMMENDED, pk__in=[a.pk for a in files]).count()
        == 2
    )
    states = list(batch.items.values_list("state", "error"))
    assert all(state == "failed" and "cannot be reached" in error for state, error in states)


def test_signed_then_timed_out_gives_no_second_signature_and_no_second_number(
    bsre_region, simulator, run_outbox, english
):
    bsre_region.read_timeout = 0.5
    bsre_region.save()
    application = recommended_application()
    simulator.fail_next("sign_then_timeout", paths=[SIGN_PDF_PATH])
    made = len(simulator.signatures_made)
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    assert len(simulator.signatures_made) == made + 1  # BSrE signed; the answer was lost
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    permit = Permit.objects.get(application=application)
    assert permit.signing_outcome_unknown and permit.sequence == 1  # the number stays with it
    assert batch.items.get().state == SigningBatchItem.State.UNKNOWN
    # Signing it again is refused before BSrE is called: no second signature, no second number.
    calls = _sign_calls(simulator)
    with pytest.raises(Exception) as refused:
        permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "bsre_outcome_unknown"
    assert "no second signature" in str(refused.value.message)
    assert _sign_calls(simulator) == calls and _numbers_taken() == 1
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    # The operator checked with BSrE and releases it: signed again with the same number.
    bsre_region.read_timeout = 10.0
    bsre_region.save()
    permit_release_unknown_outcome(permit_id=permit.pk, actor=_signer())
    permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    permit.refresh_from_db()
    assert permit.status == Permit.Status.VALID and permit.sequence == 1 and _numbers_taken() == 1


def test_a_revoked_certificate_is_refused_before_the_number(
    bsre_region, simulator, monkeypatch, run_outbox
):
    configure_bsre(simulator, monkeypatch, nik=REVOKED_NIK)
    application = recommended_application()
    with pytest.raises(BsreCertificateRevoked):
        permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    assert not SigningBatch.objects.exists() and _numbers_taken() == 0


def test_without_a_credential_a_bsre_region_refuses(bsre_region):
    application = recommended_application()
    with pytest.raises(Exception) as refused:
        permits_sign(application_ids=[application.pk], actor=_signer(), credential=None)
    assert refused.value.code == "bsre_credential_required"
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED


def test_a_failure_stops_only_its_file(bsre_region, simulator, run_outbox, english):
    files = [recommended_application() for _ in range(3)]
    simulator.fail_next("bad_answer", paths=[SIGN_PDF_PATH])
    batch = permits_sign(
        application_ids=[a.pk for a in files], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    states = [item.state for item in batch.items.order_by("position")]
    assert states == ["failed", "done", "done"]
    files[0].refresh_from_db()
    assert files[0].status == Status.RECOMMENDED
    assert sorted(Permit.objects.values_list("sequence", flat=True)) == [1, 2]  # no gap


def test_a_redelivered_task_does_not_sign_a_file_bsre_was_signing(
    bsre_region, simulator, run_outbox
):
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase()
    )
    message = OutboxMessage.objects.get(task_name="permits.tasks.sign_batch")
    token = message.kwargs["token"]
    batch.items.update(state=SigningBatchItem.State.SENDING)  # the worker died mid-call
    calls = _sign_calls(simulator)
    signing_batch_run(batch_id=batch.pk, token=token)
    assert _sign_calls(simulator) == calls
    assert batch.items.get().state == SigningBatchItem.State.UNKNOWN
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    with pytest.raises(Exception) as refused:
        permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "bsre_outcome_unknown"


def test_an_expired_signing_session_signs_nothing(bsre_region, simulator, english):
    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase()
    )
    old = sealing.seal(
        _passphrase(),
        context=f"permits-batch:{batch.pk}:user:{batch.signer_id}",
        now=time.time() - 3600,
    )
    calls = _sign_calls(simulator)
    signing_batch_run(batch_id=batch.pk, token=old)
    assert _sign_calls(simulator) == calls and _numbers_taken() == 0
    item = batch.items.get()
    assert item.state == "failed" and "expired" in item.error


def test_the_sign_page_signs_with_a_passphrase(bsre_region, run_outbox, english):
    application = recommended_application()
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:sign", args=[application.pk])).content.decode()
    assert 'data-testid="bsre-signing"' in page and "Send me a code" in page
    answer = client.post(
        reverse("permits:sign", args=[application.pk]),
        step_up(SIGNER, kind="passphrase", secret=BSRE_PASSPHRASE),
    )
    assert answer.status_code == 302
    assert BSRE_PASSPHRASE not in client.get(answer["Location"]).content.decode()
    run_outbox()
    progress = client.get(answer["Location"]).content.decode()
    assert "1 of 1 files issued" in progress
    application.refresh_from_db()
    assert application.status == Status.ISSUED


def test_the_sign_page_without_the_passphrase_says_what_is_missing(bsre_region, english):
    application = recommended_application()
    client = Client()
    client.force_login(_signer())
    answer = client.post(
        reverse("permits:sign", args=[application.pk]), step_up(SIGNER, kind="passphrase")
    )
    assert answer.status_code == 400
    assert "type your BSrE passphrase" in answer.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and _numbers_taken() == 0


def test_the_local_signer_refuses_the_old_path_for_a_bsre_region(bsre_region):
    from permits.services.issuance import permit_issue

    application = recommended_application()
    with pytest.raises(Exception) as refused:
        permit_issue(application_id=application.pk, actor=_signer())
    assert refused.value.code == "bsre_credential_required"


def test_the_verification_page_and_footnote_name_the_real_signer_and_issuer(
    bsre_region, simulator, run_outbox, english
):
    from pypdf import PdfReader

    application = recommended_application()
    permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    permit = Permit.objects.get(application=application)
    data = permit.file.open("rb").read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    # The footnote names the issuer of the signer's BSrE certificate (here the simulator's CA,
    # a development one, so the document also says it is not legally valid).
    assert "BSrE Simulator (development)" in text
    assert "PTSP Online (development)" not in text
    client = Client()
    page = client.get(reverse("permits:verify", args=[permit.verification_token])).content.decode()
    assert "Kepala DPMPTSP Kota Bontang" in page  # who signed (the certificate's subject)
    assert "BSrE Simulator CA (development)" in page  # the issuing authority
    assert "Chains to a trusted root configured on this portal." in page
    assert 'data-testid="signing-time"' in page and 'data-testid="timestamp"' in page
    # The same report for an uploaded copy.
    from django.core.files.uploadedfile import SimpleUploadedFile

    checked = client.post(
        reverse("permits:verify", args=[permit.verification_token]),
        {"file": SimpleUploadedFile("p.pdf", data, "application/pdf")},
    ).content.decode()
    assert "Genuine: this is the issued file" in checked
    assert 'data-testid="check-signature-facts"' in checked


def test_a_locally_signed_permit_names_the_local_issuer(demo, signing_cert, run_outbox, english):
    from pypdf import PdfReader

    from permits.services.issuance import permit_issue

    application = recommended_application()
    permit_issue(application_id=application.pk, actor=_signer())
    run_outbox()
    permit = Permit.objects.get(application=application)
    data = permit.file.open("rb").read()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "BSrE" not in text  # no claimed BSrE certificate
    page = (
        Client().get(reverse("permits:verify", args=[permit.verification_token])).content.decode()
    )
    assert "PTSP Online Development CA" in page


def test_the_queue_signs_all_files_waiting(bsre_region, run_outbox, english):
    files = [recommended_application() for _ in range(2)]
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:signing_queue")).content.decode()
    assert "Sign all files waiting today" in page and 'name="secret"' in page
    answer = client.post(
        reverse("permits:sign_batch"),
        step_up(SIGNER, kind="passphrase", secret=BSRE_PASSPHRASE, scope="all"),
    )
    assert answer.status_code == 302
    run_outbox()
    assert (
        Application.objects.filter(pk__in=[a.pk for a in files], status=Status.ISSUED).count() == 2
    )


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], "Choose at least one file to sign."),
        (["999999"], "Choose at least one file to sign."),  # not in the signer's queue
        (["abc"], "Choose at least one file to sign."),
    ],
)
def test_a_bad_choice_says_so_and_changes_nothing(bsre_region, english, chosen, message):
    application = recommended_application()
    client = Client()
    client.force_login(_signer())
    answer = client.post(
        reverse("permits:sign_batch"),
        {**step_up(SIGNER, kind="passphrase", secret=BSRE_PASSPHRASE), "application": chosen},
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert BSRE_PASSPHRASE not in answer.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED and not SigningBatch.objects.exists()


def test_a_file_of_another_region_cannot_be_signed(bsre_region):
    other = recommended_application(region_code="PLG")
    with pytest.raises(Exception) as refused:
        permits_sign(application_ids=[other.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.__class__.__name__ == "NotAllowed"
    other.refresh_from_db()
    assert other.status == Status.RECOMMENDED and not SigningBatch.objects.exists()


def test_send_me_a_code_in_a_local_region_says_it_does_not_use_bsre(demo, signing_cert, english):
    client = Client()
    client.force_login(_signer())
    answer = client.post(reverse("permits:request_code"), follow=True)
    assert "This region does not sign with BSrE." in answer.content.decode()


def test_a_local_region_batch_signs_with_its_certificate(demo, signing_cert, run_outbox, english):
    files = [recommended_application() for _ in range(2)]
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:signing_queue")).content.decode()
    assert 'name="secret"' not in page  # no BSrE field where BSrE is not used
    answer = client.post(
        reverse("permits:sign_batch"),
        {**step_up(SIGNER), "application": [str(a.pk) for a in files]},
    )
    assert answer.status_code == 302
    run_outbox()
    progress = client.get(answer["Location"]).content.decode()
    assert "2 of 2 files issued" in progress


def test_with_a_code_a_file_that_cannot_be_numbered_is_dropped_alone(
    bsre_region, simulator, run_outbox, english
):
    first, second = recommended_application(), recommended_application()
    from agencies.models import Region
    from permits.signing import get_signer

    get_signer(Region.objects.get(code="BTG"), user=_signer()).request_totp()
    simulator_code = simulator.totp_for(ACTIVE_NIK)
    batch = permits_sign(
        application_ids=[first.pk, second.pk],
        actor=_signer(),
        credential=SigningCredential.totp(simulator_code),
    )
    # Between the click and the worker, the first file left `issuing` (a concurrent change).
    Application.objects.filter(pk=first.pk).update(status=Status.RECOMMENDED)
    run_outbox()
    states = [item.state for item in batch.items.order_by("position")]
    assert states == ["failed", "done"]
    assert "no longer waiting" in batch.items.order_by("position").first().error
    assert list(Permit.objects.values_list("application_id", "sequence")) == [(second.pk, 1)]


def test_an_operator_releases_a_file_whose_worker_stopped(bsre_region, simulator, run_outbox):
    from django.contrib.admin.sites import site

    from permits.admin import SigningBatchItemAdmin

    application = recommended_application()
    batch = permits_sign(
        application_ids=[application.pk], actor=_signer(), credential=_passphrase()
    )
    token = OutboxMessage.objects.get(task_name="permits.tasks.sign_batch").kwargs["token"]
    batch.items.update(state=SigningBatchItem.State.SENDING)
    signing_batch_run(batch_id=batch.pk, token=token)
    admin = SigningBatchItemAdmin(SigningBatchItem, site)

    class Request:
        user = User.objects.get(email="admin@ptsp.local")
        _messages = []

    from django.contrib.messages.storage.base import BaseStorage

    request = Request()
    request._messages = BaseStorage(request)
    admin.release_unknown(request, SigningBatchItem.objects.all())
    permits_sign(application_ids=[application.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    application.refresh_from_db()
    assert application.status == Status.ISSUED
