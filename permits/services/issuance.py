"""Issuance: the permit number, the signed PDF, revocation, expiry and rejection letters.

The journey of one permit:
1. `permit_issue` (the signer's "sign and issue", in the request): checks the region's signing
   certificate first, then in one short transaction moves the application recommended → issuing,
   takes the next number from `PermitCounter` under a row lock and creates the `Permit` (status
   issuing), and enqueues `permits.tasks.issue_permit`. Nothing slow happens under the lock.
2. `permit_complete_issuance` (the task): renders, signs, stores the file, records its SHA-256,
   marks the permit valid and moves the application issuing → issued. Safe to run twice.
3. `permit_issuance_failed` (the task, after its last retry): records the reason and moves the
   application back to recommended; the permit row keeps its number for the next attempt.
"""

import hashlib
import logging
import secrets
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from agencies.models import Region, Role
from agencies.reference import dpmptsp_name
from agencies.selectors import agencies_of
from applications import gates
from applications.models import Application, LegalState, Review, ReviewStatus, Status
from applications.services.notifications import notify
from applications.services.outcome import rejection_notice, signers_of
from applications.workflow import Action, application_transition, permit_transition
from catalog.legal import legal_of
from outbox.services import enqueue
from permits.models import Permit, PermitCounter, RejectionLetter, StagedPermitFile
from permits.signals import application_issued
from permits.signing import (
    SigningUnavailable,
    get_signer,
    needs_credential,
    region_signs_remotely,
)
from ptsp.counters import next_in_sequence
from ptsp.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger("ptsp.issuance")

ISSUE_TASK = "permits.tasks.issue_permit"
REMINDER_DAYS = 30
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman_month(month: int) -> str:
    """The month as official numbers write it: 11 → "XI" (permit and letter numbers)."""
    return ROMAN_MONTHS[month - 1]


def _region_today(region) -> date:
    import zoneinfo

    return timezone.now().astimezone(zoneinfo.ZoneInfo(region.timezone)).date()


def format_permit_number(number_format: str, *, seq: int, code: str, region: str, on: date) -> str:
    """Fill a type's number format: {seq} (use {seq:04d} for zero padding), {code},
    {roman_month}, {month}, {year}, {region}."""
    return number_format.format(
        seq=seq,
        code=code,
        roman_month=roman_month(on.month),
        month=on.month,
        year=on.year,
        region=region,
    )


def _add_months(day: date, months: int) -> date:
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _signer_fields(application, actor, now, today) -> dict:
    """What a permit takes from its application and its signer at signing (also the preview).
    With no `actor` (a deemed approval issued automatically) the DPMPTSP is named as issuer."""
    permit_type = application.permit_type
    return {
        "signer": actor,
        "signer_name": actor.full_name if actor else dpmptsp_name(application.region_id),
        "signer_position": actor.position if actor else "",
        "signer_nip": actor.nip if actor else "",
        "issued_at": now,
        "valid_until": (
            _add_months(today, permit_type.validity_months) if permit_type.validity_months else None
        ),
        "holder_name": application.applicant.full_name,
        "business_name": application.business_name or application.applicant.full_name,
    }


def permit_preview(*, application, actor) -> Permit:
    """An unsaved Permit as it would be issued if `actor` signed now (issue 21 item 10): the
    same number format (with the number the counter would give now, marked "preview" in the
    page), the same validity and signer. Who: the signer's preview page. Writes nothing."""
    today = _region_today(application.region)
    permit_type = application.permit_type
    counter = PermitCounter.objects.filter(
        region_id=application.region_id, permit_type_id=permit_type.pk, year=today.year
    ).first()
    seq = (counter.last_value if counter else 0) + 1
    return Permit(
        **_numbered_fields(application, seq, today),
        verification_token="preview",  # noqa: S106 - not a secret: a preview
        **_signer_fields(application, actor, timezone.now(), today),
    )


def _numbered_fields(application, seq: int, today: date) -> dict:
    """The fields of a permit of `application` numbered `seq` on `today` (the preview and the
    real one alike)."""
    permit_type = application.permit_type
    return {
        "application": application,
        "permit_type": permit_type,
        "region": application.region,
        "number": format_permit_number(
            permit_type.number_format,
            seq=seq,
            code=permit_type.code,
            region=application.region.code,
            on=today,
        ),
        "year": today.year,
        "sequence": seq,
    }


def _next_sequence(*, region_id: int, permit_type_id: int, year: int) -> int:
    """Take the next number of a (region, type, year) counter. Must run inside the transaction
    that creates the permit: the row lock is held until it commits, and a rollback gives the
    number back, so numbers have no gaps and no duplicates."""
    return next_in_sequence(
        PermitCounter, region_id=region_id, permit_type_id=permit_type_id, year=year
    )


def _deemed_basis(application: Application) -> str:
    """The legal basis a deemed approval's permit states (empty for the office's decision)."""
    if application.legal_state != LegalState.DEEMED or application.catalog_version_id is None:
        return ""
    legal = legal_of(application.catalog_version.snapshot) or {}
    return (legal.get("basis") or "")[:500]


def _check_signer(actor, application: Application) -> None:
    regions = {a.region_id for a in agencies_of(actor, Role.SIGNER)}
    if application.region_id not in regions:
        raise NotAllowed(gettext_lazy("You may not do this."), code="workflow")


def permit_issue(*, application_id: int, actor) -> Permit:
    """Sign and issue: the signer of the application's region starts issuance.

    Who: a signer of the application's region (step-up checked by the view). Changes: the
    application recommended → issuing (event "start_issuance"), the type's counter (+1) and a new
    Permit in status issuing — or, after a failed attempt, the same Permit again with its number.
    Sends: `permits.tasks.issue_permit` after commit. Raises SigningUnavailable (certificate
    missing or unusable: nothing changes, no number is taken), NotAllowed, Conflict. A second
    click while the permit is being issued returns the same permit.
    """
    application = Application.objects.select_related("permit_type", "region").get(pk=application_id)
    _check_signer(actor, application)
    # The certificate is checked before any number is taken: a missing file or a wrong
    # passphrase must not consume a number nor move the application. Its fingerprint is fixed
    # now, at the click: the worker signs with that certificate or with none.
    signer = get_signer(application.region, user=actor)
    if needs_credential(signer):
        # BSrE needs the person's passphrase or code: permits.services.batch_signing.
        raise SigningUnavailable(
            gettext_lazy(
                "This region signs with BSrE: sign from the signing page, with your BSrE "
                "passphrase or a one-time code."
            ),
            code="bsre_credential_required",
        )
    signer.check()
    certificate_sha256 = signer.certificate_sha256()

    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("permit_type", "region", "applicant")
            .get(pk=application_id)
        )
        existing = Permit.objects.filter(application=application).first()
        if application.status in (Status.ISSUING, Status.ISSUED) and existing:
            return existing  # a second click: the same permit, the same number
        application, _event = application_transition(
            application_id=application.pk, action=Action.START_ISSUANCE, actor=actor
        )
        application = Application.objects.select_related("permit_type", "region", "applicant").get(
            pk=application_id
        )
        permit = _permit_numbered_and_queued(
            application, existing, actor=actor, certificate_sha256=certificate_sha256
        )
    logger.info(
        "issuance started: application=%s permit=%s number=%s actor=%s",
        application.pk,
        permit.pk,
        permit.number,
        actor.pk,
    )
    return permit


def _permit_numbered_and_queued(
    application: Application, existing: Permit | None, *, actor, certificate_sha256: str
) -> Permit:
    """In the caller's transaction, with the application moved to `issuing`: the permit with its
    signer's fields (`actor`; None: the office), numbered from the counter — or, for a retry,
    the permit that already has its number — and its render-and-sign task queued."""
    now = timezone.now()
    today = _region_today(application.region)
    fields = {
        **_signer_fields(application, actor, now, today),
        "signing_cert_sha256": certificate_sha256,
        "deemed_basis": _deemed_basis(application),
    }
    if existing:
        permit = existing
        for name, value in fields.items():
            setattr(permit, name, value)
        permit.application = application
        permit_transition(permit=permit, action="retry_issuance", actor=actor)
        permit.last_error = ""
        permit.attempts += 1
        permit.save()
    else:
        seq = _next_sequence(
            region_id=application.region_id,
            permit_type_id=application.permit_type_id,
            year=today.year,
        )
        permit = Permit.objects.create(
            **_numbered_fields(application, seq, today),
            verification_token=secrets.token_urlsafe(32),
            status=Permit.Status.ISSUING,
            attempts=1,
            **fields,
        )
    enqueue(
        ISSUE_TASK,
        args=[permit.pk],
        dedupe_key=f"permit-issue:{permit.pk}:{permit.attempts}",
    )
    return permit


def _number_kept(permit: Permit, why) -> SigningUnavailable:
    """The worker could not sign: say so, and say that the number stays taken."""
    return SigningUnavailable(
        gettext_lazy(
            "%(why)s The permit was not signed; its number %(number)s stays reserved for this "
            "application and is used when it is signed again. Please tell the system operator."
        )
        % {"why": why, "number": permit.number},
        code="signing_certificate_changed",
    )


def _signer_chosen_at_the_click(permit: Permit):
    """The region's signer, if it still holds the certificate fixed at the click
    (`Permit.signing_cert_sha256`); else SigningUnavailable with the truth about the number.
    Logged on `ptsp.issuance` at ERROR with both fingerprints."""
    try:
        signer = get_signer(permit.region, user=permit.signer)
        actual = signer.certificate_sha256()
    except SigningUnavailable as exc:
        logger.error(
            "issuance: certificate chosen at the click unavailable: permit=%s number=%s "
            "region=%s chosen=%s error=%s",
            permit.pk,
            permit.number,
            permit.region.code,
            permit.signing_cert_sha256[:16],
            exc.code,
        )
        raise _number_kept(
            permit,
            gettext_lazy(
                "The certificate chosen when the permit was signed is no longer available "
                "on the server."
            ),
        ) from exc
    if permit.signing_cert_sha256 and actual != permit.signing_cert_sha256:
        logger.error(
            "issuance: certificate changed since the click: permit=%s number=%s region=%s "
            "chosen=%s now=%s",
            permit.pk,
            permit.number,
            permit.region.code,
            permit.signing_cert_sha256[:16],
            actual[:16],
        )
        raise _number_kept(
            permit,
            gettext_lazy(
                "The certificate on the server is not the one chosen when the permit was signed."
            ),
        )
    return signer


def permit_complete_issuance(*, permit_id: int) -> Permit:
    """Render, sign and store a permit being issued; mark it valid; the application → issued.

    Who: the issuance task only (actor None). Safe to run twice: a permit no longer issuing is
    returned unchanged. Signs with the certificate fixed at the click or not at all
    (SigningUnavailable saying that the number stays reserved). A worker dying before the final
    commit leaves the permit issuing and the redelivered task completes it. Sends: an in-app
    notice to the applicant. Raises SigningUnavailable or rendering/signing errors.
    """
    # Inside: WeasyPrint (permits.rendering) is loaded only where a PDF is made (the worker),
    # not in every web process that imports this module.
    from permits.rendering import render_permit_pdf

    permit = Permit.objects.select_related(
        "application__applicant", "application__catalog_version", "permit_type", "region"
    ).get(pk=permit_id)
    if permit.status != Permit.Status.ISSUING:
        return permit
    if permit.application.status != Status.ISSUING:
        return permit  # a failed attempt was already rolled back; a new click re-enqueues
    signer = _signer_chosen_at_the_click(permit)
    signed = signer.sign(
        render_permit_pdf(permit),
        signer_name=permit.signer_name,
        reason=f"Penerbitan izin {permit.number}",
        location=permit.region.name,
    )
    staged = _stage_file(permit, signed)
    with transaction.atomic():
        locked = Permit.objects.select_for_update().get(pk=permit.pk)
        if locked.status != Permit.Status.ISSUING:
            _delete_staged([staged])  # another delivery won: this copy is named by nothing
            return locked
        locked.content_type = "application/pdf"
        locked.file.name = staged.name
        # The copies of earlier, killed attempts go now (before the commit: a rollback then
        # leaves rows naming files already gone, which the sweep deletes harmlessly).
        _delete_staged(list(locked.staged_files.exclude(pk=staged.pk)), rows=False)
        StagedPermitFile.objects.filter(permit=locked).delete()
        permit_complete(locked, signed)
    logger.info("permit issued: permit=%s number=%s", locked.pk, locked.number)
    return locked


def permit_complete(permit: Permit, signed: bytes) -> None:
    """`signed` (already stored as `permit.file`) is the permit: complete it and issue its
    application, in the caller's transaction. Who: the issuance task above and the BSrE batch
    (permits.services.batch_signing). Sends: `application_issued`, the applicant's notice."""
    permit.sha256 = hashlib.sha256(signed).hexdigest()
    permit.size = len(signed)
    permit_transition(permit=permit, action="complete_issuance", actor=None)
    permit.last_error = ""
    permit.save()
    application, _event = application_transition(
        application_id=permit.application_id,
        action=Action.ISSUE,
        actor=None,
        data={"permit": permit.number},
    )
    Application.objects.filter(pk=application.pk).update(closed_at=timezone.now())
    application_issued.send(sender=Permit, application_id=application.pk, permit_id=permit.pk)
    notify(
        recipients=[application.applicant],
        kind="issued",
        application=application,
        context={"permit_number": permit.number},
        url=reverse("applications:detail", args=[application.pk]),
        dedupe=f"permit:{permit.pk}",
    )


def _stage_file(permit: Permit, signed: bytes) -> StagedPermitFile:
    """Record the file's name (committed), then store it under that name: a crash after this
    leaves a row that says which file to remove."""
    field = Permit._meta.get_field("file")
    # A random private name (ptsp.files.PrivateUploadTo), never served from a public URL.
    name = field.generate_filename(permit, "permit.pdf")
    staged = StagedPermitFile.objects.create(permit=permit, name=name)
    stored = field.storage.save(name, ContentFile(signed))
    if stored != name:
        StagedPermitFile.objects.filter(pk=staged.pk).update(name=stored)
        staged.name = stored
    return staged


def _delete_staged(staged: list[StagedPermitFile], *, rows: bool = True) -> None:
    storage = Permit._meta.get_field("file").storage
    for item in staged:
        storage.delete(item.name)
        logger.info("issuance: removed an unused signed file: permit=%s", item.permit_id)
    if rows:
        StagedPermitFile.objects.filter(pk__in=[item.pk for item in staged]).delete()


def permit_files_sweep(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Remove signed files stored by attempts that never committed and never completed (the
    worker was killed, the permit then failed): staged rows older than `older_than` whose file
    no permit names. Who: the periodic invariant check. Returns how many files went."""
    cutoff = timezone.now() - older_than
    old = list(StagedPermitFile.objects.filter(created_at__lt=cutoff))
    named = set(
        Permit.objects.filter(file__in=[item.name for item in old]).values_list("file", flat=True)
    )
    orphans = [item for item in old if item.name not in named]
    _delete_staged(orphans)
    StagedPermitFile.objects.filter(pk__in=[item.pk for item in old if item.name in named]).delete()
    return len(orphans)


def permit_issuance_failed(*, permit_id: int, reason: str) -> Permit:
    """Record that issuance failed for good and hand the application back to the signer.

    Who: the issuance task after its last retry. Changes: `Permit.last_error`; the application
    issuing → recommended (event "issuance_failed"). The permit keeps its number; the next "sign
    and issue" reuses it. Safe to run twice.
    """
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit_id)
        if permit.status != Permit.Status.ISSUING:
            return permit
        permit.last_error = reason[:2000]
        permit.save(update_fields=["last_error"])
        if Application.objects.filter(pk=permit.application_id, status=Status.ISSUING).exists():
            application_transition(
                application_id=permit.application_id,
                action=Action.ISSUANCE_FAILED,
                actor=None,
                note=reason[:2000],
            )

        notify(
            recipients=signers_of(permit.application),
            kind="issuance_failed",
            application=permit.application,
            context={"reason": reason[:500]},
            url=reverse("permits:sign", args=[permit.application_id]),
            dedupe=f"permit-failed:{permit.pk}:{permit.attempts}",
        )
    logger.error("issuance failed: permit=%s reason=%s", permit.pk, reason)
    return permit


def permit_revoke(*, permit_id: int, actor, reason: str) -> Permit:
    """Revoke a valid permit. Who: a signer of the permit's region. Changes: status revoked,
    reason, actor, time; an event on the application. Sends: a notice to the holder. Raises
    DomainError (no reason), NotAllowed (not the region's signer), Conflict (not valid)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext_lazy("Give the reason for the revocation."), field="reason")
    with transaction.atomic():
        permit = Permit.objects.select_for_update().select_related("application").get(pk=permit_id)
        _check_signer(actor, permit.application)
        if permit.status != Permit.Status.VALID:
            raise Conflict(gettext_lazy("Only a valid permit can be revoked."))
        permit_transition(permit=permit, action="revoke", actor=actor, note=reason)
        permit.revoked_at = timezone.now()
        permit.revoked_by = actor
        permit.revoke_reason = reason
        permit.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        notify(
            recipients=[permit.application.applicant],
            kind="permit_revoked",
            application=permit.application,
            context={"permit_number": permit.number, "reason": reason},
            url=reverse("applications:detail", args=[permit.application_id]),
            dedupe=f"permit:{permit.pk}",
        )
    logger.info("permit revoked: permit=%s actor=%s", permit.pk, actor.pk)
    return permit


def permits_expire(*, today: date | None = None) -> int:
    """Mark valid permits whose validity ended before their region's today as expired, each
    through the permit table (`permit_transition` "expire") with an event on its application.
    `today` (tests) overrides every region's date. Who: the daily task. Returns how many
    changed. Safe to run twice and alongside another run (rows locked, the locked ones left to
    it)."""
    expired = 0
    for region in Region.objects.all():
        region_today = today or _region_today(region)
        with transaction.atomic():
            permits = list(
                Permit.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(region=region, status=Permit.Status.VALID, valid_until__lt=region_today)
                .select_related("application")
                .order_by("pk")
            )
            for permit in permits:
                permit_transition(permit=permit, action="expire", actor=None)
                permit.save(update_fields=["status"])
            expired += len(permits)
    if expired:
        logger.info("permits expired: %s", expired)
    return expired


def permits_remind_expiry(*, today: date | None = None) -> int:
    """Remind holders once, 30 days (or less) before their permit ends. Who: the daily task.
    Changes: `Permit.expiry_reminder_sent_at`; one notice per permit (deduplicated). Returns
    how many reminders were sent."""
    today = today or timezone.localdate()
    with transaction.atomic():
        permits = list(
            Permit.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Permit.Status.VALID,
                expiry_reminder_sent_at__isnull=True,
                valid_until__gte=today,
                valid_until__lte=today + timedelta(days=REMINDER_DAYS),
            )
            .select_related("application__applicant")
        )
        if not permits:
            return 0
        for p in permits:
            notify(
                recipients=[p.application.applicant],
                kind="permit_expiring",
                application=p.application,
                context={
                    "permit_number": p.number,
                    "valid_until": date_format(p.valid_until, "j F Y"),
                },
                url=reverse("applications:detail", args=[p.application_id]),
                dedupe=f"permit:{p.pk}",
            )
        Permit.objects.filter(pk__in=[p.pk for p in permits]).update(
            expiry_reminder_sent_at=timezone.now()
        )
    return len(permits)


def _rejection_reasons(application: Application) -> str:
    reviews = Review.objects.filter(
        application=application, status=ReviewStatus.REJECTED
    ).select_related("agency")
    return "\n".join(f"{r.agency.name}: {r.reasons}".strip() for r in reviews if r.reasons)


def rejection_letter_waits_for_signer(application: Application) -> bool:
    """Whether `application`'s rejection letter waits for a signer's BSrE passphrase or code
    (its region signs with BSrE) rather than being signed by the task that makes it. Registered
    in `applications` (the applicant's notice waits for the signed letter, `permits.apps`)."""
    return region_signs_remotely(application.region)


def _confirm_rejection_event(application: Application):
    return application.events.filter(action=Action.CONFIRM_REJECTION).select_related("actor").last()


def _letter_signer_fields(letter: RejectionLetter, signer) -> None:
    letter.signer = signer
    letter.signer_name = signer.full_name if signer else ""
    letter.signer_position = signer.position if signer else ""
    letter.signer_nip = signer.nip if signer else ""
    letter.issued_at = timezone.now()


def rejection_letter_issue(
    *, application: Application, signer=None, reasons: str | None = None
) -> RejectionLetter:
    """Make the rejection letter of a rejected application: rendered and signed here
    (synchronously, ≈ 0.1 s) with the region's certificate, or — in a region that signs with
    BSrE — left waiting for a signer (`awaiting_signature`, no file), who signs it from the
    signing queue with their passphrase or code (`rejection_letters_sign`).

    Who: the workflow service that confirms a rejection (or a task it enqueues). `reasons`
    defaults to the rejecting OPDs' reasons; `signer` to the actor of the "confirm_rejection"
    event. Changes: one RejectionLetter (with its signed file when signed here). Sends: the
    applicant's rejection notice once the letter is signed (deduplicated with the one the
    confirmation sent). Safe to call twice (returns the existing letter). Raises
    SigningUnavailable when the local certificate is missing or unusable.
    """
    # Inside: WeasyPrint is loaded only where a PDF is made (see permit_complete_issuance).
    from permits.rendering import render_rejection_letter_pdf

    existing = RejectionLetter.objects.filter(application=application).first()
    if existing and existing.file:
        return existing
    event = _confirm_rejection_event(application)
    if signer is None:
        signer = event.actor if event else None
    reasons = reasons if reasons is not None else _rejection_reasons(application)
    if not reasons.strip():
        reasons = "-"
    today = _region_today(application.region)
    letter = existing or RejectionLetter(
        application=application,
        number=f"503/{application.tracking_number or application.pk}/TOLAK/DPMPTSP/"
        f"{roman_month(today.month)}/{today.year}",
    )
    letter.reasons = reasons
    if region_signs_remotely(application.region):
        # Nobody is at the keyboard to type a BSrE passphrase: the letter waits for a signer.
        if existing is None:
            _letter_signer_fields(letter, signer)
            letter.status = RejectionLetter.Status.AWAITING_SIGNATURE
            letter.save()
            logger.info(
                "rejection letter waiting for a BSrE signature: letter=%s application=%s",
                letter.pk,
                application.pk,
            )
        return existing or letter
    pdf_signer = get_signer(application.region, remote=False)
    pdf_signer.check()
    _letter_signer_fields(letter, signer)
    signed = pdf_signer.sign(
        render_rejection_letter_pdf(letter),
        signer_name=letter.signer_name or "DPMPTSP",
        reason=f"Penolakan permohonan {application.tracking_number}",
        location=application.region.name,
    )
    with transaction.atomic():
        letter_store(letter, signed)
        letter_signed_notice(letter, event)
    return letter


def letter_store(letter: RejectionLetter, signed: bytes) -> None:
    """Store `signed` as the letter's file and mark it signed (in the caller's transaction)."""
    letter.content_type = "application/pdf"
    letter.file.save("letter.pdf", ContentFile(signed), save=False)
    letter.sha256 = hashlib.sha256(signed).hexdigest()
    letter.size = len(signed)
    letter.status = RejectionLetter.Status.SIGNED
    letter.save()


def letter_signed_notice(letter: RejectionLetter, event=None) -> None:
    """The applicant's notice of the rejection, now that its letter is signed: the same notice,
    under the same key, as the confirmation's (`applications.services.outcome.rejection_notice`),
    so that it is sent once — at the confirmation in a local region, here in a BSrE one."""
    application = letter.application
    event = event or _confirm_rejection_event(application)
    if event is None:  # a letter made without a confirmed rejection (tests, tools)
        return
    rejection_notice(application, event, letter.reasons)


__all__ = [
    "SigningUnavailable",
    "format_permit_number",
    "permit_complete_issuance",
    "permit_files_sweep",
    "permit_issuance_failed",
    "permit_issue",
    "permit_revoke",
    "permits_expire",
    "permits_remind_expiry",
    "rejection_letter_issue",
]


# --- deemed approvals issued automatically (issue 18, the `auto` policy) ------------------------

DEEMED_ISSUE_TASK = "permits.tasks.issue_deemed_permit"


def auto_issuance_refusal(region) -> str | None:
    """Why `region` cannot issue a deemed approval with no person signing, or None.

    Who calls it: the catalog's checks of a type's `auto` policy (registered in
    `permits.apps`) and `permit_issue_deemed` at the moment of issuing. A region whose signer
    needs what a person types (BSrE with the signer's passphrase or one-time code) cannot; nor
    one whose signing configuration is refused (SigningUnavailable's message). The region's own
    PKCS#12 / electronic seal can (its file is checked when the permit is issued)."""
    try:
        signer = get_signer(region, user=None)
    except SigningUnavailable as exc:
        return str(exc.message)
    if needs_credential(signer):
        return str(
            gettext_lazy(
                "it signs with BSrE, with the signer's own passphrase or one-time code, and "
                "no permit can be signed with no person signing."
            )
        )
    return None


def _auto_fallback(application: Application, reason: str) -> None:
    """The automatic issuance cannot happen: the file stays in the signer's queue (it is
    recommended) and the signers are told why, once per reason."""
    logger.error(
        "deemed approval not issued automatically: application=%s reason=%s",
        application.pk,
        reason,
    )
    notify(
        recipients=signers_of(application),
        kind="issuance_failed",
        application=application,
        context={
            "reason": str(
                gettext_lazy(
                    "The deemed approval could not be issued automatically (%(reason)s). "
                    "It waits in the signing queue: sign it there."
                )
                % {"reason": reason}
            )[:500]
        },
        url=reverse("permits:sign", args=[application.pk]),
        dedupe=f"deemed-auto-fallback:{application.pk}:{hashlib.sha256(reason.encode()).hexdigest()[:12]}",
    )


def permit_issue_deemed(*, application_id: int) -> Permit | None:
    """Issue a deemed approval automatically: the permit is numbered, sealed by the region's
    own certificate (no person signs: `Permit.signer` None, the office named) and says it is a
    deemed approval with its legal basis.

    Who may call: the task `permits.tasks.issue_deemed_permit` (system), enqueued by the legal
    guard when a type's policy is `auto`, and again by the payment of a levied deemed file.
    Changes: the application recommended → issuing (workflow row `issue_deemed`, event of the
    same name), the type's counter (+1), a new Permit (issuing); then the usual issuance task
    renders, signs and issues it (applicant told, OSS hears 50 and receives the permit).
    Idempotent: the application row is locked; a file already issuing or issued returns its
    permit (one permit, one number, however often the task is delivered). Does nothing (None)
    for a file not deemed under `auto`, or no longer recommended; a levied file whose levy is
    unpaid waits (None: the payment enqueues this again). When the region cannot issue with no
    person (BSrE, a missing certificate), the file stays in the signer's queue and the signers
    are told (None)."""
    application = Application.objects.select_related(
        "permit_type", "region", "catalog_version"
    ).get(pk=application_id)
    existing = Permit.objects.filter(application=application).first()
    if application.status in (Status.ISSUING, Status.ISSUED) and existing:
        return existing
    legal = legal_of(application.catalog_version.snapshot) or {}
    if (
        application.status != Status.RECOMMENDED
        or application.legal_state != LegalState.DEEMED
        or legal.get("policy") != "auto"
    ):
        return None
    if gates.sign_refusal(application):
        logger.info("deemed approval waits for its levy: application=%s", application.pk)
        return None
    refusal = auto_issuance_refusal(application.region)
    signer = None
    if refusal is None:
        signer = get_signer(application.region, user=None)
        try:
            signer.check()
        except SigningUnavailable as exc:
            refusal = str(exc.message)
    if refusal:
        _auto_fallback(application, refusal)
        return None
    certificate_sha256 = signer.certificate_sha256()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("permit_type", "region", "applicant")
            .get(pk=application_id)
        )
        existing = Permit.objects.filter(application=application).first()
        if application.status in (Status.ISSUING, Status.ISSUED) and existing:
            return existing
        if application.status != Status.RECOMMENDED:
            return None
        application, _event = application_transition(
            application_id=application.pk,
            action=Action.ISSUE_DEEMED,
            actor=None,
            note=legal.get("basis", ""),
            data={"legal_basis": legal.get("basis", "")},
        )
        application = Application.objects.select_related("permit_type", "region", "applicant").get(
            pk=application_id
        )
        permit = _permit_numbered_and_queued(
            application, existing, actor=None, certificate_sha256=certificate_sha256
        )
    logger.info(
        "deemed approval issued automatically: application=%s permit=%s number=%s",
        application.pk,
        permit.pk,
        permit.number,
    )
    return permit
