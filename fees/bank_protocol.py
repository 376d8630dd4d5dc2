"""The host-to-host (H2H) interface the regional bank calls on us: inquiry by billing code and
the payment post, each request signed by the bank. Pure functions only — signing, verifying,
reading the messages, deciding the answer — so that the receiving views (issue 17, phase 2),
the bank simulator (`fees.simulator`) and the tests share one definition. docs/fees.md has the
contract with examples; this docstring is the short version.

Endpoints (JSON bodies, UTF-8):
    POST /api/h2h/v1/inquiry   {"billing_code": "6474260000001235"}
    POST /api/h2h/v1/payment   {"billing_code": …, "amount": 1766721,
                                "receipt_number": "BANKKA26011512345678", "paid_at": "2026-01-15T10:02:11+08:00",
                                "channel": "TELLER"}

Authentication, per bank (each bank has an id and one or more shared secrets, so that a secret
can be rotated without a flag day):
    X-Bank-Id:    the bank's id, e.g. BANKALTIMTARA
    X-Timestamp:  ISO 8601 with its UTC offset, e.g. 2026-01-15T10:02:11+08:00
    X-Signature:  base64( HMAC-SHA256( secret, string_to_sign ) )
    string_to_sign = METHOD ":" PATH ":" TIMESTAMP ":" lowercase-hex( SHA-256( raw body ) )
PATH is the request path as sent (with its query string, if any); the body digest is over the
exact bytes sent, so no JSON canonicalisation is needed on either side. A request is accepted
when the bank is known, the timestamp is within the replay window of our clock (5 minutes by
default, either way: an old timestamp is a replay, a future one a wrong clock), and the
signature matches one of the bank's secrets (compared in constant time). Within the window a
replayed request does no harm: inquiry only reads, and a payment is idempotent on the bank's
receipt number.

Answer codes, in the style of Indonesian H2H interfaces (ISO 8583 response codes): see CODES.
"""

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

INQUIRY_PATH = "/api/h2h/v1/inquiry"
PAYMENT_PATH = "/api/h2h/v1/payment"
HEADER_BANK_ID = "X-Bank-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"
DEFAULT_WINDOW = timedelta(minutes=5)
MIN_SECRET_LENGTH = 32
BANK_ID_PATTERN = re.compile(r"^[A-Z0-9_-]{2,32}$")
BILLING_CODE_PATTERN = re.compile(r"^\d{1,32}$")
RECEIPT_PATTERN = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")
AMOUNT_TEXT_PATTERN = re.compile(r"^\d{1,15}(\.0{1,2})?$")
CHANNELS = {"TELLER", "ATM", "MOBILE", "INTERNET", "EDC", "AGENT", "OTHER"}


class Code(StrEnum):
    OK = "00"
    WRONG_AMOUNT = "13"
    UNKNOWN_BILL = "14"
    FORMAT_ERROR = "30"
    EXPIRED = "54"
    SECURITY = "63"
    ALREADY_PAID = "88"
    SYSTEM_ERROR = "91"
    DUPLICATE_RECEIPT = "94"


@dataclass(frozen=True)
class CodeInfo:
    http_status: int
    message: str  # the fixed Indonesian text sent in "message": part of the wire contract
    meaning: str  # English, for docs and logs


CODES: dict[Code, CodeInfo] = {
    Code.OK: CodeInfo(200, "Sukses", "Approved: the bill is payable (inquiry) or paid (payment)."),
    Code.WRONG_AMOUNT: CodeInfo(
        200, "Jumlah pembayaran tidak sesuai", "Wrong amount: it must equal the bill exactly."
    ),
    Code.UNKNOWN_BILL: CodeInfo(
        200, "Kode bayar tidak ditemukan", "Unknown billing code (or a cancelled bill)."
    ),
    Code.FORMAT_ERROR: CodeInfo(400, "Format pesan salah", "Malformed request body."),
    Code.EXPIRED: CodeInfo(200, "Tagihan kedaluwarsa", "The bill has expired: not payable."),
    Code.SECURITY: CodeInfo(
        401,
        "Otentikasi gagal",
        "Security violation: unknown bank, bad signature, or timestamp outside the window.",
    ),
    Code.ALREADY_PAID: CodeInfo(200, "Tagihan sudah dibayar", "The bill is already paid."),
    Code.SYSTEM_ERROR: CodeInfo(
        503, "Sistem sedang gangguan, ulangi", "System error on our side: retry later."
    ),
    Code.DUPLICATE_RECEIPT: CodeInfo(
        200,
        "Nomor referensi sudah dipakai untuk transaksi lain",
        "The receipt number was already used for a different bill or amount.",
    ),
}


def response(code: Code, **fields) -> tuple[int, dict]:
    """(HTTP status, body) for an answer `code` with extra fields."""
    info = CODES[code]
    return info.http_status, {"response_code": str(code), "message": info.message, **fields}


# --- signing ---------------------------------------------------------------------------------


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def string_to_sign(*, method: str, path: str, timestamp: str, body: bytes) -> str:
    return f"{method.upper()}:{path}:{timestamp}:{body_digest(body)}"


def signature(secret: str, text: str) -> str:
    mac = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 to the second with the UTC offset: 2026-01-15T10:02:11+08:00."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an H2H timestamp needs its UTC offset")
    return moment.replace(microsecond=0).isoformat()


def parse_timestamp(text: str) -> datetime:
    """An aware datetime from ISO 8601 text; ValueError without an offset or if unreadable."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the timestamp has no UTC offset")
    return moment


def signed_headers(
    *, bank_id: str, secret: str, method: str, path: str, body: bytes, moment: datetime
) -> dict[str, str]:
    """The three authentication headers for a request sent at `moment`."""
    timestamp = format_timestamp(moment)
    text = string_to_sign(method=method, path=path, timestamp=timestamp, body=body)
    return {
        HEADER_BANK_ID: bank_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_SIGNATURE: signature(secret, text),
    }


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankCredential:
    """A bank allowed to call us: its id, its secrets (current first), the region it serves."""

    bank_id: str
    secrets: tuple[str, ...]
    region_code: str | None = None
    name: str = ""

    def __post_init__(self):
        if not BANK_ID_PATTERN.match(self.bank_id):
            raise ValueError(f"a bank id is 2-32 of A-Z 0-9 _ -, not {self.bank_id!r}")
        if not self.secrets:
            raise ValueError(f"bank {self.bank_id} has no secret")
        for secret in self.secrets:
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"bank {self.bank_id}: a secret has at least {MIN_SECRET_LENGTH} characters"
                )


class AuthError(Exception):
    """The request is not from a bank we know, or not as it was signed. `reason` is for our
    logs and the bank's operators; the answer to the caller is always code 63."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value.strip() if isinstance(value, str) else None


def verify_request(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    lookup: Callable[[str], BankCredential | None],
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
) -> BankCredential:
    """The calling bank's credential if the request is authentic; AuthError otherwise.
    `lookup(bank_id)` returns the credential of an active bank or None. `now` is our clock."""
    bank_id = _header(headers, HEADER_BANK_ID)
    timestamp = _header(headers, HEADER_TIMESTAMP)
    given = _header(headers, HEADER_SIGNATURE)
    if not bank_id or not timestamp or not given:
        raise AuthError("missing_header", "X-Bank-Id, X-Timestamp and X-Signature are required")
    credential = lookup(bank_id) if BANK_ID_PATTERN.match(bank_id) else None
    if credential is None:
        raise AuthError("unknown_bank", f"unknown bank {bank_id[:32]!r}")
    try:
        moment = parse_timestamp(timestamp)
    except ValueError as exc:
        raise AuthError("bad_timestamp", f"unreadable timestamp: {exc}") from None
    if moment < now - window:
        raise AuthError("stale_timestamp", f"timestamp {timestamp} is older than {window}")
    if moment > now + window:
        raise AuthError("future_timestamp", f"timestamp {timestamp} is ahead of our clock")
    text = string_to_sign(method=method, path=path, timestamp=timestamp, body=body)
    matched = False
    for secret in credential.secrets:
        # compare every secret, not stopping early: the time taken says nothing
        matched |= hmac.compare_digest(signature(secret, text).encode(), given.encode())
    if not matched:
        raise AuthError("bad_signature", "the signature does not match the request")
    return credential


# --- messages --------------------------------------------------------------------------------


class FormatError(Exception):
    """The body is not a message of this interface (answer code 30)."""

    def __init__(self, field_name: str, detail: str):
        super().__init__(f"{field_name}: {detail}")
        self.field = field_name
        self.detail = detail


@dataclass(frozen=True)
class InquiryRequest:
    billing_code: str


@dataclass(frozen=True)
class PaymentRequest:
    billing_code: str
    amount: int
    receipt_number: str
    paid_at: datetime
    channel: str = "TELLER"


def _object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FormatError("body", "not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise FormatError("body", "not a JSON object")
    return data


def _billing_code(data: dict) -> str:
    code = data.get("billing_code")
    if not isinstance(code, str) or not BILLING_CODE_PATTERN.match(code.strip()):
        raise FormatError("billing_code", "a string of digits is required")
    return code.strip()


def parse_inquiry(body: bytes) -> InquiryRequest:
    return InquiryRequest(billing_code=_billing_code(_object(body)))


def parse_amount(raw) -> int:
    """Whole rupiah from a JSON integer or a digit string ("1766721", "1766721.00")."""
    if isinstance(raw, bool):
        raise FormatError("amount", "a whole number of rupiah is required")
    if isinstance(raw, int):
        amount = raw
    elif isinstance(raw, str) and AMOUNT_TEXT_PATTERN.match(raw.strip()):
        amount = int(raw.strip().split(".")[0])
    else:
        raise FormatError("amount", "a whole number of rupiah is required")
    if amount <= 0:
        raise FormatError("amount", "the amount must be more than 0")
    return amount


def parse_payment(body: bytes) -> PaymentRequest:
    data = _object(body)
    receipt = data.get("receipt_number")
    if not isinstance(receipt, str) or not RECEIPT_PATTERN.match(receipt.strip()):
        raise FormatError("receipt_number", "1-64 of A-Z a-z 0-9 . _ / - is required")
    paid_at_text = data.get("paid_at")
    if not isinstance(paid_at_text, str):
        raise FormatError("paid_at", "an ISO 8601 time with its UTC offset is required")
    try:
        paid_at = parse_timestamp(paid_at_text)
    except ValueError:
        raise FormatError("paid_at", "an ISO 8601 time with its UTC offset is required") from None
    channel = data.get("channel", "TELLER")
    if channel not in CHANNELS:
        raise FormatError("channel", f"one of {', '.join(sorted(CHANNELS))}")
    return PaymentRequest(
        billing_code=_billing_code(data),
        amount=parse_amount(data.get("amount")),
        receipt_number=receipt.strip(),
        paid_at=paid_at,
        channel=channel,
    )


# --- deciding the answer ---------------------------------------------------------------------


@dataclass(frozen=True)
class BillView:
    """What the interface needs to know of a bill (an SKRD), as of now.

    status: "unpaid", "paid" or "cancelled". `amount` is what is due today (principal plus
    any late interest, computed by the caller). `expires_on` is the last local day it can be
    paid; after it the bill answers 54."""

    billing_code: str
    amount: int
    due_date: date
    status: str = "unpaid"
    expires_on: date | None = None
    payer_name: str = ""
    bill_number: str = ""
    paid_at: datetime | None = None


@dataclass(frozen=True)
class PriorPayment:
    """A payment already recorded under the bank's receipt number."""

    billing_code: str
    amount: int
    receipt_number: str
    paid_at: datetime
    reference: str = ""  # our transaction number (NTPD), if any


@dataclass(frozen=True)
class Decision:
    code: Code
    body: dict
    http_status: int
    record: bool = False  # True: the caller records the payment and marks the bill paid
    extras: dict = field(default_factory=dict)


def _bill_fields(bill: BillView) -> dict:
    return {
        "billing_code": bill.billing_code,
        "bill_number": bill.bill_number,
        "payer_name": bill.payer_name,
        "amount": bill.amount,
        "due_date": bill.due_date.isoformat(),
    }


def _decision(code: Code, *, record: bool = False, **fields) -> Decision:
    status, body = response(code, **fields)
    return Decision(code=code, body=body, http_status=status, record=record)


def answer_inquiry(bill: BillView | None, *, today: date) -> Decision:
    """The answer to an inquiry for `bill` (None: no such billing code) on the local `today`."""
    if bill is None or bill.status == "cancelled":
        return _decision(Code.UNKNOWN_BILL)
    if bill.status == "paid":
        paid_at = bill.paid_at.isoformat() if bill.paid_at else None
        return _decision(Code.ALREADY_PAID, billing_code=bill.billing_code, paid_at=paid_at)
    if bill.expires_on is not None and today > bill.expires_on:
        return _decision(Code.EXPIRED, billing_code=bill.billing_code)
    return _decision(Code.OK, status="unpaid", **_bill_fields(bill))


def decide_payment(
    bill: BillView | None,
    request: PaymentRequest,
    *,
    today: date,
    prior: PriorPayment | None = None,
) -> Decision:
    """The answer to a payment post, and whether to record it. `prior` is the payment already
    recorded under the same bank and receipt number, if any: the same payment posted again is
    answered 00 again and recorded once (idempotent); the receipt number reused for another
    bill or amount is 94. The caller holds the bill's row lock while deciding and recording."""
    if prior is not None:
        if prior.billing_code == request.billing_code and prior.amount == request.amount:
            return Decision(
                code=Code.OK,
                http_status=200,
                body=response(
                    Code.OK,
                    billing_code=prior.billing_code,
                    amount=prior.amount,
                    receipt_number=prior.receipt_number,
                    paid_at=prior.paid_at.isoformat(),
                    reference=prior.reference,
                    duplicate=True,
                )[1],
                record=False,
            )
        return _decision(Code.DUPLICATE_RECEIPT, receipt_number=request.receipt_number)
    if bill is None or bill.status == "cancelled":
        return _decision(Code.UNKNOWN_BILL, billing_code=request.billing_code)
    if bill.status == "paid":
        return _decision(Code.ALREADY_PAID, billing_code=bill.billing_code)
    if bill.expires_on is not None and today > bill.expires_on:
        return _decision(Code.EXPIRED, billing_code=bill.billing_code)
    if request.amount != bill.amount:
        return _decision(Code.WRONG_AMOUNT, billing_code=bill.billing_code, amount_due=bill.amount)
    return _decision(
        Code.OK,
        record=True,
        billing_code=bill.billing_code,
        amount=request.amount,
        receipt_number=request.receipt_number,
        paid_at=request.paid_at.isoformat(),
    )
