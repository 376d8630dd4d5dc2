"""A regional bank, simulated: a small real HTTP server that plays the bank's side of the H2H
interface against a target (our receiver, or a stub in tests).

- a teller page (GET /): type a billing code, see the inquiry's answer, pay;
- the same from code: `BankSimulator.inquiry()` / `.pay()`, and from the command line
  (`python -m fees.simulator`);
- the day's settlement file: GET /settlement.csv?date=YYYY-MM-DD (`fees.simulator.settlement`);
- fault modes on command (`set_fault`, or POST /_sim/fault {"mode": …, "times": …}):
    timeout       send the payment whole, then hang up without reading the answer (the bank
                  records it UNCONFIRMED: money taken, our answer unknown);
    duplicate     post the same payment twice, same receipt number;
    wrong_amount  post the amount plus `delta` (default −1000 rupiah);
- GET /_sim/ledger: every transaction as JSON; GET /_sim/health: "ok".

It holds per-bank credentials (id → secret) and signs with `fees.bank_protocol`. The pages
are the bank's screens, not the portal's: they speak Indonesian only and sit outside the
portal's translation catalogue on purpose. Standard library only; no Django.
"""

import html
import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from fees.billing import billing_code_is_valid, billing_code_normalise
from fees.simulator.client import BankClient, Reply, new_receipt_number
from fees.simulator.settlement import SettlementRow, write_settlement

FAULTS = {"timeout", "duplicate", "wrong_amount"}

# Published demo credentials, for the local default and the tests only (never production).
DEMO_BANKS = {
    "BANKKALTIMTARA": "demo-h2h-secret-bankkaltimtara-0001",
    "BANKSUMSELBABEL": "demo-h2h-secret-banksumselbabel-001",
}


@dataclass
class Transaction:
    """One payment as the bank saw it."""

    bank_id: str
    billing_code: str
    amount: int
    receipt_number: str
    paid_at: datetime
    channel: str
    status: str  # PAID, REFUSED, UNCONFIRMED
    response_code: str | None
    message: str
    fault: str | None = None
    replies: list = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["paid_at"] = self.paid_at.isoformat()
        return data


class BankSimulator:
    """Start with `.start()` (a free port unless one is given), stop with `.stop()`; usable as
    a context manager and as a pytest fixture."""

    def __init__(
        self,
        *,
        target: str,
        banks: Mapping[str, str] | None = None,
        timezone: str = "Asia/Jakarta",
        host: str = "127.0.0.1",
        port: int = 0,
        precheck: bool = True,
        name: str = "Bank Simulator",
    ):
        self.target = target
        self.banks = dict(banks or DEMO_BANKS)
        if not self.banks:
            raise ValueError("the simulator needs at least one bank")
        self.zone = ZoneInfo(timezone)
        self.host = host
        self.port = port
        self.precheck = precheck
        self.name = name
        self._lock = threading.Lock()
        self._ledger: list[Transaction] = []
        self._fault: str | None = None
        self._fault_times: int | None = None
        self._fault_delta = -1000
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "BankSimulator":
        simulator = self

        class Handler(_Handler):
            sim = simulator

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="bank-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "BankSimulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- faults ------------------------------------------------------------------------------

    def set_fault(self, mode: str | None, *, times: int | None = 1, delta: int = -1000) -> None:
        """Misbehave on the next `times` payments (None: until cleared); mode None clears."""
        if mode is not None and mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r}: one of {', '.join(sorted(FAULTS))}")
        with self._lock:
            self._fault = mode
            self._fault_times = times if mode else None
            self._fault_delta = delta

    @property
    def fault(self) -> str | None:
        return self._fault

    def _take_fault(self) -> tuple[str | None, int]:
        with self._lock:
            mode, delta = self._fault, self._fault_delta
            if mode and self._fault_times is not None:
                self._fault_times -= 1
                if self._fault_times <= 0:
                    self._fault, self._fault_times = None, None
            return mode, delta

    # --- the bank's work ---------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(self.zone).replace(microsecond=0)

    def client(self, bank_id: str | None = None, **kwargs) -> BankClient:
        bank_id = bank_id or next(iter(self.banks))
        if bank_id not in self.banks:
            raise ValueError(f"the simulator has no bank {bank_id!r}")
        return BankClient(
            target=self.target,
            bank_id=bank_id,
            secret=self.banks[bank_id],
            clock=self.now,
            **kwargs,
        )

    def inquiry(self, billing_code: str, *, bank_id: str | None = None) -> Reply:
        return self.client(bank_id).inquiry(billing_normalised(billing_code))

    def pay(
        self,
        billing_code: str,
        *,
        amount: int | None = None,
        bank_id: str | None = None,
        channel: str = "TELLER",
    ) -> Transaction:
        """Pay a bill as a teller would: inquire first unless `amount` is given, then post the
        payment (misbehaving if a fault is set). Returns the transaction, also in the ledger."""
        code = billing_normalised(billing_code)
        client = self.client(bank_id)
        if amount is None:
            answer = client.inquiry(code)
            if answer.code != "00":
                return self._record(
                    client.bank_id, code, 0, "", channel, "REFUSED", answer, None, [answer]
                )
            amount = int(answer.body["amount"])
        fault, delta = self._take_fault()
        if fault == "wrong_amount":
            amount = max(1, amount + delta)
        moment = self.now()
        receipt = self._new_receipt(client.bank_id, moment)
        send = {
            "billing_code": code,
            "amount": amount,
            "receipt_number": receipt,
            "paid_at": moment,
            "channel": channel,
        }
        if fault == "timeout":
            client.payment(**send, read=False)
            return self._record(
                client.bank_id, code, amount, receipt, channel, "UNCONFIRMED", None, fault, [],
                moment=moment,
            )  # fmt: skip
        replies = [client.payment(**send)]
        if fault == "duplicate":
            replies.append(client.payment(**send))
        paid = any(r is not None and r.code == "00" for r in replies)
        return self._record(
            client.bank_id, code, amount, receipt, channel, "PAID" if paid else "REFUSED",
            replies[0], fault, replies, moment=moment,
        )  # fmt: skip

    def _new_receipt(self, bank_id: str, moment: datetime) -> str:
        with self._lock:
            taken = {t.receipt_number for t in self._ledger}
        while True:
            receipt = new_receipt_number(bank_id, moment)
            if receipt not in taken:
                return receipt

    def _record(
        self, bank_id, code, amount, receipt, channel, status, answer, fault, replies, moment=None
    ) -> Transaction:
        transaction = Transaction(
            bank_id=bank_id,
            billing_code=code,
            amount=amount,
            receipt_number=receipt,
            paid_at=moment or self.now(),
            channel=channel,
            status=status,
            response_code=answer.code if answer else None,
            message=(answer.body.get("message", "") if answer else "tidak ada jawaban"),
            fault=fault,
            replies=[{"status": r.status, "body": r.body} for r in replies if r is not None],
        )
        with self._lock:
            self._ledger.append(transaction)
        return transaction

    @property
    def ledger(self) -> list[Transaction]:
        with self._lock:
            return list(self._ledger)

    def settlement_rows(
        self, day: date | None = None, *, bank_id: str | None = None
    ) -> list[SettlementRow]:
        """The money the bank took on `day` (its own business day; None: every day)."""
        rows = []
        for t in self.ledger:
            if t.status not in {"PAID", "UNCONFIRMED"}:
                continue
            local_day = t.paid_at.astimezone(self.zone).date()
            if (day is not None and local_day != day) or (bank_id and t.bank_id != bank_id):
                continue
            rows.append(
                SettlementRow(
                    settlement_date=local_day,
                    bank_id=t.bank_id,
                    receipt_number=t.receipt_number,
                    billing_code=t.billing_code,
                    amount=t.amount,
                    paid_at=t.paid_at.isoformat(),
                    channel=t.channel,
                    status=t.status,
                )
            )
        return rows

    def settlement_csv(self, day: date | None = None, *, bank_id: str | None = None) -> str:
        return write_settlement(self.settlement_rows(day, bank_id=bank_id))


def billing_normalised(code: str) -> str:
    return billing_code_normalise(code)


# --- the bank's web pages --------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; color: #1b1b1b; }}
header {{ border-bottom: 3px solid #0b5394; margin-bottom: 1rem; }}
label {{ display: block; margin: .5rem 0 .2rem; font-weight: 600; }}
input, select {{ font-size: 1.1rem; padding: .4rem; width: 100%; box-sizing: border-box; }}
button {{ margin-top: 1rem; font-size: 1.1rem; padding: .5rem 1.2rem; }}
.answer {{ border: 1px solid #ccc; padding: 1rem; margin: 1rem 0; }}
.ok {{ border-color: #2e7d32; }} .refused {{ border-color: #c62828; }}
dt {{ font-weight: 600; }} dd {{ margin: 0 0 .5rem 0; }}
</style></head><body>
<header><h1>{name}</h1><p>Layanan teller — pembayaran retribusi daerah</p></header>
{body}
<p><a href="/">Transaksi baru</a> · <a href="/settlement.csv">Berkas settlement hari ini</a></p>
</body></html>"""


def rupiah(amount) -> str:
    return "Rp " + f"{int(amount):,}".replace(",", ".")


class _Handler(BaseHTTPRequestHandler):
    sim: BankSimulator
    server_version = "BankSimulator/1"

    def log_message(self, format, *args):
        return  # quiet: the ledger is the log

    # helpers
    def _send(self, status: int, body: str | bytes, content_type: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _page(self, body: str, status: int = 200) -> None:
        page = PAGE.format(
            title=html.escape(self.sim.name), name=html.escape(self.sim.name), body=body
        )
        self._send(status, page, "text/html; charset=utf-8")

    def _json(self, data, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False), "application/json")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            try:
                data = json.loads(raw or "{}")
            except json.JSONDecodeError:
                data = {}
            return data if isinstance(data, dict) else {}
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def _bank_select(self, chosen: str | None = None) -> str:
        options = "".join(
            f'<option value="{html.escape(b)}"{" selected" if b == chosen else ""}>{html.escape(b)}</option>'
            for b in self.sim.banks
        )
        return f'<label for="bank">Bank</label><select id="bank" name="bank">{options}</select>'

    # routes
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/":
            return self._page(self._teller_form())
        if url.path == "/settlement.csv":
            query = parse_qs(url.query)
            try:
                day = (
                    date.fromisoformat(query["date"][0])
                    if "date" in query
                    else self.sim.now().date()
                )
            except ValueError:
                return self._send(400, "date must be YYYY-MM-DD\n", "text/plain; charset=utf-8")
            bank = query.get("bank", [None])[0]
            return self._send(
                200, self.sim.settlement_csv(day, bank_id=bank), "text/csv; charset=utf-8"
            )
        if url.path == "/_sim/ledger":
            return self._json([t.as_dict() for t in self.sim.ledger])
        if url.path == "/_sim/health":
            return self._send(200, "ok\n", "text/plain; charset=utf-8")
        return self._send(404, "not found\n", "text/plain; charset=utf-8")

    def do_POST(self):
        url = urlsplit(self.path)
        form = self._form()
        if url.path == "/teller/inquiry":
            return self._teller_inquiry(form)
        if url.path == "/teller/pay":
            return self._teller_pay(form)
        if url.path == "/_sim/fault":
            try:
                times = form.get("times", 1)
                self.sim.set_fault(
                    form.get("mode") or None,
                    times=None if times in (None, "", "always") else int(times),
                    delta=int(form.get("delta", -1000)),
                )
            except (TypeError, ValueError) as exc:
                return self._json({"error": str(exc)}, 400)
            return self._json({"fault": self.sim.fault})
        return self._send(404, "not found\n", "text/plain; charset=utf-8")

    # the teller's screens
    def _teller_form(self, code: str = "", error: str = "", bank: str | None = None) -> str:
        message = (
            f'<p class="answer refused" role="alert">{html.escape(error)}</p>' if error else ""
        )
        return (
            f"{message}<form method='post' action='/teller/inquiry'>{self._bank_select(bank)}"
            f"<label for='billing_code'>Kode bayar</label>"
            f"<input id='billing_code' name='billing_code' inputmode='numeric' autocomplete='off' "
            f"value='{html.escape(code)}' required>"
            f"<button type='submit'>Cek tagihan</button></form>"
        )

    def _teller_inquiry(self, form: dict) -> None:
        code = billing_normalised(form.get("billing_code", ""))
        bank = form.get("bank") or next(iter(self.sim.banks))
        if bank not in self.sim.banks:
            return self._page(self._teller_form(code, "Bank tidak dikenal."), 400)
        if self.sim.precheck and not billing_code_is_valid(code):
            return self._page(
                self._teller_form(code, "Kode bayar tidak valid: periksa kembali angkanya.", bank),
                400,
            )
        try:
            answer = self.sim.inquiry(code, bank_id=bank)
        except OSError as exc:
            return self._page(
                self._teller_form(code, f"Tidak dapat menghubungi pemda: {exc}", bank), 502
            )
        body = answer.body
        if answer.code != "00":
            return self._page(
                f"<div class='answer refused' role='alert'><p><strong>{html.escape(str(answer.code))}</strong> "
                f"{html.escape(str(body.get('message', '')))}</p></div>"
                + self._teller_form(code, bank=bank)
            )
        details = "".join(
            f"<dt>{label}</dt><dd>{html.escape(str(value))}</dd>"
            for label, value in [
                ("Kode bayar", body.get("billing_code", code)),
                ("Nomor SKRD", body.get("bill_number", "")),
                ("Nama wajib retribusi", body.get("payer_name", "")),
                ("Jumlah", rupiah(body.get("amount", 0))),
                ("Jatuh tempo", body.get("due_date", "")),
            ]
        )
        return self._page(
            f"<div class='answer ok'><p><strong>00</strong> {html.escape(str(body.get('message', '')))}</p>"
            f"<dl>{details}</dl></div>"
            f"<form method='post' action='/teller/pay'>"
            f"<input type='hidden' name='bank' value='{html.escape(bank)}'>"
            f"<input type='hidden' name='billing_code' value='{html.escape(code)}'>"
            f"<input type='hidden' name='amount' value='{int(body.get('amount', 0))}'>"
            f"<button type='submit'>Bayar {rupiah(body.get('amount', 0))}</button></form>"
        )

    def _teller_pay(self, form: dict) -> None:
        code = billing_normalised(form.get("billing_code", ""))
        bank = form.get("bank") or next(iter(self.sim.banks))
        try:
            amount = int(form.get("amount", ""))
        except ValueError:
            return self._page(self._teller_form(code, "Jumlah tidak valid.", bank), 400)
        if bank not in self.sim.banks:
            return self._page(self._teller_form(code, "Bank tidak dikenal.", bank), 400)
        try:
            t = self.sim.pay(code, amount=amount, bank_id=bank)
        except OSError as exc:
            return self._page(
                self._teller_form(code, f"Tidak dapat menghubungi pemda: {exc}", bank), 502
            )
        css = "ok" if t.status == "PAID" else "refused"
        status = {"PAID": "Pembayaran berhasil", "REFUSED": "Pembayaran ditolak"}.get(
            t.status, "Tidak ada jawaban dari pemda — transaksi menunggu rekonsiliasi"
        )
        return self._page(
            f"<div class='answer {css}' role='status'><p><strong>{html.escape(status)}</strong></p><dl>"
            f"<dt>Kode jawaban</dt><dd>{html.escape(str(t.response_code or '—'))} {html.escape(t.message)}</dd>"
            f"<dt>Nomor referensi bank</dt><dd id='receipt'>{html.escape(t.receipt_number)}</dd>"
            f"<dt>Jumlah</dt><dd>{rupiah(t.amount)}</dd>"
            f"<dt>Waktu</dt><dd>{html.escape(t.paid_at.isoformat())}</dd></dl></div>"
        )
