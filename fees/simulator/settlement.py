"""The bank's daily settlement file (*rekonsiliasi*): what the bank took from its customers for
the region's bills, for the treasurer to reconcile against what we recorded (phase 2).

Format (docs/fees.md): CSV as in RFC 4180 — UTF-8 without BOM, comma-separated, CRLF line
ends, one header row, fields quoted only when needed. Columns, in this order:

    settlement_date  the bank's business day of the payment, YYYY-MM-DD, in the bank's zone
    bank_id          the paying bank's id (X-Bank-Id)
    receipt_number   the bank's receipt number: unique per bank, the key to match on
    billing_code     the bill paid
    amount           whole rupiah, digits only
    paid_at          ISO 8601 with the UTC offset
    channel          TELLER, ATM, MOBILE, INTERNET, EDC, AGENT or OTHER
    status           PAID (we answered 00) or UNCONFIRMED (the bank sent the payment and had
                     no answer: money taken, our side unknown — the case reconciliation is for)

Refused payments (any answer but 00) are not in the file: the bank took no money.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

COLUMNS = [
    "settlement_date",
    "bank_id",
    "receipt_number",
    "billing_code",
    "amount",
    "paid_at",
    "channel",
    "status",
]
STATUSES = {"PAID", "UNCONFIRMED"}


@dataclass(frozen=True)
class SettlementRow:
    settlement_date: date
    bank_id: str
    receipt_number: str
    billing_code: str
    amount: int
    paid_at: str
    channel: str
    status: str


def write_settlement(rows: list[SettlementRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: (r.paid_at, r.receipt_number)):
        writer.writerow(
            [
                row.settlement_date.isoformat(),
                row.bank_id,
                row.receipt_number,
                row.billing_code,
                str(row.amount),
                row.paid_at,
                row.channel,
                row.status,
            ]
        )
    return out.getvalue()


def read_settlement(text: str) -> list[SettlementRow]:
    """Parse a settlement file; ValueError naming the line of the first bad row."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != COLUMNS:
        raise ValueError(f"line 1: the header must be {','.join(COLUMNS)}")
    rows = []
    for number, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) != len(COLUMNS):
            raise ValueError(f"line {number}: {len(fields)} fields, {len(COLUMNS)} expected")
        values = dict(zip(COLUMNS, fields, strict=True))
        if not values["amount"].isdigit():
            raise ValueError(f"line {number}: the amount must be whole rupiah")
        if values["status"] not in STATUSES:
            raise ValueError(f"line {number}: unknown status {values['status']!r}")
        try:
            day = date.fromisoformat(values["settlement_date"])
        except ValueError:
            raise ValueError(f"line {number}: the settlement date must be YYYY-MM-DD") from None
        rows.append(
            SettlementRow(
                settlement_date=day,
                bank_id=values["bank_id"],
                receipt_number=values["receipt_number"],
                billing_code=values["billing_code"],
                amount=int(values["amount"]),
                paid_at=values["paid_at"],
                channel=values["channel"],
                status=values["status"],
            )
        )
    return rows
