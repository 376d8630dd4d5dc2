"""A local CA posing as BSrE: the Esign Client Service's v2 API, hash signing, OCSP and CRL.

`BsreSimulator` serves a WSGI application on 127.0.0.1 (a free port unless told) from a thread:
start/stop it in a pytest fixture, or run `python -m bsre.simulator serve --port N`.

What it knows:
- its CA (its own "BSrE Simulator CA (development)", or one given: the development CA), a
  timestamp authority under it, and the OCSP responder and CRL of that CA at `/ocsp` and `/crl`
  (`permits.revocation`), which every certificate it issues names;
- registered signers: NIK (and e-mail) → certificate, key, passphrase, status (`register`);
  a signer may be registered with an expired certificate, a revoked one (its OCSP says so), or
  no certificate yet;
- the one-time codes it "sends" (`sign/get/totp`), readable with `totp_for(nik)` for tests and
  the demo: valid for `totp_seconds`, each good for one signing request.

What it does, as BSrE's regional services do (INTEGRATION-FACTS.md, bsre/mapping.py): signs
PDFs with pyHanko at PAdES B-T (an incremental update of the file sent, invisible or in a box),
returns them base64 in `{"time", "file"}`; answers hash signing with a CMS SignedData over the
digest (signature timestamp inside); verifies PDFs; says a signer's status; refuses a wrong
passphrase or code (2031/2032), an unregistered NIK (2011), an expired (2051) or revoked (2052)
certificate, a wrong client account (HTTP 401).

Faults on command (`fail_next`): "unavailable" (HTTP 503), "server_error" (HTTP 500),
"timeout" (holds the request `hang_seconds`, past the client's read timeout, and signs
nothing), "sign_then_timeout" (signs — the signature counts as made — then holds: the nasty
case of a signature BSrE made and the portal never received), "bad_answer" (HTTP 200 with no
file), "tampered" (a signature that does not hold over what was sent: a changed byte in the
signed PDF, a CMS over another digest).

What it records (`calls`, `signatures_made`): the path, the masked signer, the number of files,
the outcome — never the passphrase or the code, nor the documents.
"""

import base64
import hashlib
import io
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bsre.client import (
    CERTIFICATE_CHAIN_PATH,
    CHECK_STATUS_PATH,
    SIGN_PDF_PATH,
    TOTP_PATH,
    VERIFY_PDF_PATH,
    mask_identity,
)
from permits.devtsa import LoadedKeyTimeStamper
from permits.management.commands.make_dev_signing_cert import issue_cert, make_ca
from permits.management.commands.make_dev_signing_cert import load_ca as load_dev_ca
from permits.pades import validate_signed_pdf
from permits.revocation import CertificateAuthorityRevocation
from permits.signing import loaded_key_signer, outside_event_loop
from ptsp.servers import WsgiThreadServer

logger = logging.getLogger("ptsp.bsre.simulator")

HASH_SIGN_PATH = "/api/v2/sign/hash"
TOKEN_PATH = "/oauth/token"
DEFAULT_USERNAME = "esign"
DEFAULT_PASSWORD = "simulator-client-password"
DEFAULT_CLIENT_ID = "ptsp-simulator"
DEFAULT_CLIENT_SECRET = "simulator-client-secret"
CA_NAME = "BSrE Simulator CA (development)"
# What a permit's footnote names as the issuer (the organisation): not the local CA's.
CA_ORGANIZATION = "BSrE Simulator (development)"

ACTIVE, EXPIRED, REVOKED, NO_CERTIFICATE = "active", "expired", "revoked", "no_certificate"
STATUS_WORDS = {
    ACTIVE: (1111, "ISSUE", "Sertifikat aktif"),
    EXPIRED: (2051, "EXPIRED", "Sertifikat sudah kadaluarsa"),
    REVOKED: (2052, "REVOKE", "Sertifikat sudah dicabut"),
    NO_CERTIFICATE: (2021, "NO_CERTIFICATE", "Pengguna belum memiliki sertifikat"),
}
FAULTS = ("unavailable", "server_error", "timeout", "sign_then_timeout", "bad_answer", "tampered")


def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _asn1_key(key):
    from asn1crypto import keys

    return keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _asn1_cert(cert):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(_der(cert))


@dataclass
class RegisteredSigner:
    nik: str
    name: str
    passphrase: str = field(repr=False)
    email: str = ""
    status: str = ACTIVE
    key: object = field(default=None, repr=False)
    cert: x509.Certificate | None = field(default=None, repr=False)
    signer: object = field(default=None, repr=False)  # pyHanko signer, made once

    @property
    def certificate_sha256(self) -> str:
        return hashlib.sha256(_der(self.cert)).hexdigest() if self.cert else ""


@dataclass(frozen=True)
class Call:
    path: str
    signer: str  # masked NIK / e-mail
    files: int
    outcome: str
    at: float


class _Refusal(Exception):
    def __init__(self, http_status: int, body: dict):
        super().__init__(http_status)
        self.http_status = http_status
        self.body = body


class BsreSimulator:
    """See the module docstring. `ca`: (key, certificate) of the CA to issue under (default: a
    new one of its own); `port`: 0 for a free one."""

    def __init__(
        self,
        *,
        ca=None,
        port: int = 0,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        totp_seconds: int = 120,
        hang_seconds: float = 3.0,
    ):
        self.server = WsgiThreadServer(self._app, port=port)
        self.username, self.password = username, password
        self.client_id, self.client_secret = client_id, client_secret
        self.totp_seconds = totp_seconds
        self.hang_seconds = hang_seconds
        self.ca_key, self.ca_cert = ca or make_ca(CA_NAME, organization=CA_ORGANIZATION)
        self.revocation = CertificateAuthorityRevocation((self.ca_key, self.ca_cert))
        self._lock = threading.Lock()
        self._signers: dict[str, RegisteredSigner] = {}
        self._totps: dict[str, tuple[str, float]] = {}
        self._tokens: dict[str, float] = {}
        self._faults: list[tuple[str, set[str] | None]] = []
        self.calls: list[Call] = []
        self.signatures_made: list[str] = []  # SHA-256 of each signed output / CMS
        self._tsa = self._make_tsa()
        self._tamper = False

    # --- lifecycle ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> "BsreSimulator":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def ca_pem(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)

    # --- the CA -------------------------------------------------------------------------------
    def _make_tsa(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _key, cert = issue_cert(
            self.ca_key,
            self.ca_cert,
            "BSrE Simulator TSA (development)",
            key=key,
            timestamping=True,
            organization="BSrE Simulator",
            revocation_url=self.url,
        )
        return LoadedKeyTimeStamper(tsa_cert=_asn1_cert(cert), tsa_key=_asn1_key(key))

    def register(
        self,
        nik: str,
        *,
        passphrase: str,
        name: str = "",
        email: str = "",
        status: str = ACTIVE,
    ) -> RegisteredSigner:
        """Register a signer with a certificate (RSA-2048, under the CA, naming its OCSP/CRL):
        `expired` ended yesterday, `revoked` is revoked in the OCSP and CRL, `no_certificate`
        has none."""
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        if status not in STATUS_WORDS:
            raise ValueError(f"unknown status {status!r}")
        entry = RegisteredSigner(
            nik=nik, name=name or f"Penandatangan {nik[-4:]}", passphrase=passphrase, email=email
        )
        entry.status = status
        if status != NO_CERTIFICATE:
            now = datetime.now(UTC)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _key, cert = issue_cert(
                self.ca_key,
                self.ca_cert,
                entry.name,
                key=key,
                organization="BSrE Simulator",
                revocation_url=self.url,
                **(
                    {"not_before": now - timedelta(days=400), "not_after": now - timedelta(days=1)}
                    if status == EXPIRED
                    else {}
                ),
            )
            entry.key, entry.cert = key, cert
            entry.signer = loaded_key_signer(
                signing_cert=_asn1_cert(cert),
                signing_key=_asn1_key(key),
                cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(self.ca_cert)]),
            )
            if status == REVOKED:
                self.revocation.revoke(cert.serial_number)
        with self._lock:
            self._signers[nik] = entry
            if email:
                self._signers[email.lower()] = entry
        return entry

    def revoke(self, nik: str) -> None:
        """Revoke a registered signer's certificate now (OCSP, CRL and status say so)."""
        entry = self._signers[nik]
        self.revocation.revoke(entry.cert.serial_number)
        entry.status = REVOKED

    def signer(self, nik: str) -> RegisteredSigner:
        return self._signers[nik]

    def totp_for(self, identity: str) -> str:
        """The last one-time code "sent" to a signer (what the BeSign app would show)."""
        return self._totps[identity.lower()][0]

    # --- faults -------------------------------------------------------------------------------
    def fail_next(self, mode: str, *, times: int = 1, paths: list[str] | None = None) -> None:
        """The next `times` requests (to `paths`, default any path but OCSP/CRL) fail as `mode`."""
        if mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r}")
        with self._lock:
            self._faults.extend([(mode, set(paths) if paths else None)] * times)

    def _take_fault(self, path: str) -> str | None:
        with self._lock:
            for index, (mode, paths) in enumerate(self._faults):
                if paths is None or path in paths:
                    del self._faults[index]
                    return mode
        return None

    # --- HTTP ---------------------------------------------------------------------------------
    def _app(self, environ, start_response):
        answer = self.revocation.wsgi(environ, start_response)
        if answer is not None:
            return answer
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        started = time.monotonic()
        status, body, content_type = 500, {"error": "internal"}, "application/json"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            fault = self._take_fault(path)
            if fault == "unavailable":
                raise _Refusal(503, {"status": 503, "error": "Service Unavailable", "path": path})
            if fault == "server_error":
                raise _Refusal(500, {"status": 500, "error": "Internal Server Error", "path": path})
            if fault == "timeout":
                self._record(path, "-", 0, "timeout")
                time.sleep(self.hang_seconds)
                raise _Refusal(504, {"status": 504, "error": "Gateway Timeout", "path": path})
            self._tamper = fault == "tampered"
            status, body = self._route(method, path, raw, environ, fault)
            if fault == "sign_then_timeout":
                time.sleep(self.hang_seconds)
            if fault == "bad_answer":
                status, body = 200, {"time": 1}
        except _Refusal as refusal:
            status, body = refusal.http_status, refusal.body
        except Exception:  # the simulator's own bug: say so, as a server would
            logger.exception("simulator error on %s", path)
            status, body = 500, {"status": 500, "error": "Internal Server Error", "path": path}
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        logger.debug(
            "simulator %s %s -> %s in %.0f ms",
            method,
            path,
            status,
            (time.monotonic() - started) * 1000,
        )
        start_response(
            f"{status} {'OK' if status < 400 else 'Error'}",
            [("Content-Type", content_type), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _record(self, path: str, who: str, files: int, outcome: str) -> None:
        with self._lock:
            self.calls.append(Call(path, who, files, outcome, time.time()))

    def _check_basic(self, environ, path: str, expected: tuple[str, str]) -> None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        wanted = "Basic " + base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        if not secrets.compare_digest(header.encode(), wanted.encode()):
            self._record(path, "-", 0, "unauthorized")
            raise _Refusal(
                401,
                {
                    "timestamp": datetime.now(UTC).isoformat(),
                    "status": 401,
                    "error": "Unauthorized",
                    "path": path,
                },
            )

    def _check_bearer(self, environ, path: str) -> None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
        with self._lock:
            expires = self._tokens.get(token)
        if not expires or expires < time.monotonic():
            self._record(path, "-", 0, "unauthorized")
            raise _Refusal(
                401, {"error": "invalid_token", "error_description": "Invalid access token"}
            )

    def _route(self, method: str, path: str, raw: bytes, environ, fault):
        if path == TOKEN_PATH and method == "POST":
            self._check_basic(environ, path, (self.client_id, self.client_secret))
            token = secrets.token_urlsafe(24)
            with self._lock:
                self._tokens[token] = time.monotonic() + 300
            self._record(path, "-", 0, "ok")
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 300}
        if path == HASH_SIGN_PATH and method == "POST":
            self._check_bearer(environ, path)
            return self._sign_hash(path, _json(raw))
        self._check_basic(environ, path, (self.username, self.password))
        if path == CHECK_STATUS_PATH and method == "POST":
            return self._check_status(path, _json(raw))
        if path == TOTP_PATH and method == "POST":
            return self._send_totp(path, _json(raw))
        if path == SIGN_PDF_PATH and method == "POST":
            return self._sign_pdf(path, _json(raw))
        if path == VERIFY_PDF_PATH and method == "POST":
            return self._verify(path, _json(raw))
        if path.startswith(CERTIFICATE_CHAIN_PATH) and method == "GET":
            return self._chain(path, path[len(CERTIFICATE_CHAIN_PATH) :])
        raise _Refusal(404, {"status": 404, "error": "Not Found", "path": path})

    # --- the calls ----------------------------------------------------------------------------
    def _lookup(self, payload: dict) -> tuple[RegisteredSigner | None, str]:
        identity = str(payload.get("nik") or payload.get("email") or "").strip()
        with self._lock:
            entry = self._signers.get(identity.lower() if "@" in identity else identity)
        return entry, identity

    def _check_status(self, path, payload):
        entry, identity = self._lookup(payload)
        who = mask_identity(identity) if identity else "-"
        if entry is None:
            self._record(path, who, 0, "not_registered")
            return 200, {
                "status_code": 2011,
                "message": "Pengguna tidak terdaftar",
                "status": "NOT_REGISTERED",
            }
        code, word, message = STATUS_WORDS[entry.status]
        self._record(path, who, 0, word)
        return 200, {"status_code": code, "message": message, "status": word}

    def _send_totp(self, path, payload):
        entry, identity = self._lookup(payload)
        who = mask_identity(identity) if identity else "-"
        if entry is None:
            self._record(path, who, 0, "not_registered")
            raise _Refusal(400, {"status_code": 2011, "error": "NIK tidak terdaftar"})
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self._totps[identity.lower()] = (code, time.monotonic() + self.totp_seconds)
        self._record(path, who, 0, "sent")
        return 200, {"success": True, "message": "OTP berhasil dikirim"}

    def _authorise(self, path: str, payload: dict, files: int) -> RegisteredSigner:
        """The checks BSrE makes before signing, in its order; the refusals it answers."""
        entry, identity = self._lookup(payload)
        who = mask_identity(identity) if identity else "-"

        def refuse(outcome: str, code: int, message: str):
            self._record(path, who, files, outcome)
            raise _Refusal(400, {"status_code": code, "error": message})

        if entry is None:
            refuse("not_registered", 2011, "NIK tidak terdaftar")
        if entry.status == NO_CERTIFICATE:
            refuse("no_certificate", 2021, "Pengguna belum memiliki sertifikat")
        if "totp" in payload:
            with self._lock:
                sent = self._totps.get(identity.lower())
                valid = (
                    sent is not None
                    and sent[1] >= time.monotonic()
                    and secrets.compare_digest(str(payload["totp"]).encode(), sent[0].encode())
                )
                if valid:
                    del self._totps[identity.lower()]  # one request per code
            if not valid:
                refuse("wrong_totp", 2032, "Kode OTP salah atau sudah kadaluarsa")
        elif not secrets.compare_digest(
            str(payload.get("passphrase") or "").encode(), entry.passphrase.encode()
        ):
            refuse("wrong_passphrase", 2031, "Passphrase anda salah !!!")
        if entry.status == EXPIRED:
            refuse("expired", 2051, "Sertifikat anda sudah kadaluarsa")
        if entry.status == REVOKED:
            refuse("revoked", 2052, "Sertifikat anda sudah dicabut (revoke)")
        return entry

    def _sign_pdf(self, path, payload):

        files = payload.get("file")
        if not isinstance(files, list) or not files:
            self._record(path, "-", 0, "bad_request")
            raise _Refusal(500, {"status": 500, "error": "Internal Server Error", "path": path})
        entry = self._authorise(path, payload, len(files))
        properties = (payload.get("signatureProperties") or [{}])[0] or {}
        started = time.monotonic()
        out = []
        for item in files:
            try:
                pdf = base64.b64decode(item, validate=True)
                signed = outside_event_loop(self._sign_one, entry, pdf, properties)
            except Exception:
                self._record(path, mask_identity(entry.nik), len(files), "bad_pdf")
                raise _Refusal(
                    500, {"status": 500, "error": "Internal Server Error", "path": path}
                ) from None
            if self._tamper:
                signed = bytearray(signed)
                signed[len(pdf) // 2] ^= 0x01
                signed = bytes(signed)
            out.append(signed)
        with self._lock:
            self.signatures_made.extend(hashlib.sha256(s).hexdigest() for s in out)
        self._record(path, mask_identity(entry.nik), len(files), "signed")
        return 200, {
            "time": int((time.monotonic() - started) * 1000),
            "file": [base64.b64encode(s).decode("ascii") for s in out],
        }

    def _sign_one(self, entry: RegisteredSigner, pdf: bytes, properties: dict) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        visible = str(properties.get("tampilan") or "INVISIBLE").upper() == "VISIBLE"
        field_spec = None
        if visible:
            x, y = float(properties.get("originX") or 0), float(properties.get("originY") or 0)
            w, h = float(properties.get("width") or 150), float(properties.get("height") or 60)
            field_spec = fields.SigFieldSpec(
                sig_field_name="BSrE",
                on_page=int(properties.get("page") or 1) - 1,
                box=(x, y, x + w, y + h),
            )
        meta = signers.PdfSignatureMetadata(
            field_name="BSrE" if visible else "TandaTanganElektronik",
            reason=str(properties.get("reason") or "") or None,
            location=str(properties.get("location") or "") or None,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.PdfSigner(
            meta, signer=entry.signer, timestamper=self._tsa, new_field_spec=field_spec
        ).sign_pdf(writer, bytes_reserved=16384)
        return out.getvalue()

    def _sign_hash(self, path, payload):
        import asyncio

        digests = payload.get("hash")
        if (
            not isinstance(digests, list)
            or not digests
            or payload.get("digestAlgorithm") != "SHA256"
        ):
            self._record(path, "-", 0, "bad_request")
            raise _Refusal(
                400, {"status_code": 4000, "error": "hash dan digestAlgorithm SHA256 wajib"}
            )
        entry = self._authorise(path, payload, len(digests))
        started = time.monotonic()

        async def sign_all():
            result = []
            for item in digests:
                digest = base64.b64decode(item, validate=True)
                if self._tamper:
                    digest = hashlib.sha256(b"another document").digest()
                cms = await entry.signer.async_sign(
                    digest, "sha256", use_pades=True, timestamper=self._tsa
                )
                result.append(cms.dump())
            return result

        cms_list = outside_event_loop(asyncio.run, sign_all())
        with self._lock:
            self.signatures_made.extend(hashlib.sha256(c).hexdigest() for c in cms_list)
        self._record(path, mask_identity(entry.nik), len(digests), "signed")
        return 200, {
            "time": int((time.monotonic() - started) * 1000),
            "signature": [base64.b64encode(c).decode("ascii") for c in cms_list],
        }

    def _verify(self, path, payload):

        try:
            pdf = base64.b64decode(str(payload.get("file") or ""), validate=True)
            if not pdf.startswith(b"%PDF"):
                raise ValueError("not a PDF")
        except ValueError:
            self._record(path, "-", 0, "bad_pdf")
            raise _Refusal(
                500, {"status": 500, "error": "Internal Server Error", "path": path}
            ) from None
        report = validate_signed_pdf(pdf, trust_roots=[_asn1_cert(self.ca_cert)])
        self._record(path, "-", 0, "verified")
        if not report.present:
            return 200, {
                "signatureCount": 0,
                "description": "Dokumen tidak memiliki tanda tangan elektronik",
                "conclusion": "NO_SIGNATURE",
                "signatureInformations": [],
            }
        good = report.intact and report.valid and report.trusted
        return 200, {
            "signatureCount": 1,
            "description": "Dokumen valid" if good else "Dokumen tidak valid",
            "conclusion": "VALID" if good else "INVALID",
            "signatureInformations": [
                {
                    "id": "1",
                    "fieldName": "TandaTanganElektronik",
                    "signerName": report.signer_name,
                    "signatureDate": report.signing_time.isoformat() if report.signing_time else "",
                    "integrityValid": report.intact and report.valid,
                    "certificateTrusted": report.trusted,
                    "signatureFormat": "PAdES-BASELINE-" + (report.level[2:] or "B"),
                    "ltv": report.ltv_enabled,
                    "timestampInfomation": (
                        {"timestamp": report.timestamp_time.isoformat()}
                        if report.timestamp_time
                        else None
                    ),
                    "lastSignature": False,
                    "digestAlgorithm": "",
                    "signatureAlgorithm": "",
                    "reason": "",
                    "location": "",
                    "certificateDetails": [{"issuerName": report.issuer_name}],
                }
            ],
        }

    def _chain(self, path, identity):
        with self._lock:
            entry = self._signers.get(identity.lower() if "@" in identity else identity)
        who = mask_identity(identity) if identity else "-"
        path = CERTIFICATE_CHAIN_PATH + who  # the record never holds the whole NIK
        if entry is None or entry.cert is None:
            self._record(path, who, 0, "not_registered")
            raise _Refusal(400, {"success": False, "error": "Sertifikat tidak ditemukan"})
        self._record(path, who, 0, "ok")
        return 200, {
            "success": True,
            "data": [base64.b64encode(_der(c)).decode("ascii") for c in (entry.cert, self.ca_cert)],
        }


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        raise _Refusal(400, {"status": 400, "error": "Bad Request"}) from None
    if not isinstance(value, dict):
        raise _Refusal(400, {"status": 400, "error": "Bad Request"})
    return value


def load_ca(path: str | Path):
    """(key, certificate) of a CA PEM with its key beside it (the development CA)."""
    return load_dev_ca(Path(path))
