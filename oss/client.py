"""The HTTP client for the methods OSS hosts (`receiveLicenseStatus`, `receiveLicense`,
`updateLicense`, `checkLicenseStatus`, `inqueryNIB`, `inqueryLicense`, `getDataReferensi`).

Who calls it: in phase 2 the outbox delivery tasks, the reconciliation job and the draft's NIB
lookup — never a request handler waiting on OSS. Each call sends one POST of JSON to
``base_url + path_template.format(method=...)`` with the region's ``user_key`` header, with a
connect timeout and a read timeout, and returns an `OssResult` that says what to do next:

| what happened                                          | outcome     |
|--------------------------------------------------------|-------------|
| HTTP 200 and the answer's `kode` is 200                | `success`   |
| HTTP 5xx (500, 502, 503, 504), 408, 429                | `retryable` |
| connection refused or reset, DNS failure, timeouts     | `retryable` |
| HTTP 200 whose `kode` is 500 or 504                    | `retryable` |
| HTTP 200 with a body we cannot read (no JSON, no kode) | `retryable` |
| HTTP 4xx (400, 401, 403, 404, 405, …), a redirect      | `permanent` |
| HTTP 200 whose `kode` is 400, 401, … (any non-5xx)     | `permanent` |
| TLS certificate refused                                | `permanent` |

A permanent failure carries OSS's `keterangan` for the operator. The methods raise only
`ProtocolError`, before anything is sent, when the payload we built breaks the guide. The
`user_key` never appears in a log line, a repr or a result.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from oss.codes import response_meaning
from oss.protocol.outbound import (
    BusinessProfile,
    FinalLicense,
    LicenseAnswer,
    LicenseInquiry,
    LicenseStatus,
    LicenseStatusCheck,
    Reference,
    check_license_status_payload,
    get_data_referensi_payload,
    inquery_license_payload,
    inquery_nib_payload,
    read_business_profile,
    read_license_answer,
    read_license_inquiry,
    read_license_status_check,
    read_references,
)
from oss.protocol.specs import METHODS, MethodSpec

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The most of an answer we read (OSS's answers are small; a huge one is not OSS).
MAX_ANSWER_BYTES = 2 * 1024 * 1024

DEFAULT_PATH_TEMPLATE = "/v1/kl/rba/{method}"


@dataclass(frozen=True)
class OssEndpoint:
    """Where and how one region talks to OSS (phase 2 builds it from the region's settings).

    `base_url` — scheme and host, e.g. ``https://api-prd.oss.go.id``; `path_template` — the
    method's path (production ``/v1/kl/rba/{method}``, staging ``/stg/v1/kl/rba/{method}``);
    `user_key` — the key OSS issued to the region (kept out of repr); timeouts in seconds."""

    base_url: str
    user_key: str = field(repr=False)
    path_template: str = DEFAULT_PATH_TEMPLATE
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    def url(self, method: str) -> str:
        return (
            self.base_url.rstrip("/") + "/" + self.path_template.format(method=method).lstrip("/")
        )


class Outcome(StrEnum):
    SUCCESS = "success"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class OssResult(Generic[T]):
    """The result of one call.

    `outcome` — success, retryable or permanent (see the module's table); `http_status` — None
    when no answer came; `kode` / `keterangan` — OSS's answer code and message when it sent one
    (else `keterangan` says what went wrong on our side, e.g. "read timeout after 30.0 s");
    `value` — the typed answer on success; `answer` — the decoded body, for the delivery record;
    `elapsed` — seconds."""

    method: str
    outcome: Outcome
    http_status: int | None
    kode: int | None
    keterangan: str
    value: T | None = None
    answer: object = field(default=None, repr=False)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @property
    def retryable(self) -> bool:
        return self.outcome is Outcome.RETRYABLE

    @property
    def permanent(self) -> bool:
        return self.outcome is Outcome.PERMANENT


@dataclass(frozen=True)
class _Transport:
    status: int | None
    body: bytes = b""
    error: str = ""
    retryable: bool = True


def _kode(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _wrapper(spec: MethodSpec, body: object) -> Mapping | None:
    if not isinstance(body, Mapping):
        return None
    for root in spec.answer_roots:
        inner = body.get(root)
        if isinstance(inner, Mapping):
            return inner
    return None


def classify(
    spec: MethodSpec, http_status: int, raw: bytes
) -> tuple[Outcome, int | None, str, object, Mapping | None]:
    """(outcome, kode, keterangan, decoded body, wrapper) of an HTTP answer to `spec`'s method."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    wrapper = _wrapper(spec, body)
    kode = _kode(wrapper.get(spec.kode_key)) if wrapper is not None else None
    keterangan = ""
    if wrapper is not None:
        value = wrapper.get(spec.keterangan_key)
        keterangan = str(value) if isinstance(value, (str, int)) else ""
    if http_status == 200:
        if wrapper is None or kode is None:
            return Outcome.RETRYABLE, kode, "HTTP 200 with an answer we cannot read", body, wrapper
        if kode == 200:
            return Outcome.SUCCESS, kode, keterangan, body, wrapper
        outcome = Outcome.RETRYABLE if kode >= 500 else Outcome.PERMANENT
        return outcome, kode, keterangan or response_meaning(kode), body, wrapper
    text = keterangan or response_meaning(http_status)
    if http_status >= 500 or http_status in (408, 429):
        return Outcome.RETRYABLE, kode, f"HTTP {http_status}: {text}", body, wrapper
    if 300 <= http_status < 400:
        return Outcome.PERMANENT, kode, f"HTTP {http_status}: unexpected redirect", body, wrapper
    return Outcome.PERMANENT, kode, f"HTTP {http_status}: {text}", body, wrapper


class OssClient:
    """Calls OSS for one region (`OssEndpoint`). Thread-safe: one connection per call."""

    def __init__(self, endpoint: OssEndpoint, *, user_agent: str = "PTSP-Online-OSS/1"):
        try:
            parts = urlsplit(endpoint.base_url)
            _ = parts.port  # raises for a port that is not a number
        except ValueError:
            raise ValueError("OssEndpoint.base_url is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("OssEndpoint.base_url must be an absolute http(s) URL")
        if "{method}" not in endpoint.path_template:
            raise ValueError("OssEndpoint.path_template must contain {method}")
        if not endpoint.user_key:
            raise ValueError("OssEndpoint.user_key is empty")
        self.endpoint = endpoint
        self.user_agent = user_agent
        # one TLS context per client: loading the CA bundle costs milliseconds per call otherwise
        self._ssl_context = endpoint.ssl_context or (
            ssl.create_default_context() if parts.scheme == "https" else None
        )

    def __repr__(self) -> str:
        return f"OssClient({self.endpoint.base_url!r})"

    # --- the methods -----------------------------------------------------------------------

    def receive_license_status(self, status: LicenseStatus) -> OssResult[None]:
        """Report one status change (`IZINSTATUS`). Sends one POST; raises `ProtocolError`
        (sending nothing) if the payload breaks the guide."""
        return self.call("receiveLicenseStatus", status.to_payload(), lambda wrapper: None)

    def receive_license(self, license: FinalLicense) -> OssResult[LicenseAnswer]:
        """Send the issued permit (`IZINFINAL`); on success `value.nomor_izin` is OSS's number."""
        return self.call("receiveLicense", license.to_payload(), read_license_answer)

    def update_license(
        self, license: FinalLicense, *, kewenangan: str = "02"
    ) -> OssResult[LicenseAnswer]:
        """Amend an issued permit (`updateLicense`)."""
        payload = license.to_update_payload(kewenangan=kewenangan)
        return self.call("updateLicense", payload, read_license_answer)

    def check_license_status(self, id_izin: str) -> OssResult[LicenseStatusCheck]:
        """The status OSS holds for `id_izin` (for reconciliation); unknown codes are kept."""
        payload = check_license_status_payload(id_izin)
        return self.call("checkLicenseStatus", payload, read_license_status_check)

    def inquery_nib(
        self, *, nib: str | None = None, oss_id: str | None = None, npwp: str | None = None
    ) -> OssResult[BusinessProfile | None]:
        """Look a business up by `nib`, `nib` + `oss_id`, or `npwp`. OSS answers an unknown
        NIB with `kode` 400 ("Data NIB tidak ditemukan"): a permanent failure."""
        payload = inquery_nib_payload(nib=nib, oss_id=oss_id, npwp=npwp)
        return self.call("inqueryNIB", payload, read_business_profile)

    def inquery_license(
        self, id_izin: str, *, with_requirements: bool = True
    ) -> OssResult[LicenseInquiry | None]:
        """An application as OSS holds it, with its requirement files' URLs."""
        payload = inquery_license_payload(id_izin, with_requirements=with_requirements)
        return self.call("inqueryLicense", payload, read_license_inquiry)

    def get_data_referensi(self, kode: str | int) -> OssResult[tuple[Reference, ...]]:
        """A code table (Lampiran 29: 8 permit codes, 10 status codes, 30 KBLI, …)."""
        return self.call("getDataReferensi", get_data_referensi_payload(kode), read_references)

    # --- the transport -----------------------------------------------------------------------

    def call(self, method: str, payload: dict, read: Callable[[Mapping], T]) -> OssResult[T]:
        """POST `payload` to `method` and classify the answer. Never raises for network or
        answer problems: they come back as a retryable or permanent `OssResult`."""
        spec = METHODS[method]
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        started = time.monotonic()
        transport = self._post(self.endpoint.url(method), body)
        elapsed = time.monotonic() - started
        if transport.status is None:
            outcome = Outcome.RETRYABLE if transport.retryable else Outcome.PERMANENT
            result: OssResult[T] = OssResult(
                method, outcome, None, None, transport.error, elapsed=elapsed
            )
        else:
            outcome, kode, keterangan, decoded, wrapper = classify(
                spec, transport.status, transport.body
            )
            value = read(wrapper) if outcome is Outcome.SUCCESS and wrapper is not None else None
            result = OssResult(
                method, outcome, transport.status, kode, keterangan, value, decoded, elapsed
            )
        logger.info(
            "oss call",
            extra={
                "oss_method": method,
                "oss_outcome": str(result.outcome),
                "oss_http_status": result.http_status,
                "oss_kode": result.kode,
                "oss_elapsed_ms": round(elapsed * 1000),
            },
        )
        return result

    def _post(self, url: str, body: bytes) -> _Transport:
        parts = urlsplit(url)
        endpoint = self.endpoint
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "user_key": endpoint.user_key,
            "User-Agent": self.user_agent,
        }
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname,
                parts.port,
                timeout=endpoint.connect_timeout,
                context=self._ssl_context,
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=endpoint.connect_timeout
            )
        stage = "connect"
        try:
            connection.connect()
            connection.sock.settimeout(endpoint.read_timeout)
            stage = "read"
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(MAX_ANSWER_BYTES + 1)
            if len(data) > MAX_ANSWER_BYTES:
                return _Transport(None, error=f"answer larger than {MAX_ANSWER_BYTES} bytes")
            return _Transport(response.status, data)
        except ssl.SSLCertVerificationError as exc:
            return _Transport(
                None, error=f"TLS certificate refused: {exc.verify_message}", retryable=False
            )
        except TimeoutError:
            timeout = endpoint.connect_timeout if stage == "connect" else endpoint.read_timeout
            return _Transport(None, error=f"{stage} timeout after {timeout} s")
        except ConnectionRefusedError:
            return _Transport(None, error="connection refused")
        except socket.gaierror as exc:
            return _Transport(None, error=f"host not found ({exc.strerror})")
        except (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError) as exc:
            return _Transport(None, error=f"{stage} failed: {type(exc).__name__}")
        finally:
            connection.close()
