"""Signing one or several recommended files in one step (issue 19, phase 2).

`permits_sign(application_ids=…, actor=…, credential=…)` is what the sign page and the batch
page call, for one file or many:

- **A local signer** (the region's PKCS#12): each file goes through `permit_issue` (number in the
  request, render and sign in the worker, docs/issuance.md); the batch records which files.
- **A remote signer** (BSrE, `permits.signing.needs_credential`): the person's passphrase or
  one-time code is required. In the request: the signer is checked with BSrE (`check()`: not
  registered, expired, revoked → refused before anything changes), the applications move
  recommended → issuing, and one task `permits.tasks.sign_batch` is enqueued with the
  credential *sealed* (ADR 0010; context = batch + person). No number is taken in the request.

  In the worker (`signing_batch_run`), per file (per request to BSrE: one file with a
  passphrase; every file in one request with a one-time code, which is good for one request):
  the item is committed `sending`; then in **one transaction** the permit's number is taken
  (the counter's row lock held), the PDF rendered, BSrE called, the signed file stored, the
  permit marked valid and the application issued. So:

  * a wrong passphrase or code, an expired/revoked certificate, BSrE unreachable: the
    transaction rolls back — **no number consumed**, nothing half-issued, the file goes back to
    `recommended` with BSrE's reason; the rest of the batch stops with the same reason (the
    same credential would fail again, and BSrE locks accounts after repeated wrong tries);
  * a failure of one file only (its render, an answer for it that does not hold) stops only
    that file;
  * **signed, then no answer** (`outcome_unknown`, `sign_then_timeout`): BSrE may hold a signed
    copy with that number. The transaction is *committed* with the permit keeping its number,
    `signing_outcome_unknown` set, and the application back to `recommended`; signing it again
    is refused ("no second signature, no second number") until an operator who checked with
    BSrE clears the flag (admin); the next signing then reuses the same number. A worker killed
    while BSrE was signing leaves the item `sending`: the redelivered task marks it `unknown`
    and refuses the same way (the number it had was never committed; the file must be checked
    with BSrE before it is signed again).

  The counter's row lock is held during the BSrE call (≈ 1 s per file): a second signer of the
  same region, type and year waits that long. That is the price of "no number consumed" on a
  wrong passphrase — the number is printed in the PDF BSrE signs, and BSrE has no call that
  checks a passphrase without signing.
"""

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.models import Application, Status
from applications.workflow import Action, application_transition, permit_transition
from outbox.models import OutboxMessage
from outbox.services import enqueue
from permits.models import Permit, RejectionLetter, SigningBatch, SigningBatchItem
from permits.services import issuance
from permits.signing import SigningCredential, get_signer, needs_credential
from ptsp.errors import Conflict, DomainError

logger = logging.getLogger("ptsp.issuance")

BATCH_TASK = "permits.tasks.sign_batch"
MAX_FILES = 50
# Errors that concern one file only: the rest of the batch goes on. Any other refusal (the
# credential, the certificate, BSrE unreachable, the session expired) stops what is left.
FILE_ONLY_CODES = {
    "bsre_bad_answer",
    "bsre_outcome_unknown",
    "batch_not_issuing",
    "batch_letter_not_waiting",
}
LETTER_TASK = "permits.tasks.issue_rejection_letter"


def _context(batch: SigningBatch) -> str:
    return f"permits-batch:{batch.pk}:user:{batch.signer_id}"


def credential_required() -> DomainError:
    return DomainError(
        gettext_lazy(
            "This region signs with BSrE: type your BSrE passphrase, or ask for a one-time "
            "code and type it."
        ),
        code="bsre_credential_required",
        field="secret",
    )


def outcome_unknown_refusal(permit: Permit) -> Conflict:
    return Conflict(
        gettext_lazy(
            "BSrE was asked to sign permit %(number)s and its answer never came back: it may "
            "have signed it. It is not signed again (no second signature, no second number) "
            "until the system operator has checked with BSrE and released it."
        )
        % {"number": permit.number},
        code="bsre_outcome_unknown",
    )


def _refuse_unknown_outcomes(application_ids: list[int]) -> None:
    permit = (
        Permit.objects.filter(application_id__in=application_ids, signing_outcome_unknown=True)
        .order_by("pk")
        .first()
    )
    if permit is not None:
        raise outcome_unknown_refusal(permit)
    if (
        SigningBatchItem.objects.filter(
            application_id__in=application_ids, state=SigningBatchItem.State.UNKNOWN
        )
        .exclude(error="released")
        .exists()
    ):
        raise Conflict(
            gettext_lazy(
                "BSrE was asked to sign this file and its answer never came back: it may have "
                "signed it. It is not signed again until the system operator has checked with "
                "BSrE and released it."
            ),
            code="bsre_outcome_unknown",
        )


def permits_sign(*, application_ids: list[int], actor, credential=None) -> SigningBatch:
    """Sign and issue the recommended files `application_ids` of one region as `actor`.

    Who: a signer of the files' region (step-up checked by the view). Changes: a SigningBatch
    and its items; a local signer: `permit_issue` per file; a remote one: the applications
    recommended → issuing and one task with the sealed credential. Raises DomainError (no file,
    too many, several regions, a remote signer without credential), SigningUnavailable and
    BSrE's refusals of the signer (before anything changes), NotAllowed, Conflict (a file not
    recommended, or one whose earlier signing outcome is unknown).
    """
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    if not ids:
        raise DomainError(gettext_lazy("Choose at least one file to sign."), code="batch_empty")
    if len(ids) > MAX_FILES:
        raise DomainError(
            gettext_lazy("Sign at most %(max)s files at once.") % {"max": MAX_FILES},
            code="batch_too_large",
        )
    applications = list(
        Application.objects.filter(pk__in=ids).select_related("region", "permit_type")
    )
    if len(applications) != len(ids):
        raise Conflict(gettext_lazy("A chosen file no longer exists."), code="batch_unknown")
    regions = {a.region_id for a in applications}
    if len(regions) != 1:
        raise DomainError(
            gettext_lazy("Sign the files of one region at a time."), code="batch_regions"
        )
    for application in applications:
        issuance._check_signer(actor, application)
    region = applications[0].region
    signer = get_signer(region, user=actor)
    remote = needs_credential(signer)
    if remote and not isinstance(credential, SigningCredential):
        raise credential_required()
    # Before anything changes: BSrE's word on the signer (not registered, expired, revoked).
    signer.check()
    _refuse_unknown_outcomes(ids)
    order = {pk: position for position, pk in enumerate(ids)}
    applications.sort(key=lambda a: order[a.pk])
    if not remote:
        return _sign_locally(applications, actor, region)
    certificate_sha256 = signer.certificate_sha256()
    with transaction.atomic():
        locked = {
            a.pk: a for a in Application.objects.select_for_update(no_key=True).filter(pk__in=ids)
        }
        not_ready = [a for a in locked.values() if a.status != Status.RECOMMENDED]
        if not_ready:
            raise Conflict(
                gettext_lazy("File %(number)s is not waiting for signature (%(status)s).")
                % {
                    "number": not_ready[0].tracking_number,
                    "status": not_ready[0].get_status_display(),
                },
                code="batch_not_recommended",
            )
        batch = SigningBatch.objects.create(
            signer=actor, region=region, remote=True, credential_kind=credential.kind
        )
        for position, application in enumerate(applications):
            SigningBatchItem.objects.create(batch=batch, application=application, position=position)
            application_transition(
                application_id=application.pk, action=Action.START_ISSUANCE, actor=actor
            )
        token = signer.seal(credential, context=_context(batch))
        enqueue(
            BATCH_TASK,
            args=[batch.pk],
            kwargs={"token": token, "certificate_sha256": certificate_sha256},
            dedupe_key=f"sign-batch:{batch.pk}",
        )
    logger.info(
        "signing batch started: batch=%s files=%s actor=%s remote=bsre",
        batch.pk,
        len(applications),
        actor.pk,
    )
    return batch


def _sign_locally(applications, actor, region) -> SigningBatch:
    batch = SigningBatch.objects.create(signer=actor, region=region, remote=False)
    for position, application in enumerate(applications):
        item = SigningBatchItem.objects.create(
            batch=batch, application=application, position=position
        )
        try:
            issuance.permit_issue(application_id=application.pk, actor=actor)
        except DomainError as exc:  # this file only (e.g. no longer recommended)
            item.state = SigningBatchItem.State.FAILED
            item.error = str(exc.message)
            item.save(update_fields=["state", "error", "updated_at"])
    return batch


def item_state(item: SigningBatchItem) -> str:
    """What the progress page shows for an item: its own state for a remote batch; for a local
    batch, the application's progress through `permit_issue` and its task."""
    if item.batch.remote or item.state == SigningBatchItem.State.FAILED:
        return item.state
    if item.letter_id:  # a letter signed locally by its task
        if item.letter.status == RejectionLetter.Status.SIGNED:
            return SigningBatchItem.State.DONE
        return SigningBatchItem.State.SENDING
    status = item.application.status
    if status == Status.ISSUED:
        return SigningBatchItem.State.DONE
    if status == Status.ISSUING:
        return SigningBatchItem.State.SENDING
    return SigningBatchItem.State.FAILED


def _fail_items(items, message: str, *, state=SigningBatchItem.State.FAILED) -> None:
    """Give the items' files back to the signer (issuing → recommended) with `message`."""
    for item in items:
        with transaction.atomic():
            application = Application.objects.select_for_update(no_key=True).get(
                pk=item.application_id
            )
            if application.status == Status.ISSUING:
                application_transition(
                    application_id=application.pk,
                    action=Action.ISSUANCE_FAILED,
                    actor=None,
                    note=message[:2000],
                )
            Permit.objects.filter(
                application_id=item.application_id, status=Permit.Status.ISSUING
            ).update(last_error=message[:2000])
            SigningBatchItem.objects.filter(pk=item.pk).update(
                state=state, error=message[:2000], updated_at=timezone.now()
            )


def _blank_token(batch: SigningBatch) -> None:
    """The sealed credential has done its work: it leaves the outbox row (ADR 0010)."""
    OutboxMessage.objects.filter(dedupe_key=f"sign-batch:{batch.pk}").update(kwargs={})


def signing_batch_run(*, batch_id: int, token: str, certificate_sha256: str = "") -> None:
    """Sign a remote batch's pending files (see the module docstring). Who: the task only.
    Safe to run twice: done and failed items are left alone, `sending` ones become `unknown`."""
    batch = SigningBatch.objects.select_related("signer", "region").get(pk=batch_id)
    items = list(batch.items.select_related("application").order_by("position", "pk"))
    interrupted = [i for i in items if i.state == SigningBatchItem.State.SENDING]
    if interrupted:
        logger.error(
            "signing batch redelivered while BSrE was signing: batch=%s items=%s",
            batch.pk,
            [i.pk for i in interrupted],
        )
        _fail_items(
            interrupted,
            str(
                gettext_lazy(
                    "The worker stopped while BSrE was signing this file: BSrE may have signed "
                    "it. It is not signed again until the system operator has checked with "
                    "BSrE and released it."
                )
            ),
            state=SigningBatchItem.State.UNKNOWN,
        )
    pending = [i for i in items if i.state == SigningBatchItem.State.PENDING]
    try:
        if pending:
            _run(batch, pending, token, certificate_sha256)
    finally:
        SigningBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
        _blank_token(batch)


def _run(batch, pending, token, certificate_sha256) -> None:
    try:
        signer = get_signer(batch.region, user=batch.signer)
        credential = signer.unseal(token, context=_context(batch))
    except DomainError as exc:
        _fail_items(pending, str(exc.message))
        return
    groups = (
        [pending] if credential.kind == SigningCredential.TOTP else [[item] for item in pending]
    )
    for index, group in enumerate(groups):
        try:
            _sign_group(batch, group, signer, credential, certificate_sha256)
        except DomainError as exc:
            code = getattr(exc, "code", "")
            logger.warning(
                "signing batch: files refused: batch=%s items=%s code=%s",
                batch.pk,
                [i.pk for i in group],
                code,
            )
            _fail_items(group, str(exc.message))
            if code not in FILE_ONLY_CODES:
                rest = [item for later in groups[index + 1 :] for item in later]
                _fail_items(rest, str(exc.message))
                return
        except Exception as exc:  # a render failure, a bug: this file only
            logger.exception("signing batch: file failed: batch=%s", batch.pk)
            _fail_items(group, f"{exc.__class__.__name__}: {exc}"[:500])


def _sign_group(batch, group, signer, credential, certificate_sha256) -> None:
    # Inside: WeasyPrint is loaded only where a PDF is made (the worker).
    from permits.rendering import render_permit_pdf

    if group[0].letter_id:
        _sign_letter_group(batch, group, signer, credential)
        return

    SigningBatchItem.objects.filter(pk__in=[i.pk for i in group]).update(
        state=SigningBatchItem.State.SENDING, updated_at=timezone.now()
    )
    dropped: list[tuple[SigningBatchItem, str]] = []
    with transaction.atomic():
        permits, pdfs, kept = [], [], []
        for item in group:
            # A file that cannot be numbered or rendered is dropped before BSrE is called; its
            # savepoint gives its number back (the next file takes it: no gap).
            savepoint = transaction.savepoint()
            try:
                permit = _numbered_permit(item, batch, certificate_sha256)
                pdfs.append(render_permit_pdf(permit))
            except Exception as exc:
                transaction.savepoint_rollback(savepoint)
                if len(group) == 1:
                    raise
                logger.warning("signing batch: file dropped: item=%s %s", item.pk, exc)
                message = exc.message if isinstance(exc, DomainError) else exc.__class__.__name__
                dropped.append((item, str(message)))
                continue
            transaction.savepoint_commit(savepoint)
            permits.append(permit)
            kept.append(item)
        if permits:
            _sign_numbered(batch, kept, permits, pdfs, signer, credential)
    _fail_dropped(dropped)


def _sign_numbered(batch, group, permits, pdfs, signer, credential) -> None:
    """Call the remote signer for numbered, rendered permits and issue them (in the caller's
    transaction); an outcome-unknown answer keeps their numbers (see the module docstring)."""
    try:
        signed = signer.sign_many(
            pdfs,
            signer_name=permits[0].signer_name,
            reason="Penerbitan izin " + ", ".join(p.number for p in permits),
            location=batch.region.name,
            credential=credential,
        )
    except DomainError as exc:
        if not getattr(exc, "outcome_unknown", False):
            raise  # nothing signed: the transaction rolls back, the number is given back
        # BSrE may have signed these numbers: keep them, refuse to sign again.
        for permit, item in zip(permits, group, strict=True):
            permit.signing_outcome_unknown = True
            permit.last_error = str(exc.message)
            permit.save()
            application_transition(
                application_id=permit.application_id,
                action=Action.ISSUANCE_FAILED,
                actor=None,
                note=str(exc.message)[:2000],
            )
            SigningBatchItem.objects.filter(pk=item.pk).update(
                state=SigningBatchItem.State.UNKNOWN, error=str(exc.message)
            )
        logger.error(
            "signing batch: BSrE's outcome unknown, numbers kept: batch=%s permits=%s",
            batch.pk,
            [p.number for p in permits],
        )
        return
    for permit, item, data in zip(permits, group, signed, strict=True):
        _complete(permit, data)
        SigningBatchItem.objects.filter(pk=item.pk).update(
            state=SigningBatchItem.State.DONE, error="", updated_at=timezone.now()
        )


def _fail_dropped(dropped) -> None:
    for item, message in dropped:
        _fail_items([item], message)


def _numbered_permit(item, batch, certificate_sha256) -> Permit:
    """The item's permit with its number, in the caller's transaction (the counter locked until
    it ends): a new one, or the one an earlier attempt left (its number reused)."""
    application = (
        Application.objects.select_for_update(no_key=True)
        .select_related("permit_type", "region", "applicant", "catalog_version")
        .get(pk=item.application_id)
    )
    if application.status != Status.ISSUING:
        raise Conflict(
            gettext_lazy("This file is no longer waiting for signature."), code="batch_not_issuing"
        )
    now = timezone.now()
    today = issuance._region_today(application.region)
    fields = {
        **issuance._signer_fields(application, batch.signer, now, today),
        "signing_cert_sha256": certificate_sha256,
    }
    permit = Permit.objects.select_for_update().filter(application=application).first()
    if permit is not None:
        if permit.signing_outcome_unknown:
            raise outcome_unknown_refusal(permit)
        for name, value in fields.items():
            setattr(permit, name, value)
        permit_transition(permit=permit, action="retry_issuance", actor=batch.signer)
        permit.last_error = ""
        permit.attempts += 1
        permit.save()
    else:
        seq = issuance._next_sequence(
            region_id=application.region_id,
            permit_type_id=application.permit_type_id,
            year=today.year,
        )
        permit = Permit.objects.create(
            **issuance._numbered_fields(application, seq, today),
            verification_token=secrets.token_urlsafe(32),
            status=Permit.Status.ISSUING,
            attempts=1,
            **fields,
        )
    permit.application = application
    return permit


def _complete(permit: Permit, signed: bytes) -> None:
    """Store the signed file and issue, in the caller's transaction."""
    staged = issuance._stage_file(permit, signed)
    permit.content_type = "application/pdf"
    permit.file.name = staged.name
    permit.staged_files.all().delete()
    issuance.permit_complete(permit, signed)
    logger.info("permit issued: permit=%s number=%s signer=bsre", permit.pk, permit.number)


# --- Rejection letters of a region that signs with BSrE -------------------------------------


def _refuse_unknown_letters(letter_ids: list[int]) -> None:
    if (
        SigningBatchItem.objects.filter(
            letter_id__in=letter_ids, state=SigningBatchItem.State.UNKNOWN
        )
        .exclude(error="released")
        .exists()
    ):
        raise Conflict(
            gettext_lazy(
                "BSrE was asked to sign this letter and its answer never came back: it may have "
                "signed it. It is not signed again until the system operator has checked with "
                "BSrE and released it."
            ),
            code="bsre_outcome_unknown",
        )


def rejection_letters_sign(*, letter_ids: list[int], actor, credential=None) -> SigningBatch:
    """Sign the rejection letters `letter_ids` (waiting for signature, one region) as `actor`.

    A region that signs with BSrE leaves its rejection letters waiting
    (`issuance.rejection_letter_issue`); a signer signs them here exactly as permits: the
    step-up (the view), the passphrase or one-time code, BSrE's word on the signer before
    anything changes, one batch whose task (`permits.tasks.sign_batch`) carries the credential
    sealed. In the worker each letter is rendered naming `actor`, signed by BSrE, stored and
    marked signed in one transaction, and the applicant is told (`letter_signed_notice`); a
    wrong passphrase or code, BSrE down: the letter stays waiting with BSrE's reason on the
    batch page, to be signed again. A region that no longer signs with BSrE: the letters'
    task signs them with the local certificate.

    Who: a signer of the letters' region. Changes: a SigningBatch with one item per letter.
    Raises DomainError (none chosen, too many, several regions, no credential),
    SigningUnavailable and BSrE's refusals of the signer, NotAllowed, Conflict (a letter not
    waiting, being signed in another batch, or whose earlier BSrE outcome is unknown).
    """
    ids = list(dict.fromkeys(int(i) for i in letter_ids))
    if not ids:
        raise DomainError(gettext_lazy("Choose at least one letter to sign."), code="batch_empty")
    if len(ids) > MAX_FILES:
        raise DomainError(
            gettext_lazy("Sign at most %(max)s files at once.") % {"max": MAX_FILES},
            code="batch_too_large",
        )
    letters = list(RejectionLetter.objects.filter(pk__in=ids).select_related("application__region"))
    if len(letters) != len(ids):
        raise Conflict(gettext_lazy("A chosen letter no longer exists."), code="batch_unknown")
    if len({letter.application.region_id for letter in letters}) != 1:
        raise DomainError(
            gettext_lazy("Sign the files of one region at a time."), code="batch_regions"
        )
    for letter in letters:
        issuance._check_signer(actor, letter.application)
    region = letters[0].application.region
    signer = get_signer(region, user=actor)
    remote = needs_credential(signer)
    if remote and not isinstance(credential, SigningCredential):
        raise credential_required()
    signer.check()  # before anything changes: not registered, expired, revoked
    _refuse_unknown_letters(ids)
    order = {pk: position for position, pk in enumerate(ids)}
    letters.sort(key=lambda letter: order[letter.pk])
    with transaction.atomic():
        locked = {
            letter.pk: letter
            for letter in RejectionLetter.objects.select_for_update().filter(pk__in=ids)
        }
        waiting = RejectionLetter.Status.AWAITING_SIGNATURE
        not_waiting = [letter for letter in letters if locked[letter.pk].status != waiting]
        if not_waiting:
            raise Conflict(
                gettext_lazy("Letter %(number)s is not waiting for signature.")
                % {"number": not_waiting[0].number},
                code="batch_letter_not_waiting",
            )
        if SigningBatchItem.objects.filter(
            letter_id__in=ids,
            batch__remote=True,
            state__in=[SigningBatchItem.State.PENDING, SigningBatchItem.State.SENDING],
        ).exists():
            raise Conflict(
                gettext_lazy("A chosen letter is being signed already: see its progress."),
                code="batch_letter_busy",
            )
        batch = SigningBatch.objects.create(
            signer=actor,
            region=region,
            remote=remote,
            credential_kind=credential.kind if remote else "",
        )
        for position, letter in enumerate(letters):
            SigningBatchItem.objects.create(
                batch=batch,
                application_id=letter.application_id,
                letter=letter,
                position=position,
                state=SigningBatchItem.State.PENDING if remote else SigningBatchItem.State.SENDING,
            )
            if not remote:
                enqueue(
                    LETTER_TASK,
                    args=[letter.application_id],
                    dedupe_key=f"rejection-letter:{letter.application_id}:batch:{batch.pk}",
                )
        if remote:
            enqueue(
                BATCH_TASK,
                args=[batch.pk],
                kwargs={"token": signer.seal(credential, context=_context(batch))},
                dedupe_key=f"sign-batch:{batch.pk}",
            )
    logger.info(
        "rejection letters signing started: batch=%s letters=%s actor=%s remote=%s",
        batch.pk,
        len(letters),
        actor.pk,
        remote,
    )
    return batch


def _sign_letter_group(batch, group, signer, credential) -> None:
    """Render the group's letters naming the batch's signer, have BSrE sign them, store them and
    tell the applicants, in one transaction (the letters' rows locked): a refusal rolls it all
    back and the letters stay waiting. A letter that cannot be rendered is dropped first."""
    from permits.rendering import render_rejection_letter_pdf

    SigningBatchItem.objects.filter(pk__in=[i.pk for i in group]).update(
        state=SigningBatchItem.State.SENDING, updated_at=timezone.now()
    )
    dropped: list[tuple[SigningBatchItem, str]] = []
    with transaction.atomic():
        letters, pdfs, kept = [], [], []
        for item in group:
            try:
                letter = (
                    RejectionLetter.objects.select_for_update(of=("self",))
                    .select_related(
                        "application__permit_type", "application__region", "application__applicant"
                    )
                    .get(pk=item.letter_id)
                )
                if letter.status != RejectionLetter.Status.AWAITING_SIGNATURE:
                    raise Conflict(
                        gettext_lazy("This letter is no longer waiting for signature."),
                        code="batch_letter_not_waiting",
                    )
                issuance._letter_signer_fields(letter, batch.signer)
                pdfs.append(render_rejection_letter_pdf(letter, remote=True))
            except Exception as exc:
                if len(group) == 1:
                    raise
                logger.warning("signing batch: letter dropped: item=%s %s", item.pk, exc)
                message = exc.message if isinstance(exc, DomainError) else exc.__class__.__name__
                dropped.append((item, str(message)))
                continue
            letters.append(letter)
            kept.append(item)
        if letters:
            _sign_letters(batch, kept, letters, pdfs, signer, credential)
    _fail_dropped(dropped)


def _sign_letters(batch, group, letters, pdfs, signer, credential) -> None:
    try:
        signed = signer.sign_many(
            pdfs,
            signer_name=letters[0].signer_name,
            reason="Penolakan permohonan "
            + ", ".join(letter.application.tracking_number for letter in letters),
            location=batch.region.name,
            credential=credential,
        )
    except DomainError as exc:
        if not getattr(exc, "outcome_unknown", False):
            raise  # nothing signed: the transaction rolls back, the letters stay waiting
        # BSrE may have signed: not again until an operator checked (admin, the item's action).
        SigningBatchItem.objects.filter(pk__in=[i.pk for i in group]).update(
            state=SigningBatchItem.State.UNKNOWN, error=str(exc.message)[:2000]
        )
        logger.error(
            "signing batch: BSrE's outcome unknown for letters: batch=%s letters=%s",
            batch.pk,
            [letter.pk for letter in letters],
        )
        return
    for letter, item, data in zip(letters, group, signed, strict=True):
        issuance.letter_store(letter, data)
        issuance.letter_signed_notice(letter)
        SigningBatchItem.objects.filter(pk=item.pk).update(
            state=SigningBatchItem.State.DONE, error="", updated_at=timezone.now()
        )
        logger.info("rejection letter signed: letter=%s signer=bsre", letter.pk)


def permit_release_unknown_outcome(*, permit_id: int, actor) -> Permit:
    """The operator checked with BSrE that the permit was not signed there: it may be signed
    again, with the same number. Who: a platform or region admin (admin action)."""
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit_id)
        permit.signing_outcome_unknown = False
        permit.save(update_fields=["signing_outcome_unknown"])
        SigningBatchItem.objects.filter(
            application_id=permit.application_id, state=SigningBatchItem.State.UNKNOWN
        ).update(error="released")
    logger.warning(
        "bsre outcome released by operator: permit=%s number=%s actor=%s",
        permit.pk,
        permit.number,
        actor.pk,
    )
    return permit
