"""A tiny stand-in for our H2H receiver, for the simulator's tests only: it verifies each
request's signature with fees.bank_protocol and answers from an in-memory bill, using the
protocol's own decision functions. The real receiver (views on the database) is phase 2."""

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fees.bank_protocol import (
    INQUIRY_PATH,
    PAYMENT_PATH,
    AuthError,
    BankCredential,
    BillView,
    Code,
    FormatError,
    PriorPayment,
    answer_inquiry,
    decide_payment,
    parse_inquiry,
    parse_payment,
    response,
    verify_request,
)


class StubReceiver:
    def __init__(self, credentials: list[BankCredential], bills: list[BillView], today):
        self.credentials = {c.bank_id: c for c in credentials}
        self.bills = {b.billing_code: b for b in bills}
        self.today = today
        self.payments: dict[tuple[str, str], PriorPayment] = {}
        self.seen: list[dict] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/h2h/v1"

    def start(self) -> "StubReceiver":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = stub.handle(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bank hung up (the simulator's timeout fault)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path, headers, body):
        record = {"path": path, "body": body, "headers": headers}
        try:
            bank = verify_request(
                method="POST",
                path=path,
                headers=headers,
                body=body,
                lookup=self.credentials.get,
                now=datetime.now(UTC),
            )
        except AuthError as exc:
            record["auth"] = exc.reason
            self.seen.append(record)
            return response(Code.SECURITY)
        record["auth"] = "ok"
        with self.lock:
            self.seen.append(record)
            try:
                if path == INQUIRY_PATH:
                    request = parse_inquiry(body)
                    decision = answer_inquiry(
                        self.bills.get(request.billing_code), today=self.today
                    )
                elif path == PAYMENT_PATH:
                    request = parse_payment(body)
                    key = (bank.bank_id, request.receipt_number)
                    decision = decide_payment(
                        self.bills.get(request.billing_code),
                        request,
                        today=self.today,
                        prior=self.payments.get(key),
                    )
                    if decision.record:
                        self.payments[key] = PriorPayment(
                            request.billing_code,
                            request.amount,
                            request.receipt_number,
                            request.paid_at,
                        )
                        bill = self.bills[request.billing_code]
                        self.bills[request.billing_code] = replace(
                            bill, status="paid", paid_at=request.paid_at
                        )
                else:
                    return 404, {"response_code": "30", "message": "unknown path"}
            except FormatError:
                return response(Code.FORMAT_ERROR)
        return decision.http_status, decision.body
