"""The bank's side of the H2H interface: signed inquiry and payment calls to a target URL.

Standard library only (http.client), so that the simulator runs without Django.
"""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urlsplit

from fees.bank_protocol import format_timestamp, signed_headers


@dataclass(frozen=True)
class Reply:
    """The answer of the target: HTTP status, the JSON body (or {"raw": text}), the code."""

    status: int
    body: dict

    @property
    def code(self) -> str | None:
        return self.body.get("response_code")


class BankClient:
    """Calls `target` (the base URL of the H2H API, e.g. http://127.0.0.1:8000/api/h2h/v1) as
    bank `bank_id`, signing every request with `secret`. `clock` gives the aware time put in
    X-Timestamp (default: now in UTC); a test can skew it to play a bank with a wrong clock."""

    def __init__(
        self,
        *,
        target: str,
        bank_id: str,
        secret: str,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ):
        parts = urlsplit(target)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"the target must be an http(s) URL, not {target!r}")
        self.target = target.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.base_path = parts.path.rstrip("/")
        self.bank_id = bank_id
        self.secret = secret
        self.timeout = timeout
        self.clock = clock or (lambda: datetime.now(UTC))

    def _connection(self):
        cls = HTTPSConnection if self.scheme == "https" else HTTPConnection
        return cls(self.host, self.port, timeout=self.timeout)

    def send(self, endpoint: str, payload: dict, *, read: bool = True) -> Reply | None:
        """POST `payload` to `endpoint` ("inquiry" or "payment"), signed. With read=False the
        request is sent whole and the connection closed without waiting for the answer: the
        bank's time-out after sending."""
        path = f"{self.base_path}/{endpoint}"
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = signed_headers(
            bank_id=self.bank_id,
            secret=self.secret,
            method="POST",
            path=path,
            body=body,
            moment=self.clock(),
        )
        headers["Content-Type"] = "application/json"
        connection = self._connection()
        try:
            connection.request("POST", path, body=body, headers=headers)
            if not read:
                return None
            answer = connection.getresponse()
            raw = answer.read().decode("utf-8", "replace")
            try:
                data = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                data = {"raw": raw}
            if not isinstance(data, dict):
                data = {"raw": raw}
            return Reply(status=answer.status, body=data)
        finally:
            connection.close()

    def inquiry(self, billing_code: str) -> Reply:
        return self.send("inquiry", {"billing_code": billing_code})

    def payment(
        self,
        *,
        billing_code: str,
        amount: int,
        receipt_number: str,
        paid_at: datetime | None = None,
        channel: str = "TELLER",
        read: bool = True,
    ) -> Reply | None:
        payload = {
            "billing_code": billing_code,
            "amount": amount,
            "receipt_number": receipt_number,
            "paid_at": format_timestamp(paid_at or self.clock()),
            "channel": channel,
        }
        return self.send("payment", payload, read=read)


def new_receipt_number(bank_id: str, moment: datetime) -> str:
    """A bank receipt number (*nomor referensi*): bank prefix, date, 8 random digits."""
    return f"{bank_id[:6]}{moment:%y%m%d}{secrets.randbelow(10**8):08d}"
