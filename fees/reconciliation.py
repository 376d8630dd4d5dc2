"""Reconciliation (docs/fees.md §11): the region's treasurer imports the bank's settlement file
(§9, `fees.simulator.read_settlement`), every row is matched on bank + receipt number against
the payments we recorded, and the differences are listed: paid at the bank but not recorded
here (e.g. a payment whose answer the bank never received, UNCONFIRMED), recorded here but not
in the file (for the file's days), amounts or billing codes that differ. The import and its
findings are stored; a bad file is refused whole, with the line at fault, and nothing is
stored."""

import hashlib
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import agencies_of
from fees.models import Payment, SettlementImport, SettlementLine
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
