"""Reconciliation (docs/fees.md §11): the region's treasurer imports the bank's settlement file
(§9, `fees.simulator.read_settlement`), every row is matched on bank + receipt number against
the payments we recorded, and the differences are listed: paid at the bank but not recorded
here (e.g. a payment whose answer the bank never received, UNCONFIRMED), recorded here but not
in the file (for the file's days), amounts or billing codes that differ. The import and its
findings are stored; a bad file is refused whole, with the line at fault, and nothing is
stored."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import agencies_of
from fees.models import Bill, Payment, SettlementImport, SettlementLine
from fees.selectors import region_local_date
from fees.simulator.settlement import read_settlement
from ptsp.errors import Conflict, DomainError, NotAllowed

MAX_FILE_BYTES = 5 * 1024 * 1024


def banks_of_region(region) -> list[str]:
    """The ids of the banks that pay the region's bills (fees.h2h's configuration)."""
    from fees.h2h import bank_credentials

    return sorted(b.bank_id for b in bank_credentials().values() if b.region_code == region.code)


def _treasurer_regions(actor) -> set[int]:
    return {a.region_id for a in agencies_of(actor, Role.TREASURER)} if actor else set()


def _read(upload) -> tuple[str, bytes]:
    if upload is None:
        raise DomainError(_("Choose the bank's settlement file (CSV)."), field="file")
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("The file is larger than 5 MB."), field="file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is not UTF-8 text: export the settlement as CSV."), field="file"
        ) from None
    return text, data


def settlement_import(*, actor, region, bank_id: str, upload) -> SettlementImport:
    """Import bank `bank_id`'s settlement file `upload` for `region` and reconcile it.

    Who: the region's treasurer. Changes: one SettlementImport with a SettlementLine per row
    of the file and per payment of ours the file lacks. Raises NotAllowed (not the region's
    treasurer), DomainError (not a bank of the region; the file unreadable, with the line at
    fault: wrong columns, a bad amount or date; a row of another bank; a receipt number twice;
    no rows), Conflict (the same file imported before). Nothing is stored on an error."""
    if region.pk not in _treasurer_regions(actor):
        raise NotAllowed(_("You may not do this."))
    if bank_id not in banks_of_region(region):
        raise DomainError(_("Choose one of the region's banks."), field="bank")
    text, data = _read(upload)
    try:
        rows = read_settlement(text.removeprefix("\ufeff"))
    except ValueError as exc:
        raise DomainError(
            _("The file cannot be read: %(problem)s. Nothing was imported.") % {"problem": exc},
            field="file",
            code="settlement_unreadable",
        ) from None
    if not rows:
        raise DomainError(_("The file has no payments."), field="file")
    for number, row in enumerate(rows, start=2):
        if row.bank_id != bank_id:
            raise DomainError(
                _(
                    "Line %(line)s is a payment of bank %(other)s, not of %(bank)s: import "
                    "each bank's file under its own bank. Nothing was imported."
                )
                % {"line": number, "other": row.bank_id, "bank": bank_id},
                field="file",
                code="settlement_wrong_bank",
            )
    repeated = [r for r, n in Counter(r.receipt_number for r in rows).items() if n > 1]
    if repeated:
        raise DomainError(
            _("The receipt number %(receipt)s is in the file twice. Nothing was imported.")
            % {"receipt": repeated[0]},
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    if SettlementImport.objects.filter(region=region, bank_id=bank_id, sha256=digest).exists():
        raise Conflict(_("This file was imported before."), code="settlement_repeated")
    first_day = min(r.settlement_date for r in rows)
    last_day = max(r.settlement_date for r in rows)
    payments = {
        p.receipt_number: p
        for p in Payment.objects.filter(
            bank_id=bank_id,
            bill__region=region,
            receipt_number__in=[r.receipt_number for r in rows],
        ).select_related("bill")
    }
    try:
        with transaction.atomic():
            batch = SettlementImport.objects.create(
                region=region,
                bank_id=bank_id,
                file_name=(getattr(upload, "name", "") or "settlement.csv")[:200],
                sha256=digest,
                first_day=first_day,
                last_day=last_day,
                row_count=len(rows),
                file_total=sum(Decimal(r.amount) for r in rows),
                imported_by=actor,
                imported_at=timezone.now(),
            )
            lines = []
            for number, row in enumerate(rows, start=2):
                payment = payments.get(row.receipt_number)
                if payment is None:
                    outcome = SettlementLine.Outcome.MISSING_HERE
                elif payment.bill.billing_code != row.billing_code:
                    outcome = SettlementLine.Outcome.BILL_MISMATCH
                elif int(payment.amount) != row.amount:
                    outcome = SettlementLine.Outcome.AMOUNT_MISMATCH
                else:
                    outcome = SettlementLine.Outcome.MATCHED
                lines.append(
                    SettlementLine(
                        settlement=batch,
                        line_number=number,
                        outcome=outcome,
                        settlement_date=row.settlement_date,
                        receipt_number=row.receipt_number,
                        billing_code=row.billing_code,
                        amount=row.amount,
                        paid_at=row.paid_at[:40],
                        channel=row.channel[:10],
                        bank_status=row.status[:12],
                        payment=payment,
                        recorded_amount=payment.amount if payment else None,
                    )
                )
            in_file = {r.receipt_number for r in rows}
            ours = Payment.objects.filter(
                bank_id=bank_id,
                bill__region=region,
                method=Payment.Method.H2H,
                # a day either side in UTC; the region's own day is checked below
                paid_at__date__gte=first_day - timedelta(days=1),
                paid_at__date__lte=last_day + timedelta(days=1),
            ).select_related("bill")
            for payment in ours.exclude(receipt_number__in=in_file):
                if first_day <= region_local_date(region, payment.paid_at) <= last_day:
                    lines.append(
                        SettlementLine(
                            settlement=batch,
                            outcome=SettlementLine.Outcome.MISSING_IN_FILE,
                            receipt_number=payment.receipt_number,
                            billing_code=payment.bill.billing_code,
                            paid_at=payment.paid_at.isoformat()[:40],
                            channel=payment.channel,
                            payment=payment,
                            recorded_amount=payment.amount,
                        )
                    )
            SettlementLine.objects.bulk_create(lines)
            batch.matched = sum(1 for x in lines if x.outcome == SettlementLine.Outcome.MATCHED)
            batch.differences = len(lines) - batch.matched
            batch.save(update_fields=["matched", "differences"])
    except IntegrityError:
        raise Conflict(_("This file was imported before."), code="settlement_repeated") from None
    return batch


def settlements_visible_to(user):
    """The imports of the regions where `user` is the treasurer; none for anyone else."""
    return SettlementImport.objects.filter(region_id__in=_treasurer_regions(user))


@dataclass(frozen=True)
class Recorded:
    payment: Payment
    new: bool  # False: the bank's own post had arrived since the import (only linked)


def settlement_line_record(*, line_id: int, actor) -> Recorded:
    """Record here a payment the bank's settlement file lists and we have no record of (a
    `missing_here` finding: typically the bank posted it, took the money, and never got our
    answer). The payment is what the file says — the bank's receipt number, amount, time and
    channel — booked as the bank's (host-to-host) payment, confirmed by the treasurer, and the
    bill is paid as if the post had arrived: the file goes to the signer's queue. When the
    bank's post has arrived since the import, the finding is only linked to it.

    Who: the treasurer of the import's region. Changes: one Payment, the bill paid, the line
    linked to the payment with who recorded it and when. Raises NotAllowed (not the region's
    treasurer), Conflict (not a `missing_here` finding, already recorded, the bill paid by
    another payment, cancelled or expired), DomainError (no bill of the region with the line's
    billing code, an unreadable payment time, an amount that is not the bill's amount due on the
    day it was paid). Nothing changes on an error: the bank refunds what cannot be recorded."""
    from fees.cases import bill_amount_due, bill_mark_paid, interest_account_of

    with transaction.atomic():
        line = (
            SettlementLine.objects.select_for_update()
            .select_related("settlement", "settlement__region")
            .filter(pk=line_id)
            .first()
        )
        if line is None or line.settlement.region_id not in _treasurer_regions(actor):
            raise NotAllowed(_("You may not do this."))
        if line.outcome != SettlementLine.Outcome.MISSING_HERE:
            raise Conflict(
                _("Only a payment the bank lists and we have not recorded can be recorded here."),
                code="settlement_line_not_missing",
            )
        if line.payment_id is not None:
            raise Conflict(_("This payment was recorded already."), code="settlement_line_recorded")
        batch = line.settlement
        region = batch.region
        bill = (
            Bill.objects.select_for_update(no_key=True)
            .select_related("region")
            .filter(region=region, billing_code=line.billing_code)
            .first()
        )
        if bill is None:
            raise DomainError(
                _(
                    "No bill of %(region)s has the billing code %(code)s: the bank refunds "
                    "the payment."
                )
                % {"region": region.name, "code": line.billing_code},
                code="settlement_bill_unknown",
            )
        already = Payment.objects.filter(
            bank_id=batch.bank_id, receipt_number=line.receipt_number
        ).first()
        if already is not None:
            # The bank's post arrived after the import: link the finding to it, nothing else.
            line.payment = already
            line.recorded_amount = already.amount
            line.save(update_fields=["payment", "recorded_amount"])
            return Recorded(payment=already, new=False)
        try:
            paid_at = datetime.fromisoformat(line.paid_at)
        except ValueError:
            paid_at = None
        if paid_at is None or paid_at.tzinfo is None:
            raise DomainError(
                _("The payment time in the file (%(value)s) cannot be read.")
                % {"value": line.paid_at or "—"},
                code="settlement_paid_at_unreadable",
            )
        if bill.status == Bill.Status.PAID:
            raise Conflict(
                _(
                    "The bill %(bill)s is paid already by another payment: the bank refunds this one."
                )
                % {"bill": bill.number},
                code="bill_not_unpaid",
            )
        if bill.status != Bill.Status.UNPAID:
            raise Conflict(
                _("The bill %(bill)s is %(status)s: it can no longer be paid; the bank refunds.")
                % {"bill": bill.number, "status": bill.get_status_display().lower()},
                code="bill_not_unpaid",
            )
        paid_on = region_local_date(region, paid_at)
        if bill.expires_on is not None and paid_on > bill.expires_on:
            raise Conflict(
                _("The bill %(bill)s could be paid until %(day)s: the bank refunds this payment.")
                % {"bill": bill.number, "day": bill.expires_on.isoformat()},
                code="bill_expired",
            )
        due = bill_amount_due(bill, paid_on)
        if int(line.amount or 0) != due:
            raise DomainError(
                _(
                    "The bank took Rp %(taken)s; the bill cost Rp %(due)s on %(day)s: ask the bank "
                    "to correct or refund it."
                )
                % {"taken": int(line.amount or 0), "due": due, "day": paid_on.isoformat()},
                code="settlement_amount_differs",
            )
        payment = Payment.objects.create(
            bill=bill,
            method=Payment.Method.H2H,
            bank_id=batch.bank_id,
            receipt_number=line.receipt_number,
            amount=due,
            interest_account_code=interest_account_of(bill, due),
            paid_at=paid_at,
            channel=line.channel or "OTHER",
            confirmed_by=actor,
        )
        bill_mark_paid(bill=bill, payment=payment, actor=actor)
        line.payment = payment
        line.recorded_amount = payment.amount
        line.recorded_by = actor
        line.recorded_at = timezone.now()
        line.save(update_fields=["payment", "recorded_amount", "recorded_by", "recorded_at"])
    return Recorded(payment=payment, new=True)
