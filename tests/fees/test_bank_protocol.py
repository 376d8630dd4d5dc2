"""The H2H interface, pure: signing and verifying (wrong secret, old and future timestamps,
tampered body, path or method), reading messages, and the answer to every kind of bill."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from fees.bank_protocol import (
    CODES,
    DEFAULT_WINDOW,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    INQUIRY_PATH,
    PAYMENT_PATH,
    AuthError,
    BankCredential,
    BillView,
    Code,
    FormatError,
    PaymentRequest,
    PriorPayment,
    answer_inquiry,
    decide_payment,
    parse_amount,
    parse_inquiry,
    parse_payment,
    signed_headers,
    string_to_sign,
    verify_request,
)

SECRET = "k" * 40
OLD_SECRET = "o" * 40
BANK = BankCredential(bank_id="BANKKALTIMTARA", secrets=(SECRET, OLD_SECRET), region_code="BTG")
NOW = datetime(2026, 1, 15, 2, 2, 11, tzinfo=UTC)  # the verifier's clock, passed in
BODY = b'{"billing_code":"6474260000123453"}'


def lookup(bank_id):
    return BANK if bank_id == BANK.bank_id else None


def signed(body=BODY, *, secret=SECRET, moment=NOW, path=INQUIRY_PATH, method="POST"):
    return signed_headers(
        bank_id=BANK.bank_id, secret=secret, method=method, path=path, body=body, moment=moment
    )


def verify(headers, *, body=BODY, path=INQUIRY_PATH, method="POST", now=NOW, window=DEFAULT_WINDOW):
    return verify_request(
        method=method, path=path, headers=headers, body=body, lookup=lookup, now=now, window=window
    )


def test_string_to_sign_is_method_path_timestamp_and_body_digest():
    text = string_to_sign(
        method="post", path="/p", timestamp="2026-01-15T10:02:11+08:00", body=b"{}"
    )
    assert text == (
        "POST:/p:2026-01-15T10:02:11+08:00:"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )


def test_a_signed_request_verifies_and_names_the_bank():
    assert verify(signed()) == BANK


def test_the_timestamp_may_be_in_any_zone_with_its_offset():
    wita = NOW.astimezone(datetime.fromisoformat("2026-01-15T10:02:11+08:00").tzinfo)
    headers = signed(moment=wita)
    assert headers[HEADER_TIMESTAMP] == "2026-01-15T10:02:11+08:00"
    assert verify(headers) == BANK


def test_the_previous_secret_still_works_during_rotation():
    assert verify(signed(secret=OLD_SECRET)) == BANK


def test_headers_are_read_case_insensitively():
    assert verify({k.lower(): v for k, v in signed().items()}) == BANK


@pytest.mark.parametrize(
    ("headers", "kwargs", "reason"),
    [
        (lambda: signed(secret="w" * 40), {}, "bad_signature"),
        (lambda: signed(moment=NOW - timedelta(minutes=5, seconds=1)), {}, "stale_timestamp"),
        (lambda: signed(moment=NOW + timedelta(minutes=5, seconds=1)), {}, "future_timestamp"),
        (lambda: signed(), {"body": BODY.replace(b"3453", b"3454")}, "bad_signature"),
        (lambda: signed(), {"body": BODY + b" "}, "bad_signature"),
        (lambda: signed(), {"path": PAYMENT_PATH}, "bad_signature"),
        (lambda: signed(), {"method": "PUT"}, "bad_signature"),
        (lambda: {**signed(), "X-Bank-Id": "BANKLAIN"}, {}, "unknown_bank"),
        (lambda: {**signed(), "X-Bank-Id": "bank lain; drop"}, {}, "unknown_bank"),
        (lambda: {**signed(), HEADER_TIMESTAMP: "2026-01-15T02:02:11"}, {}, "bad_timestamp"),
        (lambda: {**signed(), HEADER_TIMESTAMP: "kemarin"}, {}, "bad_timestamp"),
        (
            lambda: {k: v for k, v in signed().items() if k != HEADER_SIGNATURE},
            {},
            "missing_header",
        ),
    ],
)
def test_what_is_refused(headers, kwargs, reason):
    with pytest.raises(AuthError) as info:
        verify(headers(), **kwargs)
    assert info.value.reason == reason


def test_the_window_is_configurable_and_inclusive():
    at_edge = signed(moment=NOW - DEFAULT_WINDOW)
    assert verify(at_edge) == BANK
    with pytest.raises(AuthError):
        verify(signed(moment=NOW - timedelta(seconds=61)), window=timedelta(seconds=60))
    assert verify(signed(moment=NOW - timedelta(minutes=9)), window=timedelta(minutes=10)) == BANK


def test_a_changed_timestamp_header_breaks_the_signature():
    headers = signed()
    headers[HEADER_TIMESTAMP] = (NOW + timedelta(seconds=1)).isoformat()
    with pytest.raises(AuthError) as info:
        verify(headers)
    assert info.value.reason == "bad_signature"


def test_weak_or_malformed_credentials_are_refused_at_configuration():
    with pytest.raises(ValueError):
        BankCredential(bank_id="BANK", secrets=("short",))
    with pytest.raises(ValueError):
        BankCredential(bank_id="bank", secrets=(SECRET,))
    with pytest.raises(ValueError):
        BankCredential(bank_id="BANK", secrets=())


# --- messages ------------------------------------------------------------------------------


def test_inquiry_and_payment_messages_are_read():
    assert parse_inquiry(BODY).billing_code == "6474260000123453"
    payment = parse_payment(
        b'{"billing_code":"6474260000123453","amount":1766721,"receipt_number":"BKT-0001",'
        b'"paid_at":"2026-01-15T10:02:11+08:00","channel":"ATM"}'
    )
    assert payment.amount == 1_766_721 and payment.channel == "ATM"
    assert payment.paid_at == datetime(2026, 1, 15, 2, 2, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"), [(1766721, 1766721), ("1766721", 1766721), ("1766721.00", 1766721)]
)
def test_amounts_are_whole_rupiah(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", [0, -5, 1.5, "1.5", "1,766,721", True, None, "1766721.50"])
def test_other_amounts_are_a_format_error(raw):
    with pytest.raises(FormatError):
        parse_amount(raw)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"\xff",
        b'{"billing_code": 6474}',
        b'{"billing_code":"6474-26"}',
        b'{"billing_code":"6474260000123453","amount":1,"receipt_number":"a b","paid_at":"2026-01-15T10:02:11+08:00"}',
        b'{"billing_code":"6474260000123453","amount":1,"receipt_number":"R1","paid_at":"2026-01-15T10:02:11"}',
        b'{"billing_code":"6474260000123453","amount":1,"receipt_number":"R1","paid_at":"2026-01-15T10:02:11+08:00","channel":"POS"}',
    ],
)
def test_malformed_messages_are_a_format_error(body):
    with pytest.raises(FormatError):
        parse_payment(body) if b"receipt" in body else parse_inquiry(body)


# --- answers -------------------------------------------------------------------------------

TODAY = date(2026, 1, 15)
BILL = BillView(
    billing_code="6474260000123453",
    amount=1_766_721,
    due_date=TODAY + timedelta(days=30),
    expires_on=TODAY + timedelta(days=90),
    payer_name="Budi Santoso",
    bill_number="973/0001/SKRD-PBG/BTG/2026",
)
PAY = PaymentRequest(
    billing_code=BILL.billing_code,
    amount=BILL.amount,
    receipt_number="BKT260115000001",
    paid_at=NOW,
)


def test_inquiry_answers():
    ok = answer_inquiry(BILL, today=TODAY)
    assert ok.code == Code.OK and ok.http_status == 200
    assert ok.body["amount"] == 1_766_721 and ok.body["due_date"] == BILL.due_date.isoformat()
    assert ok.body["response_code"] == "00" and ok.body["message"] == "Sukses"
    assert answer_inquiry(None, today=TODAY).code == Code.UNKNOWN_BILL
    assert (
        answer_inquiry(BillView(**{**BILL.__dict__, "status": "cancelled"}), today=TODAY).code
        == Code.UNKNOWN_BILL
    )
    paid = BillView(**{**BILL.__dict__, "status": "paid", "paid_at": NOW})
    assert answer_inquiry(paid, today=TODAY).code == Code.ALREADY_PAID
    assert answer_inquiry(BILL, today=BILL.expires_on).code == Code.OK
    assert answer_inquiry(BILL, today=BILL.expires_on + timedelta(days=1)).code == Code.EXPIRED


def test_payment_answers():
    ok = decide_payment(BILL, PAY, today=TODAY)
    assert ok.code == Code.OK and ok.record and ok.body["receipt_number"] == PAY.receipt_number
    wrong = decide_payment(
        BILL, PaymentRequest(**{**PAY.__dict__, "amount": 1_766_720}), today=TODAY
    )
    assert (
        wrong.code == Code.WRONG_AMOUNT
        and not wrong.record
        and wrong.body["amount_due"] == BILL.amount
    )
    assert decide_payment(None, PAY, today=TODAY).code == Code.UNKNOWN_BILL
    paid = BillView(**{**BILL.__dict__, "status": "paid"})
    assert decide_payment(paid, PAY, today=TODAY).code == Code.ALREADY_PAID
    late = decide_payment(BILL, PAY, today=BILL.expires_on + timedelta(days=1))
    assert late.code == Code.EXPIRED and not late.record


def test_the_same_payment_posted_again_is_answered_again_and_recorded_once():
    prior = PriorPayment(
        billing_code=PAY.billing_code,
        amount=PAY.amount,
        receipt_number=PAY.receipt_number,
        paid_at=NOW,
    )
    paid = BillView(**{**BILL.__dict__, "status": "paid"})
    again = decide_payment(paid, PAY, today=TODAY, prior=prior)
    assert again.code == Code.OK and not again.record and again.body["duplicate"] is True
    other_bill = PaymentRequest(**{**PAY.__dict__, "billing_code": "6474260000000010"})
    assert decide_payment(None, other_bill, today=TODAY, prior=prior).code == Code.DUPLICATE_RECEIPT


def test_every_code_has_its_row_in_docs_fees_md():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "fees.md").read_text()
    documented = set(re.findall(r"^\| `(\d\d)` \|", docs, re.MULTILINE))
    assert documented == {str(code) for code in Code}
    for code, info in CODES.items():
        assert info.message in docs, code


def test_the_signature_example_in_docs_fees_md_is_right():
    from fees.bank_protocol import signature
    from fees.simulator import DEMO_BANKS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "fees.md").read_text()
    text = string_to_sign(
        method="POST",
        path=INQUIRY_PATH,
        timestamp="2026-01-15T10:02:11+08:00",
        body=b'{"billing_code":"6474260000001235"}',
    )
    assert text in docs
    assert f"X-Signature: {signature(DEMO_BANKS['BANKKALTIMTARA'], text)}" in docs
