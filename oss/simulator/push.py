"""OSS's pushes to a regional system: `receiveNIB` and `receiveFileDS`, signed with a `Token`.

Who calls it: `OssSimulator.push_nib` / `push_file_ds`, ``python -m oss.simulator push-nib``, and
tests. Sends one POST of JSON to the given URL with ``Token: SHA1(username + password + nib +
Ymd)`` (today in Asia/Jakarta unless `on` says otherwise, or a `token` given as is to test a
refusal). Returns a `PushResult`; never raises for network problems.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from oss.token import make_token, oss_today


@dataclass(frozen=True)
class PushResult:
    """What the receiver answered: `http_status` (None if no answer), the decoded `answer`,
    and `accepted` — True when the answer's status is "1" (stored)."""

    url: str
    method: str
    http_status: int | None
    answer: object = None
    error: str = ""
    elapsed: float = 0.0
    token: str = field(default="", repr=False)

    @property
    def accepted(self) -> bool:
        root = "responreceiveNIB" if self.method == "receiveNIB" else "responreceiveFileDS"
        inner = self.answer.get(root) if isinstance(self.answer, dict) else None
        return self.http_status == 200 and isinstance(inner, dict) and inner.get("status") == "1"

    @property
    def keterangan(self) -> str:
        if isinstance(self.answer, dict):
            for inner in self.answer.values():
                if isinstance(inner, dict) and "keterangan" in inner:
                    return str(inner["keterangan"])
        return self.error


def post_json(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0
) -> tuple[int | None, bytes, str]:
    """POST `body` to `url`: (status, body, error). Never raises for network problems."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None, b"", "not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, b"", "not an http(s) URL"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(2 * 1024 * 1024), ""
    except (OSError, http.client.HTTPException) as exc:
        return None, b"", f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def _push(
    method: str,
    url: str,
    body: dict,
    nib: str,
    *,
    username: str,
    password: str,
    on: date | None,
    token: str | None,
    timeout: float,
    raw_body: bytes | None = None,
) -> PushResult:
    if token is None:
        token = make_token(username=username, password=password, nib=nib, on=on or oss_today())
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Token"] = token
    data = raw_body if raw_body is not None else json.dumps(body, ensure_ascii=False).encode()
    started = time.monotonic()
    status, answer_bytes, error = post_json(url, data, headers, timeout=timeout)
    try:
        answer = json.loads(answer_bytes) if answer_bytes else None
    except ValueError:
        answer = answer_bytes.decode("utf-8", "replace")[:2000]
    return PushResult(url, method, status, answer, error, time.monotonic() - started, token=token)


def push_receive_nib(
    url: str,
    data_nib: dict,
    *,
    username: str,
    password: str,
    on: date | None = None,
    token: str | None = None,
    timeout: float = 10.0,
    raw_body: bytes | None = None,
) -> PushResult:
    """POST ``{"dataNIB": data_nib}`` to `url` as OSS does. `token=""` sends no Token header;
    `raw_body` sends those bytes instead of the JSON (to test a malformed body)."""
    nib = str(data_nib.get("nib", "")) if isinstance(data_nib, dict) else ""
    return _push(
        "receiveNIB",
        url,
        {"dataNIB": data_nib},
        nib,
        username=username,
        password=password,
        on=on,
        token=token,
        timeout=timeout,
        raw_body=raw_body,
    )


def push_receive_file_ds(
    url: str,
    *,
    id_izin: str,
    nib: str,
    file_izin: str,
    username: str,
    password: str,
    on: date | None = None,
    token: str | None = None,
    timeout: float = 10.0,
) -> PushResult:
    """POST ``{"receiveFileDS": {"id_izin", "nib", "file_izin"}}`` to `url` as OSS does."""
    body = {"receiveFileDS": {"id_izin": id_izin, "nib": nib, "file_izin": file_izin}}
    return _push(
        "receiveFileDS",
        url,
        body,
        nib,
        username=username,
        password=password,
        on=on,
        token=token,
        timeout=timeout,
    )
