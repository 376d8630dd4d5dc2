"""The OSS simulator: a real HTTP server that speaks the OSS-hosted methods of the guide.

Who uses it: the tests (`OssSimulator` as a fixture, a free port each), the demo (phase 2:
`make run` starts it), and anyone by hand (``python -m oss.simulator serve --port 8089``).

What it does, per method (`receiveLicenseStatus`, `receiveLicense`, `updateLicense`,
`checkLicenseStatus`, `inqueryNIB`, `inqueryLicense`, `getDataReferensi`), on
``POST {prefix}/{method}`` (prefix ``/v1/kl/rba`` unless told otherwise):

1. a failure commanded by `fail()` (or ``POST /_sim/fail``) for this call, if any: 500, 504,
   401, a 200 whose `kode` is 400, a body that is not JSON, a dropped connection, or a delay
   longer than the client's read timeout ("slow", after which the call is handled normally —
   as with the real OSS, a call that timed out on our side may have been taken);
2. the `user_key` header: missing or unknown → HTTP 401 ``kode`` 401 "User Akses Tidak Valid";
3. the body against the guide (unknown keys refused) → HTTP 400 ``kode`` 400 with the fields;
4. the method: it answers in the guide's wrapper, with OSS's codes, from what it received —
   `checkLicenseStatus` reports the last status (or permit) received for the `id_izin`,
   `inqueryNIB` / `inqueryLicense` read its NIB registry, `receiveLicense` gives an OSS permit
   number (the same one again for the same `id_izin`) and, when told to, fetches `file_izin`
   as OSS would (in the background, recording size and SHA-256).

It records every request (also refused and failed ones): `requests()` in Python,
``GET /_sim/requests`` as JSON, ``GET /_sim/`` as a page. It serves requirement files at
``GET /_sim/files/<name>`` (for receiveNIB's `file_dokumen`) and pushes `receiveNIB` /
`receiveFileDS` to a regional system (`push_nib`, `push_file_ds`).

Control over HTTP (for the demo and other processes): ``POST /_sim/fail`` ``{"mode", "count",
"methods", "delay"}``, ``POST /_sim/reset`` (clear failures), ``POST /_sim/clear`` (forget
requests and received data), ``POST /_sim/nib`` (register a dataNIB), ``POST /_sim/status``
``{"id_izin", "kd_status", "uraian_status"}`` (make OSS hold a status, e.g. "58"),
``GET /_sim/state``, ``GET /_sim/health``. Bind it to 127.0.0.1 (the default): the control
endpoints have no authentication.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import html
import http.client
import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from oss.client import OssEndpoint
from oss.codes import KD_STATUS, REFERENCE_TABLES, RESPONSE_CODES, kd_status
from oss.protocol.schema import Obj, ProtocolError, validate
from oss.protocol.specs import LICENSE_PROYEK_FIELDS, METHODS, OSS_HOSTED, RECEIVE_NIB, MethodSpec
from oss.simulator.push import PushResult, push_receive_file_ds, push_receive_nib
from oss.simulator.samples import DEFAULT_FILES, DEMO_KD_IZIN, sample_data_nib, sample_pdf
from oss.token import OSS_TIMEZONE

logger = logging.getLogger(__name__)

FAIL_MODES = ("500", "504", "401", "kode400", "garbage", "drop", "slow")
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_FETCH_BYTES = 2 * 1024 * 1024  # the guide's limit for file_izin
DEFAULT_USER_KEY = "sim-user-key"
DEFAULT_PREFIX = "/v1/kl/rba"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the simulator received, as it saw it. `method` is the OSS method, "file" for a
    requirement-file download, or "" for a path it does not serve. `failure` is the commanded
    failure applied to it, if any. The `user_key` is recorded masked."""

    seq: int
    at: datetime
    method: str
    path: str
    headers: dict
    body: object
    http_status: int | None
    answer: object
    failure: str | None = None

    @property
    def kode(self) -> int | None:
        spec = METHODS.get(self.method)
        if spec is None or not isinstance(self.answer, dict):
            return None
        for root in spec.answer_roots:
            inner = self.answer.get(root)
            if isinstance(inner, dict):
                value = inner.get(spec.kode_key)
                return int(value) if isinstance(value, int) else None
        return None

    @property
    def accepted(self) -> bool:
        """Taken by OSS: answered HTTP 200 with `kode` 200 (a "slow" call counts if answered)."""
        return self.http_status == 200 and self.kode == 200

    @property
    def inner(self) -> dict:
        """The body's wrapper content (e.g. the `IZINSTATUS` object), or {}."""
        spec = METHODS.get(self.method)
        if (
            spec
            and isinstance(self.body, dict)
            and isinstance(self.body.get(spec.request_root), dict)
        ):
            return self.body[spec.request_root]
        return {}

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": self.body,
            "http_status": self.http_status,
            "answer": self.answer,
            "failure": self.failure,
            "accepted": self.accepted,
        }


@dataclass
class FailureRule:
    """Fail the next `remaining` calls (None: until reset) of `methods` (None: all) with `mode`."""

    mode: str
    remaining: int | None = None
    methods: frozenset[str] | None = None
    delay: float = 3.0

    def matches(self, method: str) -> bool:
        return (self.remaining is None or self.remaining > 0) and (
            self.methods is None or method in self.methods
        )


@dataclass
class IzinRecord:
    """What the simulated OSS knows of one permit application (`id_izin`)."""

    id_izin: str
    nib: str = ""
    oss_id: str = ""
    id_proyek: str = ""
    kd_izin: str = ""
    kd_daerah: str = ""
    checklist_item: dict = field(default_factory=dict)
    statuses: list[dict] = field(default_factory=list)  # IZINSTATUS bodies, in arrival order
    license: dict | None = None  # the last IZINFINAL taken
    license_updates: list[dict] = field(default_factory=list)
    nomor_izin: str = ""
    current: tuple[str, str] | None = None  # (kd_status, uraian) as OSS holds it
    override: tuple[str, str] | None = None  # set by set_license_status
    file_fetch: dict | None = None  # OSS's download of file_izin

    @property
    def kd_statuses(self) -> list[str]:
        return [str(status.get("kd_status", "")) for status in self.statuses]

    def to_json(self) -> dict:
        return {
            "id_izin": self.id_izin,
            "nib": self.nib,
            "oss_id": self.oss_id,
            "kd_izin": self.kd_izin,
            "kd_daerah": self.kd_daerah,
            "kd_statuses": self.kd_statuses,
            "statuses": self.statuses,
            "nomor_izin": self.nomor_izin,
            "license": self.license,
            "current": list(self.current) if self.current else None,
            "file_fetch": self.file_fetch,
        }


class SimulatorState:
    """Everything the simulator holds, behind one lock."""

    def __init__(self, user_keys: Iterable[str], *, strict_izin: bool, fetch_files: bool):
        self.lock = threading.RLock()
        self.user_keys = frozenset(key for key in user_keys if key)
        self.strict_izin = strict_izin
        self.fetch_files = fetch_files
        self.requests: list[RecordedRequest] = []
        self.rules: list[FailureRule] = []
        self.nibs: dict[str, dict] = {}
        self.izin: dict[str, IzinRecord] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.pushes: list[PushResult] = []
        self.check_status_root = METHODS["checkLicenseStatus"].answer_roots[0]
        self.sequence = itertools.count(1)
        self.license_numbers = itertools.count(1)
        self.stopping = threading.Event()

    def take_failure(self, method: str) -> FailureRule | None:
        with self.lock:
            for rule in self.rules:
                if rule.matches(method):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    self.rules = [r for r in self.rules if r.remaining is None or r.remaining > 0]
                    return rule
        return None

    def record(self, **values) -> RecordedRequest:
        with self.lock:
            entry = RecordedRequest(
                seq=next(self.sequence), at=datetime.now(tz=OSS_TIMEZONE), **values
            )
            self.requests.append(entry)
            return entry

    def register_nib(self, data_nib: dict) -> list[str]:
        """Add a business to the registry (validated as a receiveNIB dataNIB); returns the
        checklist's id_izin values, which become known permit applications."""
        data = validate(RECEIVE_NIB, {"dataNIB": data_nib})["dataNIB"]
        ids = []
        with self.lock:
            self.nibs[data["nib"]] = copy.deepcopy(data)
            for item in data.get("data_checklist") or []:
                record = self.izin.setdefault(item["id_izin"], IzinRecord(item["id_izin"]))
                record.nib = data["nib"]
                record.oss_id = str(data.get("oss_id") or "")
                record.id_proyek = str(item.get("id_proyek") or "")
                record.kd_izin = str(item.get("kd_izin") or "")
                record.kd_daerah = str(item.get("kd_daerah") or "")
                record.checklist_item = copy.deepcopy(item)
                ids.append(item["id_izin"])
        return ids


def _mask(headers) -> dict:
    shown = {}
    for key, value in headers.items():
        if key.lower() in ("user_key", "token", "authorization"):
            value = f"…{value[-4:]}" if len(value) > 8 else "…"
        shown[key] = value
    return shown


def _wrap(spec: MethodSpec, kode: int, keterangan: str, **extra) -> dict:
    if spec.name == "inqueryLicense":
        return {
            "dataLicense": {
                "success": kode == 200,
                "code": kode,
                "message": keterangan,
                "data": extra.get("data"),
                "meta": extra.get("meta"),
            }
        }
    inner = {"kode": kode, "keterangan": keterangan, **extra}
    if spec.name == "receiveLicenseStatus":
        inner.setdefault("dataNIB", {})
    return {spec.answer_roots[0]: inner}


def _fetch(url: str, timeout: float = 10.0) -> dict:
    """GET `url` as OSS would fetch a permit file: status, size, SHA-256, content type."""
    result: dict = {"url": url, "at": datetime.now(tz=OSS_TIMEZONE).isoformat()}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return {**result, "ok": False, "error": "not a valid URL"}
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {**result, "ok": False, "error": "not an http(s) URL"}
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = cls(parts.hostname, port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"User-Agent": "OSS-Simulator/1"})
        response = connection.getresponse()
        data = response.read(MAX_FETCH_BYTES + 1)
        too_large = len(data) > MAX_FETCH_BYTES
        return {
            **result,
            "ok": response.status == 200 and not too_large,
            "http_status": response.status,
            "content_type": response.getheader("Content-Type", ""),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest() if not too_large else "",
            "too_large": too_large,
            "pdf": data.startswith(b"%PDF-"),
        }
    except (OSError, http.client.HTTPException) as exc:
        return {**result, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        connection.close()


class _Handler(BaseHTTPRequestHandler):
    server_version = "OSS-Simulator/1"
    sim: OssSimulator  # set on the subclass made per server

    def log_message(self, format, *args):
        logger.debug("oss simulator: " + format, *args)

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def state(self) -> SimulatorState:
        return self.sim.state

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length < 0 or length > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # the caller gave up (its read timeout passed): as with OSS, the call was taken anyway
            self.close_connection = True

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))

    def _route(self) -> tuple[str, str]:
        path = urlsplit(self.path).path
        prefix = self.sim.prefix.rstrip("/")
        if path.startswith(prefix + "/"):
            name = path[len(prefix) + 1 :].strip("/")
            if name in METHODS:
                return "method", name
        if path.startswith("/_sim"):
            return "sim", path[len("/_sim") :].strip("/")
        return "none", path

    # --- verbs --------------------------------------------------------------------------------

    def do_GET(self):
        kind, name = self._route()
        if kind == "method":
            spec = METHODS[name]
            answer = _wrap(spec, 405, RESPONSE_CODES[405][0])
            self.state.record(
                method=name, path=self.path, headers=_mask(self.headers), body=None,
                http_status=405, answer=answer,
            )  # fmt: skip
            return self._json(405, answer)
        if kind == "sim":
            return self._sim_get(name)
        self.state.record(
            method="", path=self.path, headers=_mask(self.headers), body=None,
            http_status=404, answer=None,
        )  # fmt: skip
        return self._json(404, {"kode": 404, "keterangan": RESPONSE_CODES[404][0]})

    def do_POST(self):
        kind, name = self._route()
        raw = self._body()
        if kind == "method":
            return self._method(name, raw)
        if kind == "sim":
            return self._sim_post(name, raw)
        self.state.record(
            method="", path=self.path, headers=_mask(self.headers),
            body=(raw or b"")[:2000].decode("utf-8", "replace"), http_status=404, answer=None,
        )  # fmt: skip
        return self._json(404, {"kode": 404, "keterangan": RESPONSE_CODES[404][0]})

    # --- the OSS methods ------------------------------------------------------------------------

    def _method(self, name: str, raw: bytes | None) -> None:
        spec = METHODS[name]
        headers = _mask(self.headers)
        if spec.hosted_by != "oss":  # receiveNIB / receiveFileDS are hosted by regions
            answer = _wrap(spec, 404, RESPONSE_CODES[404][0])
            self.state.record(
                method=name, path=self.path, headers=headers, body=None, http_status=404,
                answer=answer,
            )  # fmt: skip
            return self._json(404, answer)
        try:
            body: object = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            body = (raw or b"")[:65536].decode("utf-8", "replace")
        rule = self.state.take_failure(name)
        failure = rule.mode if rule else None

        def done(status: int | None, answer: object) -> None:
            self.state.record(
                method=name, path=self.path, headers=headers, body=body, http_status=status,
                answer=answer, failure=failure,
            )  # fmt: skip

        if rule is not None and rule.mode != "slow":
            return self._fail(spec, rule, done)
        if rule is not None:
            self.state.stopping.wait(rule.delay)

        if self.headers.get("user_key") not in self.state.user_keys:
            answer = _wrap(spec, 401, RESPONSE_CODES[401][0])
            done(401, answer)
            return self._json(401, answer)
        if raw is None or not isinstance(body, dict):
            answer = _wrap(spec, 400, f"{RESPONSE_CODES[400][0]}: body is not a JSON object")
            done(400, answer)
            return self._json(400, answer)
        try:
            inner = validate(spec.request, body, unknown="reject")[spec.request_root]
        except ProtocolError as error:
            if spec.name == "inqueryLicense":
                meta = [{"message": issue.reason, "field": issue.path} for issue in error.issues]
                answer = _wrap(spec, 400, "Parameter tidak ditemukan", meta=meta)
            else:
                answer = _wrap(spec, 400, f"{RESPONSE_CODES[400][0]}: {error.summary(230)}")
            done(400, answer)
            return self._json(400, answer)
        handler = getattr(self.sim, f"_answer_{name}")
        status, answer = handler(spec, inner)
        done(status, answer)
        return self._json(status, answer)

    def _fail(self, spec: MethodSpec, rule: FailureRule, done: Callable) -> None:
        mode = rule.mode
        if mode == "drop":
            done(None, None)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if mode == "garbage":
            page = b"<html><body>Service Temporarily Unavailable</body></html>"
            done(200, page.decode())
            return self._send(200, page, "text/html")
        status, kode = {"500": (500, 500), "504": (504, 504), "401": (401, 401)}.get(
            mode, (200, 400)
        )
        if spec.name == "__file__":
            answer = {"kode": kode, "keterangan": RESPONSE_CODES[kode][0]}
        elif mode == "kode400":
            answer = _wrap(spec, 400, f"{RESPONSE_CODES[400][0]} (simulasi)")
        else:
            answer = _wrap(spec, kode, RESPONSE_CODES[kode][0])
        done(status, answer)
        return self._json(status, answer)

    # --- the simulator's own endpoints -----------------------------------------------------------

    def _sim_get(self, name: str) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if name == "health":
            return self._json(200, {"ok": True, "base_url": self.sim.base_url})
        if name == "requests":
            method = (query.get("method") or [None])[0]
            return self._json(200, [r.to_json() for r in self.sim.requests(method)])
        if name == "state":
            return self._json(200, self.sim.snapshot())
        if name.startswith("files/"):
            return self._file(unquote(name[len("files/") :]))
        if name in ("", "index.html"):
            return self._send(200, self.sim.page().encode("utf-8"), "text/html; charset=utf-8")
        return self._json(404, {"error": "not found"})

    def _sim_post(self, name: str, raw: bytes | None) -> None:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return self._json(400, {"error": "body is not JSON"})
        if not isinstance(data, dict):
            return self._json(400, {"error": "body must be a JSON object"})
        try:
            if name == "fail":
                self.sim.fail(
                    str(data.get("mode", "")),
                    count=data.get("count"),
                    methods=data.get("methods"),
                    delay=data.get("delay"),
                )
            elif name == "reset":
                self.sim.reset_failures()
            elif name == "clear":
                self.sim.clear()
            elif name == "nib":
                return self._json(
                    200, {"id_izin": self.sim.register_nib(data.get("dataNIB", data))}
                )
            elif name == "status":
                self.sim.set_license_status(
                    str(data.get("id_izin", "")),
                    str(data.get("kd_status", "")),
                    str(data.get("uraian_status", "")),
                )
            else:
                return self._json(404, {"error": "not found"})
        except (ValueError, TypeError, ProtocolError) as exc:
            return self._json(400, {"error": str(exc)})
        return self._json(200, {"ok": True})

    def _file(self, name: str) -> None:
        headers = _mask(self.headers)
        rule = self.state.take_failure("file")
        if rule is not None and rule.mode == "slow":
            self.state.stopping.wait(rule.delay)
        elif rule is not None:
            file_spec = MethodSpec("__file__", "", Obj({}), ("",), "oss", Obj({}))

            def done(status, answer):
                self.state.record(
                    method="file", path=self.path, headers=headers, body=None,
                    http_status=status, answer=answer, failure=rule.mode,
                )  # fmt: skip

            return self._fail(file_spec, rule, done)
        with self.state.lock:
            found = self.state.files.get(name)
        status = 200 if found else 404
        self.state.record(
            method="file", path=self.path, headers=headers, body=None, http_status=status,
            answer=None, failure=rule.mode if rule else None,
        )  # fmt: skip
        if not found:
            return self._json(404, {"error": "file not found"})
        content_type, content = found
        return self._send(200, content, content_type)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        logger.debug("oss simulator: error while answering %s", client_address, exc_info=True)


class OssSimulator:
    """The simulated OSS, started and stopped by its owner (a pytest fixture, `make run`, the CLI).

    >>> with OssSimulator() as sim:                       # a free port on 127.0.0.1
    ...     client = OssClient(sim.endpoint(read_timeout=1))
    ...     sim.fail("504", count=1)                      # the next call gets a 504
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        user_keys: Iterable[str] = (DEFAULT_USER_KEY,),
        prefix: str = DEFAULT_PREFIX,
        strict_izin: bool = True,
        seed: bool = True,
        fetch_license_files: bool = True,
        slow_seconds: float = 3.0,
    ):
        self.host = host
        self.requested_port = port
        self.user_keys = tuple(user_keys)
        self.prefix = "/" + prefix.strip("/")
        self.seed = seed
        self.slow_seconds = slow_seconds
        self.state = SimulatorState(
            self.user_keys, strict_izin=strict_izin, fetch_files=fetch_license_files
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.seeded_nibs: list[str] = []
        for name, title in DEFAULT_FILES.items():
            self.add_file(name, sample_pdf(title))

    # --- life cycle -----------------------------------------------------------------------------

    def start(self) -> OssSimulator:
        handler = type("Handler", (_Handler,), {"sim": self})
        self._server = _Server((self.host, self.requested_port), handler)
        self.state.stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True,
            name=f"oss-simulator-{self.port}",
        )  # fmt: skip
        self._thread.start()
        if self.seed and not self.seeded_nibs:
            for kd_izin in (("024000000201", "033000000101"), ("024000000202",)):
                data = sample_data_nib(kd_izin=kd_izin, files_base_url=self.base_url)
                self.register_nib(data)
                self.seeded_nibs.append(data["nib"])
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> OssSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def user_key(self) -> str:
        return self.user_keys[0] if self.user_keys else ""

    def endpoint(self, **overrides) -> OssEndpoint:
        """An `OssEndpoint` for this simulator (its URL, prefix and first user_key)."""
        values = {
            "base_url": self.base_url,
            "user_key": self.user_key,
            "path_template": self.prefix + "/{method}",
            **overrides,
        }
        return OssEndpoint(**values)

    def method_url(self, method: str) -> str:
        return f"{self.base_url}{self.prefix}/{method}"

    def file_url(self, name: str) -> str:
        return f"{self.base_url}/_sim/files/{name}"

    # --- commands -------------------------------------------------------------------------------

    def fail(
        self,
        mode: str,
        *,
        count: int | None = None,
        methods: Iterable[str] | str | None = None,
        delay: float | None = None,
    ) -> None:
        """Fail the next `count` calls (None: until `reset_failures`) of `methods` (a name, a
        list, None for all; "file" for requirement-file downloads) with `mode`: "500", "504",
        "401", "kode400" (HTTP 200, kode 400), "garbage" (HTTP 200, not JSON), "drop" (close
        the connection unanswered) or "slow" (wait `delay` seconds, then answer normally)."""
        if mode not in FAIL_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAIL_MODES)}")
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or count < 1
        ):
            raise ValueError("count must be a positive integer or None")
        if isinstance(methods, str):
            methods = [methods]
        names = frozenset(methods) if methods else None
        unknown = (names or frozenset()) - set(OSS_HOSTED) - {"file"}
        if unknown:
            raise ValueError(f"unknown methods: {', '.join(sorted(unknown))}")
        rule = FailureRule(
            mode, count, names, float(delay) if delay is not None else self.slow_seconds
        )
        with self.state.lock:
            self.state.rules.append(rule)

    def reset_failures(self) -> None:
        with self.state.lock:
            self.state.rules.clear()

    def clear(self) -> None:
        """Forget recorded requests, pushes, statuses and permits (the registry and files stay)."""
        with self.state.lock:
            self.state.requests.clear()
            self.state.pushes.clear()
            for record in self.state.izin.values():
                record.statuses.clear()
                record.license = None
                record.license_updates.clear()
                record.nomor_izin = ""
                record.current = None
                record.override = None
                record.file_fetch = None
            self.state.izin = {
                key: record for key, record in self.state.izin.items() if record.checklist_item
            }

    def register_nib(self, data_nib: dict) -> list[str]:
        """Put a business in the NIB registry (`inqueryNIB`, `inqueryLicense`) and make its
        checklist's `id_izin` known. Raises `ProtocolError` if `data_nib` breaks the guide."""
        return self.state.register_nib(data_nib)

    def set_license_status(self, id_izin: str, kd_status: str, uraian_status: str = "") -> None:
        """Make OSS hold `kd_status` for `id_izin` whatever it received (e.g. an undocumented
        "58"), as `checkLicenseStatus` will answer."""
        if not id_izin:
            raise ValueError("id_izin is required")
        with self.state.lock:
            record = self.state.izin.setdefault(id_izin, IzinRecord(id_izin))
            record.override = (kd_status, uraian_status or kd_status_uraian(kd_status))

    def set_check_status_root(self, root: str) -> None:
        """Answer `checkLicenseStatus` in another of the guide's spellings of its wrapper."""
        if root not in METHODS["checkLicenseStatus"].answer_roots:
            raise ValueError(f"not a wrapper the guide uses: {root}")
        self.state.check_status_root = root

    def add_file(self, name: str, content: bytes, content_type: str = "application/pdf") -> str:
        """Serve `content` at ``/_sim/files/<name>``; returns the URL path."""
        with self.state.lock:
            self.state.files[name] = (content_type, bytes(content))
        return f"/_sim/files/{name}"

    # --- reading what happened -----------------------------------------------------------------

    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        with self.state.lock:
            return [r for r in self.state.requests if method is None or r.method == method]

    def accepted(self, method: str | None = None) -> list[RecordedRequest]:
        """The calls OSS took (HTTP 200, kode 200), in arrival order."""
        return [r for r in self.requests(method) if r.accepted]

    def izin(self, id_izin: str) -> IzinRecord | None:
        with self.state.lock:
            record = self.state.izin.get(id_izin)
            return copy.deepcopy(record) if record else None

    def statuses(self, id_izin: str) -> list[str]:
        """The `kd_status` values received for `id_izin`, in order (each accepted call once)."""
        record = self.izin(id_izin)
        return record.kd_statuses if record else []

    def pushes(self) -> list[PushResult]:
        with self.state.lock:
            return list(self.state.pushes)

    def snapshot(self) -> dict:
        with self.state.lock:
            return {
                "base_url": self.base_url,
                "prefix": self.prefix,
                "nibs": sorted(self.state.nibs),
                "izin": {key: record.to_json() for key, record in self.state.izin.items()},
                "failures": [
                    {"mode": r.mode, "remaining": r.remaining, "methods": sorted(r.methods or [])}
                    for r in self.state.rules
                ],
                "files": sorted(self.state.files),
                "requests": len(self.state.requests),
            }

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll `predicate` until it holds or `timeout` seconds pass; returns its last value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return bool(predicate())

    # --- pushes to a regional system -------------------------------------------------------------

    def push_nib(
        self,
        url: str,
        data_nib: dict | None = None,
        *,
        username: str,
        password: str,
        register: bool = True,
        **options,
    ) -> PushResult:
        """Push `receiveNIB` to `url` (a sample business when `data_nib` is None, its files
        served by this simulator), after putting it in the registry so that the statuses the
        region reports for its checklist are taken. `options` go to `push_receive_nib`
        (`on`, `token`, `timeout`, `raw_body`) or, without `data_nib`, to `sample_data_nib`."""
        push_options = {
            k: options.pop(k) for k in ("on", "token", "timeout", "raw_body") if k in options
        }
        if data_nib is None:
            data_nib = sample_data_nib(files_base_url=self.base_url, **options)
        if register:
            # a deliberately broken push is not registered, but still sent
            with contextlib.suppress(ProtocolError):
                self.register_nib(data_nib)
        result = push_receive_nib(
            url, data_nib, username=username, password=password, **push_options
        )
        with self.state.lock:
            self.state.pushes.append(result)
        return result

    def push_file_ds(
        self,
        url: str,
        *,
        id_izin: str,
        username: str,
        password: str,
        nib: str | None = None,
        file_izin: str | None = None,
        **options,
    ) -> PushResult:
        """Push `receiveFileDS` for `id_izin`: by default a PDF this simulator signs and serves."""
        record = self.izin(id_izin)
        nib = nib or (record.nib if record else "")
        if file_izin is None:
            name = f"izin-ds-{id_izin}.pdf"
            self.add_file(name, sample_pdf(f"Izin {id_izin} (TTE OSS)"))
            file_izin = self.file_url(name)
        result = push_receive_file_ds(
            url, id_izin=id_izin, nib=nib, file_izin=file_izin, username=username,
            password=password, **options,
        )  # fmt: skip
        with self.state.lock:
            self.state.pushes.append(result)
        return result

    # --- the answers (called by the handler with the validated wrapper content) -----------------

    def _known(self, id_izin: str) -> IzinRecord | None:
        record = self.state.izin.get(id_izin)
        if record is None and not self.state.strict_izin:
            record = self.state.izin.setdefault(id_izin, IzinRecord(id_izin))
        return record

    def _answer_receiveLicenseStatus(self, spec, inner):
        with self.state.lock:
            record = self._known(inner["id_izin"])
            if record is None:
                return 200, _wrap(spec, 400, "Data izin tidak ditemukan")
            record.statuses.append(copy.deepcopy(inner))
            record.nib = record.nib or inner["nib"]
            code = inner["kd_status"]
            record.current = (code, kd_status_uraian(code))
        return 200, _wrap(spec, 200, "Sukses")

    def _answer_receiveLicense(self, spec, inner):
        with self.state.lock:
            record = self._known(inner["id_izin"])
            if record is None:
                return 200, _wrap(spec, 400, "Data izin tidak ditemukan")
            if not record.nomor_izin:
                stamp = datetime.now(tz=OSS_TIMEZONE).strftime("%Y%m%d")
                record.nomor_izin = f"{stamp}{next(self.state.license_numbers):08d}"
            record.license = copy.deepcopy(inner)
            code = inner["status_izin"]
            record.current = (code, kd_status_uraian(code))
            file_url = inner.get("file_izin") or ""
            nomor = record.nomor_izin
            fetch = self.state.fetch_files and bool(file_url)
            if fetch:
                record.file_fetch = {"url": file_url, "pending": True}
        if fetch:
            threading.Thread(
                target=self._fetch_license_file, args=(inner["id_izin"], file_url), daemon=True
            ).start()
        return 200, _wrap(
            spec, 200, "Sukses", nomor_izin=nomor,
            jenis_perizinan=inner.get("jenis_perizinan") or "", file_lampiran="",
        )  # fmt: skip

    def _fetch_license_file(self, id_izin: str, url: str) -> None:
        result = _fetch(url)
        with self.state.lock:
            record = self.state.izin.get(id_izin)
            if record is not None:
                record.file_fetch = result

    def _answer_updateLicense(self, spec, inner):
        with self.state.lock:
            record = self.state.izin.get(inner["id_izin"])
            if record is None or record.license is None:
                return 200, _wrap(
                    spec, 400, "Data izin tidak ditemukan", keterangan_reset_izin_ds="Gagal Reset DS",
                    nomor_izin="",
                )  # fmt: skip
            record.license_updates.append(copy.deepcopy(inner))
            record.license = {**record.license, **inner}
            nomor = record.nomor_izin
        return 200, _wrap(
            spec, 200, "Sukses", keterangan_reset_izin_ds="Berhasil Reset DS", nomor_izin=nomor
        )

    def _answer_checkLicenseStatus(self, spec, inner):
        id_izin = inner["id_izin"]
        root = self.state.check_status_root
        with self.state.lock:
            record = self.state.izin.get(id_izin)
            if record is None:
                return 200, {
                    root: {
                        "kode": 400,
                        "keterangan": "Data izin tidak ditemukan",
                        "dataIZIN": {"id_izin": id_izin},
                    }
                }
            code, uraian = record.override or record.current or ("", "")
            data = {
                "nib": record.nib,
                "id_proyek": record.id_proyek,
                "id_izin": id_izin,
                "kd_status": code,
                "uraian_status": uraian,
                "file_lampiran": "",
            }
        return 200, {root: {"kode": 200, "keterangan": "Sukses", "dataIZIN": data}}

    def _answer_inqueryNIB(self, spec, inner):
        nib, oss_id, npwp = inner.get("nib"), inner.get("oss_id"), inner.get("npwp")
        with self.state.lock:
            found = None
            if nib:
                found = self.state.nibs.get(nib)
                if found is not None and oss_id and found.get("oss_id") != oss_id:
                    found = None
            elif npwp:
                found = next(
                    (d for d in self.state.nibs.values() if d.get("npwp_perseroan") == npwp), None
                )
            data = copy.deepcopy(found) if found is not None else None
        if data is None:
            return 200, _wrap(spec, 400, "Data NIB tidak ditemukan", dataNIB=[])
        return 200, _wrap(spec, 200, "Sukses", dataNIB=data)

    def _answer_inqueryLicense(self, spec, inner):
        with self.state.lock:
            record = self.state.izin.get(inner["id_izin"])
            business = self.state.nibs.get(record.nib) if record else None
            if record is None or not record.checklist_item or business is None:
                return 200, _wrap(spec, 400, "Data izin tidak ditemukan")
            item = copy.deepcopy(record.checklist_item)
            if not inner.get("data_persyaratan"):
                item.pop("data_persyaratan", None)
            proyek = [
                {key: p.get(key) for key in LICENSE_PROYEK_FIELDS}
                for p in business.get("data_proyek") or []
                if p.get("id_proyek") == record.id_proyek
            ]
            data = {
                "oss_id": business.get("oss_id", ""),
                "id_izin": record.id_izin,
                "kd_izin": record.kd_izin,
                "kd_daerah": record.kd_daerah,
                "kewenangan": item.get("kewenangan", ""),
                "data_proyek": proyek,
                "data_checklist": [item],
            }
        return 200, _wrap(spec, 200, "Berhasil mendapatkan data izin", data=data)

    def _answer_getDataReferensi(self, spec, inner):
        kode = inner["kode"].strip()
        rows = reference_rows(kode)
        if rows is None:
            return 200, _wrap(spec, 400, "Kode referensi tidak ditemukan", dataReferensi=[])
        return 200, _wrap(spec, 200, "Sukses", dataReferensi=rows)

    # --- the demo page ------------------------------------------------------------------------

    def page(self) -> str:
        """A plain page: the permits as OSS sees them (their status history) and the requests."""
        esc = html.escape
        with self.state.lock:
            izin = list(self.state.izin.values())
            recent = list(self.state.requests)[-200:]
            rules = list(self.state.rules)
        rows_izin = "".join(
            f"<tr><td>{esc(r.id_izin)}</td><td>{esc(r.nib)}</td><td>{esc(r.kd_izin)}</td>"
            f"<td>{esc(' → '.join(kd_status(code).label('id') for code in r.kd_statuses))}</td>"
            f"<td>{esc(r.nomor_izin)}</td></tr>"
            for r in izin
        )
        rows_requests = "".join(
            f"<tr><td>{r.seq}</td><td>{esc(r.at.strftime('%H:%M:%S'))}</td><td>{esc(r.method)}</td>"
            f"<td>{esc(str(r.http_status))}</td><td>{esc(str(r.kode))}</td>"
            f"<td>{esc(r.failure or '')}</td>"
            f"<td>{esc(str(r.inner.get('id_izin', '')))} {esc(str(r.inner.get('kd_status', '')))}</td></tr>"
            for r in reversed(recent)
        )
        failures = ", ".join(f"{r.mode} ({r.remaining or '∞'})" for r in rules) or "none"
        return (
            "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
            "<title>OSS simulator</title></head><body>"
            f"<h1>OSS simulator</h1><p>{esc(self.base_url)}{esc(self.prefix)} · "
            f"failures: {esc(failures)}</p>"
            "<h2>Permits as OSS sees them</h2><table border='1'><tr><th>id_izin</th><th>NIB</th>"
            f"<th>kd_izin</th><th>statuses</th><th>OSS number</th></tr>{rows_izin}</table>"
            "<h2>Requests</h2><table border='1'><tr><th>#</th><th>time (WIB)</th><th>method</th>"
            "<th>HTTP</th><th>kode</th><th>failure</th><th>id_izin / kd_status</th></tr>"
            f"{rows_requests}</table></body></html>"
        )


def kd_status_uraian(code: str) -> str:
    """`uraian_status` as OSS words it: the table's STATUS column, or the code as is."""
    row = KD_STATUS.get(code)
    return row.status_id if row else code


def reference_rows(kode: str) -> list[dict] | None:
    """The rows the simulator answers for `getDataReferensi` (a few tables), or None."""
    if kode == "8":
        return [
            {"kode_referensi": code, "uraian_referensi": name, "keterangan_referensi": agency}
            for code, (name, agency) in DEMO_KD_IZIN.items()
        ]
    if kode == "9":
        return [
            {"kode_referensi": str(code), "uraian_referensi": words, "keterangan_referensi": ""}
            for code, (words, _english) in RESPONSE_CODES.items()
        ]
    if kode == "10":
        return [
            {
                "kode_referensi": row.code,
                "uraian_referensi": row.status_id,
                "keterangan_referensi": row.keterangan_id,
            }
            for row in KD_STATUS.values()
            if not row.retired
        ]
    if kode == "30":
        return [
            {"kode_referensi": code, "uraian_referensi": words, "keterangan_referensi": "KBLI 2020"}
            for code, words in (
                ("47726", "Perdagangan Eceran Barang Farmasi Di Apotek"),
                ("86103", "Aktivitas Praktik Dokter Umum"),
                ("41011", "Konstruksi Gedung Hunian"),
            )
        ]
    if kode in REFERENCE_TABLES:
        return []
    return None
