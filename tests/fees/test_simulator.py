"""The bank simulator against a stub receiver: the signing round trip, the teller page, the
settlement file and the fault modes, over real HTTP on free ports."""

import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from fees.bank_protocol import BankCredential, BillView
from fees.billing import billing_code_make
from fees.simulator import (
    COLUMNS,
    DEMO_BANKS,
    BankClient,
    BankSimulator,
    read_settlement,
    write_settlement,
)
from ptsp.servers import free_port
from tests.fees.h2h_stub import StubReceiver

ROOT = Path(__file__).resolve().parents[2]
BANK = "BANKKALTIMTARA"
CODE = billing_code_make(region_prefix="6474", year=2026, serial=123)
OTHER = billing_code_make(region_prefix="6474", year=2026, serial=124)
UNKNOWN = billing_code_make(region_prefix="6474", year=2026, serial=999)


def bill(code=CODE, amount=1_766_721, **extra):
    today = datetime.now(UTC).date()
    return BillView(
        billing_code=code,
        amount=amount,
        due_date=today + timedelta(days=30),
        expires_on=today + timedelta(days=90),
        payer_name="Budi Santoso",
        bill_number="973/0001/SKRD-PBG/BTG",
        **extra,
    )


@pytest.fixture
def stub():
    credentials = [BankCredential(bank_id=b, secrets=(s,)) for b, s in DEMO_BANKS.items()]
    receiver = StubReceiver(credentials, [bill(), bill(OTHER, 350_000)], datetime.now(UTC).date())
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def bank(stub):
    with BankSimulator(target=stub.base_url, timezone="Asia/Makassar") as simulator:
        yield simulator


def get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read().decode()


def post(url, data):
    request = urllib.request.Request(url, data=urlencode(data).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_signed_inquiry_round_trip(bank, stub):
    reply = bank.inquiry(CODE)
    assert reply.status == 200 and reply.code == "00"
    assert reply.body["amount"] == 1_766_721
    assert stub.seen[-1]["auth"] == "ok"
    assert stub.seen[-1]["headers"]["X-Bank-Id"] == BANK
    assert stub.seen[-1]["headers"]["X-Timestamp"].endswith("+08:00")  # the bank's zone
    assert bank.inquiry(UNKNOWN).code == "14"


def test_a_bank_with_the_wrong_secret_is_refused(stub):
    client = BankClient(target=stub.base_url, bank_id=BANK, secret="x" * 40)
    reply = client.inquiry(CODE)
    assert (reply.status, reply.code) == (401, "63")
    assert stub.seen[-1]["auth"] == "bad_signature"


def test_a_bank_with_a_slow_clock_is_refused(stub):
    slow = BankClient(
        target=stub.base_url,
        bank_id=BANK,
        secret=DEMO_BANKS[BANK],
        clock=lambda: datetime.now(UTC) - timedelta(minutes=6),
    )
    assert slow.inquiry(CODE).code == "63"
    assert stub.seen[-1]["auth"] == "stale_timestamp"


def test_paying_records_the_transaction_once_and_the_bill_is_then_paid(bank, stub):
    t = bank.pay(CODE)
    assert t.status == "PAID" and t.response_code == "00" and t.amount == 1_766_721
    assert t.receipt_number.startswith(BANK[:6])
    assert len(stub.payments) == 1
    assert bank.inquiry(CODE).code == "88"
    again = bank.pay(CODE, amount=1_766_721)
    assert again.status == "REFUSED" and again.response_code == "88"


def test_the_teller_page_inquires_and_pays(bank, stub):
    status, page = get(bank.url + "/")
    assert status == 200 and "Kode bayar" in page
    status, page = post(bank.url + "/teller/inquiry", {"bank": BANK, "billing_code": CODE})
    assert status == 200 and "Rp 1.766.721" in page and "Budi Santoso" in page
    status, page = post(
        bank.url + "/teller/pay", {"bank": BANK, "billing_code": CODE, "amount": "1766721"}
    )
    assert status == 200 and "Pembayaran berhasil" in page
    assert bank.ledger[-1].receipt_number in page


def test_the_teller_page_catches_a_typo_before_calling(bank, stub):
    typo = CODE[:-1] + str((int(CODE[-1]) + 1) % 10)
    status, page = post(bank.url + "/teller/inquiry", {"bank": BANK, "billing_code": typo})
    assert status == 400 and "tidak valid" in page
    assert stub.seen == []


def test_the_teller_page_shows_a_refusal(bank):
    status, page = post(bank.url + "/teller/inquiry", {"bank": BANK, "billing_code": UNKNOWN})
    assert status == 200 and "14" in page and "tidak ditemukan" in page


def test_settlement_file_lists_what_the_bank_took(bank):
    paid = bank.pay(CODE)
    bank.set_fault("wrong_amount")
    refused = bank.pay(OTHER)
    assert refused.status == "REFUSED" and refused.response_code == "13"
    status, text = get(bank.url + "/settlement.csv")
    assert status == 200
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    rows = read_settlement(text)
    assert [(r.receipt_number, r.amount, r.status) for r in rows] == [
        (paid.receipt_number, 1_766_721, "PAID")
    ]
    assert rows[0].settlement_date == paid.paid_at.date()
    assert write_settlement(rows) == text


def test_fault_wrong_amount_posts_a_different_amount(bank, stub):
    bank.set_fault("wrong_amount", delta=-1000)
    t = bank.pay(CODE)
    assert t.amount == 1_765_721 and t.response_code == "13" and t.status == "REFUSED"
    assert t.replies[0]["body"]["amount_due"] == 1_766_721
    assert stub.payments == {}
    assert bank.fault is None  # once, by default
    assert bank.pay(CODE).status == "PAID"


def test_fault_duplicate_posts_the_same_receipt_twice_and_it_counts_once(bank, stub):
    bank.set_fault("duplicate")
    t = bank.pay(CODE)
    posts = [s for s in stub.seen if s["path"].endswith("/payment")]
    assert len(posts) == 2 and posts[0]["body"] == posts[1]["body"]
    assert [r["body"]["response_code"] for r in t.replies] == ["00", "00"]
    assert t.replies[1]["body"]["duplicate"] is True
    assert len(stub.payments) == 1 and t.status == "PAID"


def test_fault_timeout_sends_the_payment_and_leaves_it_unconfirmed(bank, stub):
    bank.set_fault("timeout")
    t = bank.pay(CODE)
    assert t.status == "UNCONFIRMED" and t.response_code is None
    deadline = time.monotonic() + 5
    while not stub.payments and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(stub.payments) == 1  # we did record it; the bank does not know
    rows = read_settlement(bank.settlement_csv())
    assert [r.status for r in rows] == ["UNCONFIRMED"]


def test_faults_are_set_over_http_too(bank):
    import json

    request = urllib.request.Request(
        bank.url + "/_sim/fault",
        data=json.dumps({"mode": "timeout", "times": "always"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.loads(answer.read()) == {"fault": "timeout"}
    bank.pay(CODE)
    bank.pay(OTHER)
    assert bank.fault == "timeout"
    _, ledger = get(bank.url + "/_sim/ledger")
    assert [t["status"] for t in json.loads(ledger)] == ["UNCONFIRMED", "UNCONFIRMED"]
    with pytest.raises(ValueError):
        bank.set_fault("fire")


def test_settlement_reader_refuses_bad_files():
    good = write_settlement([])
    assert read_settlement(good) == []
    with pytest.raises(ValueError, match="line 1"):
        read_settlement("date,amount\r\n")
    with pytest.raises(ValueError, match="line 2"):
        read_settlement(good + "2026-01-15,B,R,C,12.5,t,TELLER,PAID\r\n")


def run_cli(*args, timeout=30):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "fees.simulator", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_command_line_inquires_and_pays(stub):
    done = run_cli("inquiry", "--target", stub.base_url, CODE)
    assert done.returncode == 0, done.stderr
    assert '"response_code": "00"' in done.stdout
    done = run_cli("pay", "--target", stub.base_url, CODE)
    assert done.returncode == 0, done.stderr
    assert '"status": "PAID"' in done.stdout
    assert run_cli("inquiry", "--target", stub.base_url, CODE).returncode == 1  # 88 now


def test_the_command_line_serves_a_teller_and_its_settlement(stub):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fees.simulator",
            "serve",
            "--port",
            str(port),
            "--target",
            stub.base_url,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if get(url + "/_sim/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, page = post(
            url + "/teller/pay", {"bank": BANK, "billing_code": CODE, "amount": "1766721"}
        )
        assert status == 200 and "Pembayaran berhasil" in page
        done = run_cli("settlement", "--simulator", url)
        assert done.returncode == 0, done.stderr
        assert [r.status for r in read_settlement(done.stdout)] == ["PAID"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_settlement_of_another_day_is_empty(bank):
    bank.pay(CODE)
    yesterday = (bank.now() - timedelta(days=1)).date()
    assert read_settlement(bank.settlement_csv(yesterday)) == []
    assert read_settlement(bank.settlement_csv(date.fromisoformat(bank.now().date().isoformat())))
