"""The levy of a case (issue 17, phase 2): the assessment an OPD officer stores during the
review, the SKRD issued once every OPD recommended, and the payment that sends the file to
the signer. The checks the workflow asks (`applications.gates`) are registered in
`fees.apps.FeesConfig.ready()`.

The permit type names its tariff and assessing agency in its catalog version
(`catalog.services.levy_of`); the engine's inputs are read from the application's form
(`assessment_inputs_from`) and may be corrected, with a reason, by the assessing officer.
"""

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import memberships_of
from applications.gates import levy_of_application
from applications.models import Application, LegalState, Review, ReviewStatus, Status
from applications.services.notifications import notify
from applications.services.outcome import (
    application_bill_deemed,
    application_bill_expired,
    application_payment_confirm,
)
from applications.uploads import check_upload
from applications.workflow import record_event
from fees.billing import billing_code_random
from fees.formatting import format_rupiah
from fees.interest import InterestResult, late_interest
from fees.models import (
    Assessment,
    Bill,
    FeeCounter,
    InterestNotice,
    LevyPayer,
    LevyPolicy,
    PaymentProof,
)
from fees.selectors import levy_policy_on, region_local_date
from fees.services import assessment_draft
from fees.terbilang import terbilang_rupiah
from outbox.services import enqueue
from permits.signing import get_signer
from ptsp.counters import next_in_sequence
from ptsp.errors import Conflict, DomainError, NotAllowed

logger = logging.getLogger("ptsp.fees")

# The PBG engine's inputs (fees.calculation.compute_pbg) and where the demo PBG form has them.
PBG_INPUTS = ("floor_area_m2", "floors", "function", "complexity", "permanence", "ownership",
              "activity")  # fmt: skip
PBG_DEFAULTS = {
    "complexity": "sederhana",
    "permanence": "permanen",
    "ownership": "perorangan",
    "activity": "baru",
}
# The form's "fungsi bangunan" choice → the function table's key.
PBG_FUNCTIONS = {
    "usaha": "usaha",
    "sosial budaya": "sosial_budaya",
    "keagamaan": "keagamaan",
    "khusus": "khusus",
}


def _number(text) -> str:
    return str(text).strip().replace(",", ".") if text not in (None, "") else ""


def assessment_inputs_from(application: Application) -> dict:
    """The PBG engine's inputs as the application gives them (form fields `luas_bangunan`,
    `jumlah_lantai`, `fungsi_bangunan`; a business with an NIB owns as a *badan usaha*), with
    the table's usual defaults for what the form does not ask. The officer corrects them."""
    form = application.form_data or {}
    area = _number(form.get("luas_bangunan"))
    floors = _number(form.get("jumlah_lantai"))
    chosen = str(form.get("fungsi_bangunan") or "").strip().lower()
    if chosen == "hunian":
        try:
            small = Decimal(area) < 100 and int(floors) < 2
        except (ArithmeticError, ValueError):
            small = False
        function = "hunian" if small else "hunian_tidak_sederhana"
    else:
        function = PBG_FUNCTIONS.get(chosen, "")
    inputs = {"floor_area_m2": area, "floors": floors, "function": function, **PBG_DEFAULTS}
    if application.nib:
        inputs["ownership"] = "badan_usaha"
    inputs["infrastructure"] = []
    return inputs


def _comparable(value):
    if isinstance(value, list):
        return [{k: _number(v) if k == "volume" else v for k, v in i.items()} for i in value]
    return _number(value) if value not in (None, "") else ""


def _may_assess(actor, review: Review) -> bool:
    for m in memberships_of(actor):
        if m.agency_id != review.agency_id:
            continue
        if m.role == Role.HEAD or (m.role == Role.OFFICER and review.assignee_id == actor.pk):
            return True
    return False


def assessment_record(*, review_id: int, actor, inputs: dict, reason: str = "") -> Assessment:
    """The assessing agency's officer (the review's assignee, or the agency head) sets the levy
    of the review's application: the engine computes from `inputs` with the tariff version
    valid today in the region; what differs from the application's own data is a correction
    and needs `reason`.

    Changes: one new Assessment (the latest counts for the bill), an event on the
    application. Raises NotAllowed (anyone else, or an agency that does not assess this
    type), Conflict (the review is no longer open), DomainError (no reason for a correction,
    bad inputs — every input's message — or no tariff valid today)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        application_id = Review.objects.values_list("application_id", flat=True).get(pk=review_id)
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("catalog_version", "region")
            .get(pk=application_id)
        )
        review = Review.objects.select_for_update(no_key=True).get(pk=review_id)
        levy = levy_of_application(application)
        if levy is None or levy["assessing_agency_id"] != review.agency_id:
            raise NotAllowed(_("This agency does not assess a levy for this permit."))
        if actor is None or not _may_assess(actor, review):
            raise NotAllowed(_("You may not do this."))
        if review.status != ReviewStatus.IN_REVIEW or application.status != Status.IN_REVIEW:
            raise Conflict(
                _("The levy can be set only while the review is open."), code="review_closed"
            )
        return _assessment_store(
            application=application, review=review, levy=levy, actor=actor, inputs=inputs,
            reason=reason,
        )  # fmt: skip


def _assessment_store(*, application, review, levy, actor, inputs: dict, reason: str):
    """Compute and store one assessment of `application` (locked by the caller) from `inputs`
    with the tariff valid today; what differs from the application's own data needs
    `reason`. Records `levy_assessed`."""
    source = assessment_inputs_from(application)
    corrections = [
        {"input": key, "from": source.get(key, ""), "to": inputs.get(key, "")}
        for key in sorted(set(source) | set(inputs))
        if _comparable(source.get(key, "")) != _comparable(inputs.get(key, ""))
    ]
    if corrections and not reason:
        raise DomainError(
            _("Say why the inputs differ from the application (%(inputs)s).")
            % {"inputs": ", ".join(c["input"] for c in corrections)},
            field="reason",
            code="correction_reason",
        )
    draft = assessment_draft(
        region=application.region, tariff_code=levy["tariff_code"], inputs=inputs
    )
    assessment = Assessment.objects.create(
        application=application,
        review=review,
        tariff_version_id=draft["tariff_version"]["id"],
        source_inputs=source,
        inputs=inputs,
        corrections=corrections,
        correction_reason=reason if corrections else "",
        draft=draft,
        digest=draft["digest"],
        total=Decimal(draft["total"]),
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    record_event(
        application=application,
        actor=actor,
        action="levy_assessed",
        review=review,
        note=reason if corrections else "",
        data={"assessment": assessment.pk, "total": draft["total"], "digest": draft["digest"]},
    )
    return assessment


def deemed_levy_assess(*, application_id: int, actor, inputs: dict, reason: str = "") -> Bill:
    """The levy of a file deemed approved by law before it was billed (its assessing OPD's
    review was closed by the deemed approval, or never opened): the region's treasurer
    assesses it from the application's inputs with the type's tariff, which issues the SKRD
    and moves the file to awaiting payment (docs/fees.md, "A deemed approval of a levied
    file"); the payment then returns it to the signer, or to the automatic issuance.

    Changes: one Assessment (review: the assessing agency's latest, or none), the file
    recommended → awaiting_payment (event `bill_deemed`), one Bill. Raises NotAllowed (not a
    treasurer of the file's region), DomainError (the type has no levy; a correction without
    a reason; bad inputs; a levy of Rp 0), Conflict (the file is not a deemed approval waiting
    for its levy, or already has a live bill). Any refusal changes nothing."""
    reason = (reason or "").strip()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("catalog_version", "region")
            .get(pk=application_id)
        )
        if actor is None or not _treasurer_of(actor, application.region_id):
            raise NotAllowed(_("You may not do this."))
        levy = levy_of_application(application)
        if levy is None:
            raise DomainError(_("This permit type has no levy."), code="no_levy")
        if application.legal_state != LegalState.DEEMED or application.status != Status.RECOMMENDED:
            raise Conflict(
                _("Only a deemed approval waiting for its levy is assessed here."),
                code="not_deemed",
            )
        if (
            Bill.objects.filter(application=application)
            .exclude(status=Bill.Status.EXPIRED)
            .exists()
        ):
            raise Conflict(_("This file's levy is already billed."), code="already_billed")
        review = (
            Review.objects.filter(application=application, agency_id=levy["assessing_agency_id"])
            .order_by("-id")
            .first()
        )
        assessment = _assessment_store(
            application=application, review=review, levy=levy, actor=actor, inputs=inputs,
            reason=reason,
        )  # fmt: skip
        if assessment.total <= 0:
            raise DomainError(
                _("The levy computed is Rp 0: correct the inputs, or the permit type's levy."),
                code="zero_levy",
            )
        application_bill_deemed(
            application_id=application.pk,
            actor=actor,
            data={"assessment": assessment.pk, "total": str(assessment.total)},
        )
        return Bill.objects.filter(application=application).order_by("-issued_at").first()


def latest_assessment(application) -> Assessment | None:
    return (
        Assessment.objects.filter(application=application).order_by("-assessed_at", "-id").first()
    )


# --- the gates the workflow asks (applications.gates) -------------------------------------------


def recommend_check(review) -> str | None:
    """The assessing agency's review recommends only once the levy is assessed."""
    assessment = latest_assessment(review.application)
    if assessment is None:
        return str(_("Set the levy (the calculator below) before recommending."))
    if assessment.total <= 0:
        return str(_("The levy computed is Rp 0: correct the inputs, or the permit type's levy."))
    return None


def sign_check(application) -> str | None:
    """A levied file goes to the signer only when its bill is paid."""
    bill = Bill.objects.filter(application=application).first()
    if bill is None or bill.status != Bill.Status.PAID:
        return str(
            _("The levy of this file is not paid: it cannot be signed or issued until it is.")
        )
    return None


# --- the SKRD ---------------------------------------------------------------------------------

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def skrd_number(*, sequence: int, region_code: str, month: int, year: int) -> str:
    """`973/0001/SKRD/BTG/III/2026`: 973 is the archive code of retribusi (Permendagri
    83/2022); the sequence is gap-free per region and year."""
    return f"973/{sequence:04d}/SKRD/{region_code}/{ROMAN[month - 1]}/{year}"


def _payer(application) -> LevyPayer:
    payer = LevyPayer.objects.filter(region=application.region, user=application.applicant).first()
    if payer is not None:
        return payer
    serial = next_in_sequence(FeeCounter, region=application.region, kind="npwr", year=0)
    return LevyPayer.objects.create(
        region=application.region,
        user=application.applicant,
        npwr=f"R.{application.region.code}.{serial:07d}",
    )


def _free_billing_code(prefix: str, year: int) -> str:
    for _attempt in range(10):
        code = billing_code_random(region_prefix=prefix, year=year)
        if not Bill.objects.filter(billing_code=code).exists():
            return code
    raise Conflict(_("No free billing code was found; try again."), code="billing_code")


def bill_issue(application, *, actor) -> Bill:
    """Issue the SKRD of a levied application that has just started waiting for payment.

    Who: `applications.services.outcome.application_settle` through `applications.gates`, in
    the transaction of the last recommendation. Changes: one Bill (the region's SKRD counter
    +1, the payer's NPWR on the first bill), an event. Sends: the applicant's notice; the PDF
    is rendered and signed by `fees.tasks.render_skrd` after commit. Raises Conflict (no
    assessment, no levy policy) — which rolls the recommendation back: nothing changes."""
    existing = (
        Bill.objects.filter(application=application).exclude(status=Bill.Status.EXPIRED).first()
    )
    if existing is not None:
        return existing
    assessment = latest_assessment(application)
    if assessment is None:
        raise Conflict(_("The levy has not been set: no SKRD can be issued."), code="no_assessment")
    region = application.region
    now = timezone.now()
    today = region_local_date(region, now)
    policy = levy_policy_on(region=region, day=today)
    due_date = today + timedelta(days=policy.payment_due_days)
    # The rules of the policy in force on the due date govern the lateness (interest, expiry).
    late_policy = _policy_or(region, due_date, policy)
    sequence = next_in_sequence(FeeCounter, region=region, kind="skrd", year=today.year)
    draft = assessment.draft
    applicant = application.applicant
    address = ", ".join(
        part for part in (application.address, application.kelurahan, application.kecamatan) if part
    )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                bill = Bill.objects.create(
                    application=application,
                    region=region,
                    assessment=assessment,
                    year=today.year,
                    sequence=sequence,
                    number=skrd_number(
                        sequence=sequence,
                        region_code=region.code,
                        month=today.month,
                        year=today.year,
                    ),
                    payer=_payer(application),
                    payer_name=application.business_name or applicant.full_name or applicant.email,
                    payer_address=address[:400],
                    object_description=(
                        f"{draft['tariff']['name']} — {application.tracking_number}"
                    )[:400],
                    lines=[
                        {
                            "account_code": line["account_code"],
                            "label": line["label"],
                            "amount": line["amount"],
                        }
                        for line in draft["lines"]
                    ],
                    total=assessment.total,
                    total_in_words=draft["total_in_words"],
                    issued_at=now,
                    issued_on=today,
                    due_date=due_date,
                    expires_on=due_date + timedelta(days=late_policy.payable_days_after_due),
                    billing_code=_free_billing_code(policy.billing_prefix, today.year),
                    issued_by=actor,
                )
            break
        except IntegrityError:  # a billing code taken by a racing bill: draw again
            continue
    else:
        raise Conflict(_("No free billing code was found; try again."), code="billing_code")
    record_event(
        application=application,
        actor=actor,
        action="skrd_issued",
        data={"skrd": bill.number, "billing_code": bill.billing_code, "total": str(bill.total)},
    )
    notify(
        recipients=[applicant],
        kind="skrd_issued",
        application=application,
        context={
            "bill": bill,
            "total": format_rupiah(bill.total),
        },
        url=reverse("fees:bill", args=[application.pk]),
        dedupe=f"skrd:{bill.pk}",
    )
    enqueue("fees.tasks.render_skrd", args=[bill.pk], dedupe_key=f"skrd-pdf:{bill.pk}")
    return bill


def bill_gate(application, *, actor) -> None:
    bill_issue(application, actor=actor)


def _render_and_sign_once(model, pk: int, *, related: tuple, render, reason: str, filename: str):
    """The levy letters' one pipeline (SKRD, STRD): render with the permits' renderer outside
    any transaction, sign with the region's signer, then store the PDF and its SHA-256 under a
    row lock unless another run stored it first. Raises SigningUnavailable."""
    row = model.objects.select_related(*related).get(pk=pk)
    if row.pdf:
        return row
    signer = get_signer(row.region)
    signer.check()
    signed = signer.sign(
        render(row), signer_name="DPMPTSP", reason=reason(row), location=row.region.name
    )
    with transaction.atomic():
        row = model.objects.select_for_update(no_key=True).get(pk=pk)
        if row.pdf:
            return row
        row.pdf.save(filename, ContentFile(signed), save=False)
        row.pdf_sha256 = hashlib.sha256(signed).hexdigest()
        row.pdf_error = ""
        row.save(update_fields=["pdf", "pdf_sha256", "pdf_error"])
    return row


def skrd_render_and_sign(*, bill_id: int) -> Bill:
    """Render the SKRD with the permits' renderer and sign it with the region's signer (the
    same pipeline as permits and letters). Who: `fees.tasks.render_skrd`. Changes: the bill's
    PDF and its SHA-256. Safe to run twice. Raises SigningUnavailable."""
    from fees.documents import render_skrd_pdf  # WeasyPrint only where a PDF is made

    return _render_and_sign_once(
        Bill,
        bill_id,
        related=("region", "application", "payer"),
        render=render_skrd_pdf,
        reason=lambda bill: f"SKRD {bill.number}",
        filename="skrd.pdf",
    )


# --- payment ------------------------------------------------------------------------------


def _policy_or(region, day, fallback: LevyPolicy | None = None) -> LevyPolicy:
    try:
        return levy_policy_on(region=region, day=day)
    except DomainError:
        if fallback is None:
            raise
        return fallback


def bill_interest(bill: Bill, on) -> InterestResult:
    """The late-payment interest of `bill` paid on the local day `on` (nothing up to the due
    date), by the levy policy in force on the due date (`fees.interest.late_interest`)."""
    policy = _policy_or(bill.region, bill.due_date)
    return late_interest(
        principal=int(bill.total),
        due_date=bill.due_date,
        paid_on=on,
        monthly_rate_percent=policy.interest_rate_percent,
        max_months=policy.interest_max_months,
        partial_month_counts_as_full=policy.partial_month_counts_as_full,
    )


def interest_account_of(bill: Bill, amount) -> str:
    """The revenue account a payment of `amount` books its late interest to (what it pays above
    the SKRD's total): the account of the levy policy in force on the due date; "" when it pays
    no interest or the policy names no account (the reports show that as unassigned)."""
    if Decimal(amount) <= Decimal(bill.total):
        return ""
    return _policy_or(bill.region, bill.due_date).interest_account_code


def bill_amount_due(bill: Bill, on=None) -> int:
    """What `bill` costs when paid on the local day `on` (today): the SKRD's total, plus the
    late interest after the due date."""
    on = on or region_local_date(bill.region)
    if on <= bill.due_date:
        return int(bill.total)
    return int(bill_interest(bill, on).total)


def bill_view(bill: Bill, today=None):
    """The bank interface's view of `bill` (fees.bank_protocol.BillView) on the local day
    `today`: the amount due with any late interest, the last day it can be paid; an expired
    bill answers 54 (expired), whether or not the sweep has marked it yet."""
    from fees.bank_protocol import BillView

    today = today or region_local_date(bill.region)
    status = bill.status
    expires_on = bill.expires_on
    if status == Bill.Status.EXPIRED:
        status = Bill.Status.UNPAID
        expires_on = min(expires_on or today, today - timedelta(days=1))
    return BillView(
        billing_code=bill.billing_code,
        amount=bill_amount_due(bill, today) if status == Bill.Status.UNPAID else int(bill.total),
        due_date=bill.due_date,
        status=status,
        expires_on=expires_on,
        payer_name=bill.payer_name,
        bill_number=bill.number,
        paid_at=bill.paid_at,
    )


def bill_mark_paid(*, bill: Bill, payment, actor=None) -> None:
    """Record that locked `bill` is paid by `payment` (already saved) and send the file to the
    signer's queue, in the caller's transaction. Who: the H2H receiver and the treasurer's
    confirmation, holding the bill's row lock."""
    bill.status = Bill.Status.PAID
    bill.paid_at = payment.paid_at
    bill.save(update_fields=["status", "paid_at"])
    application_payment_confirm(
        application_id=bill.application_id,
        actor=actor,
        note=f"{payment.bank_id} {payment.receipt_number}",
        data={"skrd": bill.number, "amount": str(payment.amount), "method": payment.method},
    )


def bill_cancel_on_withdraw(*, event) -> Bill | None:
    """An application withdrawn while its SKRD is unpaid: the bill is cancelled, in the
    withdrawal's transaction (the receiver of `applications.signals.event_recorded` for the
    `withdraw` event). From then on a bank's inquiry or payment of its billing code is answered
    `14` (unknown or cancelled bill) and no proof of it can be uploaded or confirmed.

    The bill's row is taken with NOWAIT: a bank's payment holds it while it waits for the
    application's row, which the withdrawal holds — rather than deadlock, the withdrawal is
    refused (Conflict: try again in a moment) and the payment goes through. Returns the
    cancelled bill, or None (no bill, or not unpaid)."""
    if event.action != "withdraw":
        return None
    from django.db.utils import OperationalError

    try:
        bill = (
            Bill.objects.select_for_update(no_key=True, nowait=True)
            .filter(application_id=event.application_id)
            .first()
        )
    except OperationalError as exc:
        raise Conflict(
            _("A payment of this application's bill is being recorded right now; try again."),
            code="bill_payment_in_progress",
        ) from exc
    if bill is None or bill.status != Bill.Status.UNPAID:
        return None
    bill.status = Bill.Status.CANCELLED
    bill.save(update_fields=["status"])
    logger.info("SKRD %s cancelled: application %s withdrawn", bill.number, event.application_id)
    return bill


def skrd_pdf_failed(*, bill_id: int, reason: str) -> None:
    """Record why the SKRD's PDF could not be signed (shown to staff; the bill stands)."""
    Bill.objects.filter(pk=bill_id).update(pdf_error=reason[:2000])


# --- a proof of payment and the treasurer (bendahara penerimaan) ----------------------------

PROOF_KINDS = ["pdf", "jpeg", "png"]
PROOF_MAX_KB = 5120


def _locked_bill_of_owner(application_id: int, actor) -> Bill:
    bill = (
        Bill.objects.select_for_update(no_key=True)
        .select_related("application")
        .filter(application_id=application_id)
        .first()
    )
    if bill is None or actor is None or bill.application.applicant_id != actor.pk:
        raise NotAllowed(_("You may not do this."))
    return bill


def proof_upload(*, application_id: int, actor, upload, paid_on, note: str = ""):
    """The applicant uploads a proof of payment of the application's unpaid SKRD (a PDF, JPEG
    or PNG, checked like every upload: kind, size, real content, scan).

    Changes: one PaymentProof (pending). Sends: nothing (the treasurers' queue shows it).
    Raises NotAllowed (not the owner), Conflict (the bill is paid or cancelled, or a proof is
    already waiting), DomainError (a bad file, no or a future payment date)."""

    if paid_on is None:
        raise DomainError(_("Give the day you paid."), field="paid_on")
    with transaction.atomic():
        bill = _locked_bill_of_owner(application_id, actor)
        if paid_on > region_local_date(bill.region) or paid_on < bill.issued_on:
            raise DomainError(
                _("The day of payment must be between the SKRD's date and today."),
                field="paid_on",
            )
        if bill.status == Bill.Status.EXPIRED or (bill.expires_on and paid_on > bill.expires_on):
            raise Conflict(
                _("This bill expired on %(day)s unpaid: it can no longer be paid.")
                % {"day": bill.expires_on.isoformat() if bill.expires_on else ""},
                code="bill_expired",
            )
        if bill.status != Bill.Status.UNPAID:
            raise Conflict(
                _("This bill is already paid: no proof is needed."), code="bill_not_unpaid"
            )
        if bill.proofs.filter(status=PaymentProof.Status.PENDING).exists():
            raise Conflict(
                _("A proof of this bill is already waiting for the treasurer."),
                code="proof_pending",
            )
        checked = check_upload(upload, accepted_kinds=PROOF_KINDS, max_size_kb=PROOF_MAX_KB)
        proof = PaymentProof(
            bill=bill,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            paid_on=paid_on,
            note=(note or "").strip()[:300],
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        proof.file.save("proof", ContentFile(checked.data), save=False)
        proof.save()
    return proof


def _treasurer_of(actor, region_id) -> bool:
    return any(
        m.role == Role.TREASURER and m.agency.region_id == region_id for m in memberships_of(actor)
    )


def _locked_pending_proof(proof_id: int, actor):
    from fees.models import PaymentProof

    region_id = (
        PaymentProof.objects.filter(pk=proof_id).values_list("bill__region_id", flat=True).first()
    )
    if region_id is None or actor is None or not _treasurer_of(actor, region_id):
        raise NotAllowed(_("You may not do this."))
    bill_id = PaymentProof.objects.values_list("bill_id", flat=True).get(pk=proof_id)
    bill = Bill.objects.select_for_update(no_key=True).get(pk=bill_id)
    proof = PaymentProof.objects.select_for_update(no_key=True).get(pk=proof_id)
    if proof.status != PaymentProof.Status.PENDING:
        raise Conflict(
            _("This proof was already decided (%(status)s).")
            % {"status": proof.get_status_display()},
            code="proof_decided",
        )
    return bill, proof


def proof_confirm(*, proof_id: int, actor):
    """The region's treasurer confirms a pending proof: the bill is paid (a manual Payment of
    exactly the amount due on the day the proof says it was paid, late interest included) and the file moves to the signer's queue, in one transaction.

    Raises NotAllowed (not the region's treasurer), Conflict (already decided, or the bill
    was paid meanwhile — e.g. by the bank: nothing changes, refuse the proof instead)."""
    from fees.models import Payment, PaymentProof

    with transaction.atomic():
        bill, proof = _locked_pending_proof(proof_id, actor)
        if bill.status == Bill.Status.CANCELLED:
            raise Conflict(
                _("This bill was cancelled (the application was withdrawn); refuse the proof."),
                code="bill_cancelled",
            )
        if bill.status == Bill.Status.EXPIRED:
            raise Conflict(
                _("This bill expired unpaid: it can no longer be paid."), code="bill_expired"
            )
        if bill.status != Bill.Status.UNPAID:
            raise Conflict(
                _("This bill is already paid; refuse the proof with that reason."),
                code="bill_not_unpaid",
            )
        now = timezone.now()
        amount = bill_amount_due(bill, proof.paid_on)
        payment = Payment.objects.create(
            bill=bill,
            method=Payment.Method.MANUAL,
            bank_id="MANUAL",
            receipt_number=f"PROOF-{proof.pk}",
            amount=amount,
            interest_account_code=interest_account_of(bill, amount),
            paid_at=now,
            channel="OTHER",
            confirmed_by=actor,
        )
        proof.status = PaymentProof.Status.CONFIRMED
        proof.decided_by = actor
        proof.decided_at = now
        proof.save(update_fields=["status", "decided_by", "decided_at"])
        bill_mark_paid(bill=bill, payment=payment, actor=actor)
    return proof


def proof_refuse(*, proof_id: int, actor, reason: str):
    """The region's treasurer refuses a pending proof with the reason the applicant is told;
    the bill stays unpaid and a new proof may be uploaded.

    Raises DomainError (no reason), NotAllowed, Conflict (already decided)."""
    from fees.models import PaymentProof

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the proof is refused."), field="reason")
    with transaction.atomic():
        bill, proof = _locked_pending_proof(proof_id, actor)
        proof.status = PaymentProof.Status.REFUSED
        proof.decided_by = actor
        proof.decided_at = timezone.now()
        proof.refusal_reason = reason
        proof.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        application = Application.objects.get(pk=bill.application_id)
        notify(
            recipients=[application.applicant],
            kind="payment_proof_refused",
            application=application,
            context={"bill": bill, "reason": reason},
            url=reverse("fees:bill", args=[application.pk]),
            dedupe=f"proof:{proof.pk}",
        )
    return proof


# --- late payment: the STRD, and the expiry of an unpaid bill ----------------------------------


def strd_number(*, sequence: int, region_code: str, month: int, year: int) -> str:
    """`973/0001/STRD/BTG/V/2026`: the STRD's own gap-free sequence per region and year."""
    return f"973/{sequence:04d}/STRD/{region_code}/{ROMAN[month - 1]}/{year}"


def strd_issue(*, bill_id: int, now=None) -> InterestNotice | None:
    """Issue the STRD of an unpaid, overdue bill for the months of interest charged today, if
    none was issued for that many months yet (idempotent: the second call returns None).

    Who: `levy_sweep`. Changes: one InterestNotice (the region's `strd` counter +1), an event
    on the application. Sends: the applicant's notice; the PDF after commit
    (`fees.tasks.render_strd`)."""
    now = now or timezone.now()
    with transaction.atomic():
        bill = (
            Bill.objects.select_for_update(no_key=True)
            .select_related("region", "application")
            .get(pk=bill_id)
        )
        today = region_local_date(bill.region, now)
        if bill.status != Bill.Status.UNPAID or today <= bill.due_date:
            return None
        if bill.expires_on is not None and today > bill.expires_on:
            return None
        result = bill_interest(bill, today)
        late_policy = _policy_or(bill.region, bill.due_date)
        months = result.lateness.months_charged
        if months < 1 or bill.interest_notices.filter(months_charged=months).exists():
            return None
        sequence = next_in_sequence(FeeCounter, region=bill.region, kind="strd", year=today.year)
        notice = InterestNotice.objects.create(
            bill=bill,
            region=bill.region,
            year=today.year,
            sequence=sequence,
            number=strd_number(
                sequence=sequence, region_code=bill.region.code, month=today.month, year=today.year
            ),
            months_charged=months,
            principal=result.principal,
            interest=result.interest,
            total=result.total,
            total_in_words=terbilang_rupiah(int(result.total)),
            computation={
                **result.as_dict(),
                "due_date": bill.due_date.isoformat(),
                "on": today.isoformat(),
                "partial_month_counts_as_full": late_policy.partial_month_counts_as_full,
                "interest_account_code": late_policy.interest_account_code,
            },
            issued_at=now,
            issued_on=today,
        )
        record_event(
            application=bill.application,
            actor=None,
            action="strd_issued",
            data={
                "skrd": bill.number,
                "strd": notice.number,
                "months": months,
                "interest": str(notice.interest),
                "total": str(notice.total),
            },
        )
        notify(
            recipients=[bill.application.applicant],
            kind="strd_issued",
            application=bill.application,
            context={
                "bill": bill,
                "strd": notice,
                "interest": format_rupiah(notice.interest),
                "total": format_rupiah(notice.total),
            },
            url=reverse("fees:bill", args=[bill.application_id]),
            dedupe=f"strd:{notice.pk}",
        )
        enqueue("fees.tasks.render_strd", args=[notice.pk], dedupe_key=f"strd-pdf:{notice.pk}")
    return notice


def bill_expire(*, bill_id: int, now=None) -> bool:
    """Expire an unpaid bill whose last payable day has passed, and apply the region's rule
    (the levy policy in force on the due date, `expired_bill_rule`): back to the assessing
    agency, or close the file (`applications.services.outcome.application_bill_expired`).

    Who: `levy_sweep`. Idempotent: a bill already expired, paid or not yet past its last day
    is left alone (returns False), and so is a bill with a proof of payment waiting for the
    treasurer (its day of payment is at most the last payable day: the treasurer decides; a
    refusal lets the next sweep expire it). Changes: the bill (expired), the application's status and
    event; the applicant is told. All in one transaction: a failure leaves the bill unpaid."""
    now = now or timezone.now()
    with transaction.atomic():
        bill = Bill.objects.select_for_update(no_key=True).select_related("region").get(pk=bill_id)
        today = region_local_date(bill.region, now)
        if bill.status != Bill.Status.UNPAID or bill.expires_on is None:
            return False
        if today <= bill.expires_on:
            return False
        if bill.proofs.filter(status=PaymentProof.Status.PENDING).exists():
            return (
                False  # paid in time (a proof's day is at most the last day): the treasurer decides
            )
        policy = _policy_or(bill.region, bill.due_date)
        reassess = policy.expired_bill_rule == LevyPolicy.ExpiredRule.REASSESS
        bill.status = Bill.Status.EXPIRED
        bill.expired_at = now
        bill.save(update_fields=["status", "expired_at"])
        application_bill_expired(
            application_id=bill.application_id,
            reassess=reassess,
            note=str(
                _("SKRD %(number)s was not paid by %(day)s.")
                % {"number": bill.number, "day": bill.expires_on.isoformat()}
            ),
            data={
                "skrd": bill.number,
                "expires_on": bill.expires_on.isoformat(),
                "rule": policy.expired_bill_rule,
            },
        )
    logger.info("SKRD expired: bill=%s rule=%s", bill.number, policy.expired_bill_rule)
    return True


def levy_sweep(*, now=None) -> dict:
    """The daily look at unpaid bills (`fees.tasks.levy_sweep`, Celery beat): an STRD for
    every overdue bill whose months of interest grew, and the region's rule for every bill
    past its last payable day. Safe to run twice or late: each bill is locked and re-checked,
    each STRD is unique per bill and month count, an expired bill is expired once."""
    now = now or timezone.now()
    counts = {"strd": 0, "expired": 0}
    unpaid = Bill.objects.filter(status=Bill.Status.UNPAID)
    # Coarse filter by the UTC date (a day either way); each case re-checks in the region's day.
    horizon = timezone.localdate(now) + timedelta(days=1)
    for bill_id, expires_on in unpaid.filter(due_date__lt=horizon).values_list("pk", "expires_on"):
        if (
            expires_on is not None
            and expires_on < horizon
            and bill_expire(bill_id=bill_id, now=now)
        ):
            counts["expired"] += 1
        elif strd_issue(bill_id=bill_id, now=now) is not None:
            counts["strd"] += 1
    return counts


def strd_render_and_sign(*, notice_id: int) -> InterestNotice:
    """Render the STRD and sign it with the region's signer (the SKRD's pipeline). Who:
    `fees.tasks.render_strd`. Safe to run twice. Raises SigningUnavailable."""
    from fees.documents import render_strd_pdf

    return _render_and_sign_once(
        InterestNotice,
        notice_id,
        related=("region", "bill", "bill__application"),
        render=render_strd_pdf,
        reason=lambda notice: f"STRD {notice.number}",
        filename="strd.pdf",
    )


def strd_pdf_failed(*, notice_id: int, reason: str) -> None:
    InterestNotice.objects.filter(pk=notice_id).update(pdf_error=reason[:2000])
