"""Rejection letters in a region that signs with BSrE (issue 19, the last piece): the letter
waits for a signer, who signs it like a permit (passphrase or one-time code, the batch task with
the sealed credential); the applicant is told once it is signed. Against the BSrE simulator; the
local-signer region is unchanged."""

import io
import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from applications.models import Notification, Status
from applications.services.outcome import application_confirm_rejection
from applications.services.reviews import review_decide
from bsre.client import SIGN_PDF_PATH
from outbox.models import OutboxMessage
from outbox.testing import run_pending
from permits.downloads import downloadable_letters
from permits.models import RejectionLetter, SigningBatch, SigningBatchItem
from permits.pades import validate_signed_pdf
from permits.selectors import rejection_letters_to_sign
from permits.services.batch_signing import rejection_letters_sign
from permits.signing import SigningCredential
from permits.verification import trust_roots
from tests.bsre.conftest import ACTIVE_NIK, BSRE_PASSPHRASE
from tests.bsre.test_configuration import SIGNER
from tests.journeys import applicant, demo_type, draft, route, submit
from tests.stepup import step_up

pytestmark = pytest.mark.django_db

REASONS = "Lokasi usaha berada di kawasan lindung."


def _signer():
    return User.objects.get(email=SIGNER)


def _passphrase(value=BSRE_PASSPHRASE):
    return SigningCredential.passphrase(value)


def rejected_application():
    """A BTG file an OPD rejected and the signer confirmed; the letter's task has run."""
    with override_settings(OUTBOX_PUBLISH_ON_COMMIT=False):
        application = submit(draft(demo_type("BTG", "SIP-DU"), applicant()))
        application = route(application, run_pending)
        review = application.reviews.select_related("assignee").first()
        review_decide(
            review_id=review.pk, actor=review.assignee, decision="reject", reasons=REASONS
        )
        application_confirm_rejection(application_id=application.pk, actor=_signer())
        run_pending()
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    return application


def _rejected_notices(application) -> int:
    return Notification.objects.filter(
        recipient=application.applicant, kind="rejected", application=application
    ).count()


def _sign_calls(simulator) -> int:
    return sum(1 for call in simulator.calls if call.path == SIGN_PDF_PATH)


def _last_sign_call(simulator):
    return [call for call in simulator.calls if call.path == SIGN_PDF_PATH][-1]


def test_the_letter_waits_for_the_signer_and_the_applicant_is_not_told_yet(bsre_region):
    application = rejected_application()
    letter = RejectionLetter.objects.get(application=application)
    assert letter.status == RejectionLetter.Status.AWAITING_SIGNATURE and not letter.file
    assert _rejected_notices(application) == 0
    assert not downloadable_letters(application.applicant).exists()
    assert [row["pk"] for row in rejection_letters_to_sign(_signer())] == [letter.pk]


def test_a_letter_signed_with_bsre_is_stored_valid_and_the_applicant_told_once(
    bsre_region, simulator, run_outbox, caplog
):
    caplog.set_level(logging.DEBUG)
    application = rejected_application()
    letter = application.rejection_letter
    before = _sign_calls(simulator)
    batch = rejection_letters_sign(
        letter_ids=[letter.pk], actor=_signer(), credential=_passphrase()
    )
    message = OutboxMessage.objects.get(task_name="permits.tasks.sign_batch")
    assert BSRE_PASSPHRASE not in str(message.kwargs)  # sealed
    run_outbox()
    assert _sign_calls(simulator) == before + 1  # one sign/pdf request for the letter
    call = _last_sign_call(simulator)
    assert call.files == 1 and call.signer != ACTIVE_NIK  # BSrE saw the masked NIK only
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.SIGNED and letter.file
    assert batch.items.get().state == SigningBatchItem.State.DONE
    data = letter.file.open("rb").read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == letter.sha256
    report = validate_signed_pdf(data, trust_roots=trust_roots())
    assert report.intact and report.valid and report.trusted, report.problems
    assert "Kepala DPMPTSP Kota Bontang" in report.signer_name
    assert "BSrE Simulator" in report.issuer_name
    # The footnote names the BSrE certificate's issuer, not the local certificate's.
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "BSrE Simulator (development)" in text and letter.number in text
    # The applicant is told now, once, and may download the letter.
    assert _rejected_notices(application) == 1
    assert REASONS in Notification.objects.get(kind="rejected", application=application).body
    assert list(downloadable_letters(application.applicant)) == [letter]
    message.refresh_from_db()
    assert message.kwargs == {}  # the sealed credential left the outbox row
    assert BSRE_PASSPHRASE not in caplog.text and ACTIVE_NIK not in caplog.text
    assert rejection_letters_to_sign(_signer()) == []
    # Signing it again is refused and changes nothing.
    with pytest.raises(Exception) as refused:
        rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "batch_letter_not_waiting"
    assert SigningBatch.objects.count() == 1 and _rejected_notices(application) == 1


def test_a_wrong_passphrase_says_so_and_the_letter_stays_waiting(
    bsre_region, simulator, run_outbox, english
):
    application = rejected_application()
    letter = application.rejection_letter
    batch = rejection_letters_sign(
        letter_ids=[letter.pk], actor=_signer(), credential=_passphrase("salah")
    )
    run_outbox()
    assert _last_sign_call(simulator).outcome == "wrong_passphrase"  # BSrE refused it
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.AWAITING_SIGNATURE and not letter.file
    item = batch.items.get()
    assert item.state == SigningBatchItem.State.FAILED
    assert "passphrase or the one-time code is wrong" in item.error
    assert _rejected_notices(application) == 0
    # The progress page says it; the next try with the right passphrase signs it.
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:batch", args=[batch.pk])).content.decode()
    assert "passphrase or the one-time code is wrong" in page
    rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.SIGNED
    assert _rejected_notices(application) == 1


def test_bsre_down_leaves_nothing_half_done_and_a_retry_signs(
    bsre_region, simulator, run_outbox, english
):
    first, second = rejected_application(), rejected_application()
    letters = [first.rejection_letter, second.rejection_letter]
    simulator.fail_next("unavailable", paths=[SIGN_PDF_PATH])
    batch = rejection_letters_sign(
        letter_ids=[x.pk for x in letters], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    assert all(
        RejectionLetter.objects.get(pk=x.pk).status == RejectionLetter.Status.AWAITING_SIGNATURE
        for x in letters
    )
    assert not RejectionLetter.objects.exclude(file="").exists()
    states = list(batch.items.values_list("state", "error"))
    assert all(state == "failed" and "cannot be reached" in error for state, error in states)
    assert _rejected_notices(first) == _rejected_notices(second) == 0
    rejection_letters_sign(
        letter_ids=[x.pk for x in letters], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    assert RejectionLetter.objects.filter(status=RejectionLetter.Status.SIGNED).count() == 2
    assert _rejected_notices(first) == _rejected_notices(second) == 1


def test_a_one_time_code_signs_the_letters_in_one_request(bsre_region, simulator, run_outbox):
    letters = [rejected_application().rejection_letter for _ in range(2)]
    client = Client()
    client.force_login(_signer())
    assert client.post(reverse("permits:request_code")).status_code == 302
    before = _sign_calls(simulator)
    rejection_letters_sign(
        letter_ids=[x.pk for x in letters],
        actor=_signer(),
        credential=SigningCredential.totp(simulator.totp_for(ACTIVE_NIK)),
    )
    run_outbox()
    assert _sign_calls(simulator) == before + 1 and _last_sign_call(simulator).files == 2
    assert RejectionLetter.objects.filter(status=RejectionLetter.Status.SIGNED).count() == 2


def test_signed_then_timed_out_is_not_signed_again_until_released(
    bsre_region, simulator, run_outbox, english
):
    bsre_region.read_timeout = 0.5
    bsre_region.save()
    application = rejected_application()
    letter = application.rejection_letter
    simulator.fail_next("sign_then_timeout", paths=[SIGN_PDF_PATH])
    batch = rejection_letters_sign(
        letter_ids=[letter.pk], actor=_signer(), credential=_passphrase()
    )
    run_outbox()
    item = batch.items.get()
    assert item.state == SigningBatchItem.State.UNKNOWN
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.AWAITING_SIGNATURE
    assert _rejected_notices(application) == 0
    calls = _sign_calls(simulator)
    with pytest.raises(Exception) as refused:
        rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "bsre_outcome_unknown"
    assert _sign_calls(simulator) == calls and SigningBatch.objects.count() == 1
    # The operator checked with BSrE (admin action on the batch file): signed again.
    SigningBatchItem.objects.filter(pk=item.pk).update(error="released")
    bsre_region.read_timeout = 10.0
    bsre_region.save()
    rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    run_outbox()
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.SIGNED
    assert _rejected_notices(application) == 1


def test_without_a_credential_or_a_letter_nothing_changes(bsre_region):
    letter = rejected_application().rejection_letter
    with pytest.raises(Exception) as refused:
        rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=None)
    assert refused.value.code == "bsre_credential_required"
    with pytest.raises(Exception) as refused:
        rejection_letters_sign(letter_ids=[], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "batch_empty"
    assert not SigningBatch.objects.exists()
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.AWAITING_SIGNATURE


def test_a_letter_being_signed_is_not_put_in_a_second_batch(bsre_region):
    letter = rejected_application().rejection_letter
    rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    with pytest.raises(Exception) as refused:
        rejection_letters_sign(letter_ids=[letter.pk], actor=_signer(), credential=_passphrase())
    assert refused.value.code == "batch_letter_busy"
    assert SigningBatch.objects.count() == 1


# --- The pages ---------------------------------------------------------------------------------


def test_the_rejection_page_says_the_letter_waits_for_the_bsre_signature(bsre_region, english):
    with override_settings(OUTBOX_PUBLISH_ON_COMMIT=False):
        application = route(submit(draft(demo_type("BTG", "SIP-DU"), applicant())), run_pending)
        review = application.reviews.select_related("assignee").first()
        review_decide(
            review_id=review.pk, actor=review.assignee, decision="reject", reasons=REASONS
        )
    client = Client()
    client.force_login(_signer())
    response = client.post(
        reverse("applications:rejection", args=[application.pk]),
        step_up(SIGNER, action="confirm"),
        follow=True,
    )
    assert "Its letter waits for your BSrE signature" in response.content.decode()
    assert _rejected_notices(application) == 0


def test_the_queue_lists_the_letters_and_signs_them(bsre_region, run_outbox, english):
    letter = rejected_application().rejection_letter
    client = Client()
    client.force_login(_signer())
    page = client.get(reverse("permits:signing_queue")).content.decode()
    assert "Rejection letters to sign" in page and letter.number in page
    response = client.post(
        reverse("permits:sign_letters"),
        {
            **{f"letters-{k}": v for k, v in step_up(SIGNER).items()},
            "letters-kind": "passphrase",
            "letters-secret": BSRE_PASSPHRASE,
            "letter": [str(letter.pk)],
        },
    )
    batch = SigningBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("permits:batch", args=[batch.pk])
    run_outbox()
    status = client.get(reverse("permits:batch_status", args=[batch.pk])).content.decode()
    assert "1 of 1 letters signed." in status and letter.number in status
    assert 'data-state="done"' in status and BSRE_PASSPHRASE not in status
    assert (
        "Rejection letters to sign"
        not in client.get(reverse("permits:signing_queue")).content.decode()
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"letters-kind": "passphrase", "letters-secret": BSRE_PASSPHRASE}, "Choose at least one"),
        ({"letters-kind": "passphrase", "letter": "__letter__"}, "type your BSrE passphrase"),
        (
            {"letters-kind": "passphrase", "letters-secret": BSRE_PASSPHRASE, "letter": "987654"},
            "Choose at least one",
        ),
    ],
    ids=["none chosen", "no passphrase", "not a waiting letter"],
)
def test_a_bad_letters_form_says_so_and_changes_nothing(bsre_region, english, extra, message):
    letter = rejected_application().rejection_letter
    client = Client()
    client.force_login(_signer())
    body = {**{f"letters-{k}": v for k, v in step_up(SIGNER).items()}, **extra}
    if body.get("letter") == "__letter__":
        body["letter"] = str(letter.pk)
    response = client.post(reverse("permits:sign_letters"), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert BSRE_PASSPHRASE not in response.content.decode()  # never rendered back
    assert not SigningBatch.objects.exists()
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.AWAITING_SIGNATURE


def test_a_wrong_step_up_signs_nothing(bsre_region, english):
    letter = rejected_application().rejection_letter
    client = Client()
    client.force_login(_signer())
    response = client.post(
        reverse("permits:sign_letters"),
        {
            "letters-password": "not-my-password",
            "letters-code": "000000",
            "letters-kind": "passphrase",
            "letters-secret": BSRE_PASSPHRASE,
            "letter": str(letter.pk),
        },
    )
    assert response.status_code == 400 and not SigningBatch.objects.exists()


def test_letters_left_waiting_when_bsre_is_turned_off_are_signed_locally(bsre_region, run_outbox):
    application = rejected_application()
    letter = application.rejection_letter
    bsre_region.enabled = False
    bsre_region.save()
    batch = rejection_letters_sign(letter_ids=[letter.pk], actor=_signer())
    assert not batch.remote
    run_outbox()
    letter.refresh_from_db()
    assert letter.status == RejectionLetter.Status.SIGNED and letter.file
    assert _rejected_notices(application) == 1


# --- The local region is unchanged -------------------------------------------------------------


def test_a_local_region_signs_the_letter_at_once_and_tells_the_applicant_at_confirmation(
    demo, signing_cert
):
    application = rejected_application()
    letter = RejectionLetter.objects.get(application=application)
    assert letter.status == RejectionLetter.Status.SIGNED and letter.file
    assert _rejected_notices(application) == 1  # told at the confirmation, not a second time
    assert rejection_letters_to_sign(_signer()) == []
    from permits.verification import check_signature

    report = check_signature(letter.file.open("rb").read(), region=application.region)
    assert report.ok, report
