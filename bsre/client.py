"""The Esign Client Service (BSrE) over HTTP: the v2 JSON calls and central hash signing.

Calls (paths as regional Esign Client Services expose them; INTEGRATION-FACTS.md):
- `POST /api/v2/sign/get/totp` `{nik | email}` — BSrE sends the signer a one-time code;
- `POST /api/v2/sign/pdf` `{nik | email, passphrase | totp, signatureProperties[], file[]}`
  (files base64) → `{"time": ms, "file": [base64 signed PDFs]}` in the order sent;
- `POST /api/v2/verify/pdf` `{file}` → `{signatureCount, conclusion, description,
  signatureInformations[]}` (BSrE's spelling `timestampInfomation` kept in the raw answer);
- `POST /api/v2/user/check/status` `{nik | email}` → `{status_code, message, status}`;
- `GET /api/v2/user/certificate/chain/<nik>` → `{"success": true, "data": [base64 DER]}`;
- hash signing: `POST <token path>` (OAuth2 client credentials, HTTP Basic client id/secret)
  → `{"access_token", "expires_in"}`, then `POST <hash path>` with a Bearer token and
  `{nik | email, passphrase | totp, signatureLevel: "PAdES_BASELINE_LT", digestAlgorithm:
  "SHA256", hash: [base64 SHA-256 of each PDF's signed byte range]}` → `{"time", "signature":
  [base64 CMS SignedData]}`. The central service's paths and field names are not public: they
  are `BsreConfig` fields, and the simulator speaks the same.

Transport: `http.client` with a connect timeout and a separate read timeout, so that "could not
connect" (nothing was sent: `BsreUnavailable`, safe to retry) and "sent, no answer in time"
(`BsreTimeout`, `outcome_unknown`: BSrE may have signed) are told apart. HTTP Basic for the v2
service (the region's client account). No automatic retry of a signing call.

Secrets: the passphrase or code travels only inside the request body. It is never logged, never
in an exception (message, args, repr), never kept on the client; log lines name the call, the
HTTP status, the time and the masked NIK.
"""

import base64
import http.client
import json
import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from bsre import errors, mapping
from permits.signing import SigningCredential

logger = logging.getLogger("ptsp.bsre")

TOTP_PATH = "/api/v2/sign/get/totp"
SIGN_PDF_PATH = "/api/v2/sign/pdf"
VERIFY_PDF_PATH = "/api/v2/verify/pdf"
CHECK_STATUS_PATH = "/api/v2/user/check/status"
CERTIFICATE_CHAIN_PATH = "/api/v2/user/certificate/chain/"


def mask_identity(value: str) -> str:
    """A NIK or e-mail as a log line may show it: the last four characters of a NIK, the first
    letter and the domain of an e-mail."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return "*" * max(len(value) - 4, 0) + value[-4:]


@dataclass(frozen=True)
class BsreConfig:
    """One Esign Client Service account (per region in phase 2; from settings now)."""

    base_url: str
    username: str = ""
    password: str = field(default="", repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    verify_timeout: float = 120.0
    ca_file: str = ""  # an extra CA bundle for an https service with a private CA
    # central hash signing
    token_url: str = ""  # default: base_url + /oauth/token
    hash_sign_path: str = "/api/v2/sign/hash"
    client_id: str = ""
    client_secret: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls) -> "BsreConfig":
        return cls(
            base_url=settings.BSRE_BASE_URL,
            username=settings.BSRE_USERNAME,
            password=settings.BSRE_PASSWORD,
            connect_timeout=settings.BSRE_CONNECT_TIMEOUT,
            read_timeout=settings.BSRE_READ_TIMEOUT,
            token_url=settings.BSRE_TOKEN_URL,
            hash_sign_path=settings.BSRE_HASH_SIGN_PATH,
            client_id=settings.BSRE_CLIENT_ID,
            client_secret=settings.BSRE_CLIENT_SECRET,
        )


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs at BSrE: a NIK (16 digits) or the e-mail registered there."""

    nik: str = ""
    email: str = ""

    def __post_init__(self):
        if bool(self.nik) == bool(self.email):
            raise ValueError("a BSrE signer is named by a NIK or by an e-mail, exactly one")

    def as_payload(self) -> dict:
        return {"nik": self.nik} if self.nik else {"email": self.email}

    @property
    def value(self) -> str:
        return self.nik or self.email

    def __str__(self) -> str:
        return mask_identity(self.value)


@dataclass(frozen=True)
class SignatureProperties:
    """One `signatureProperties[]` entry: INVISIBLE, or VISIBLE in a box on a page (PDF points
    from the lower-left corner; BSrE's convention is not documented publicly)."""

    tampilan: str = "INVISIBLE"
    reason: str = ""
    location: str = ""
    page: int | None = None
    origin_x: float | None = None
    origin_y: float | None = None
    width: float | None = None
    height: float | None = None
    image_base64: str = ""

    def as_payload(self) -> dict:
        payload = {"tampilan": self.tampilan}
        for key, value in (
            ("reason", self.reason),
            ("location", self.location),
            ("page", self.page),
            ("originX", self.origin_x),
            ("originY", self.origin_y),
            ("width", self.width),
            ("height", self.height),
            ("imageBase64", self.image_base64),
        ):
            if value not in (None, ""):
                payload[key] = value
        return payload


@dataclass(frozen=True)
class SignResult:
    files: list[bytes]
    time_ms: int | None = None


@dataclass(frozen=True)
class UserStatus:
    status: str
    message: str = ""
    status_code: str = ""

    @property
    def active(self) -> bool:
        return self.status == mapping.STATUS_ACTIVE

    def raise_unless_active(self) -> None:
        if self.active:
            return
        error_type = mapping.STATUS_ERRORS.get(self.status, errors.BsreBadAnswer)
        raise error_type(details={"bsre_status": self.status, "bsre_code": self.status_code})


@dataclass(frozen=True)
class VerifiedSignature:
    signer_name: str
    integrity_valid: bool
    certificate_trusted: bool
    signature_format: str
    ltv: bool
    signature_date: str = ""
    field_name: str = ""
    reason: str = ""
    location: str = ""


@dataclass(frozen=True)
class VerifyResult:
    conclusion: str
    signature_count: int
    description: str = ""
    signatures: list[VerifiedSignature] = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)


class BsreClient:
    """The HTTP calls of one Esign Client Service account. Thread-safe; keeps only the OAuth
    token of the hash-signing service between calls."""

    def __init__(self, config: BsreConfig):
        if not config.base_url or not config.base_url.startswith(("http://", "https://")):
            raise errors.BsreMisconfigured(details={"reason": "base_url"})
        self.config = config
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BsreClient({self.config.base_url!r})"

    # --- v2 -----------------------------------------------------------------------------------
    def request_totp(self, identity: SignerIdentity) -> None:
        """Ask BSrE to send the signer a one-time code (BeSign app, e-mail or SMS)."""
        body = self._call("POST", TOTP_PATH, identity.as_payload(), identity=identity)
        self._expect_success(body, 200)

    def check_status(self, identity: SignerIdentity) -> UserStatus:
        """The signer's certificate status at BSrE (ISSUE = usable)."""
        body = self._call("POST", CHECK_STATUS_PATH, identity.as_payload(), identity=identity)
        if not isinstance(body, dict) or not isinstance(body.get("status"), str):
            raise errors.BsreBadAnswer(details={"call": "check_status"})
        return UserStatus(
            status=body["status"].upper(),
            message=str(body.get("message") or ""),
            status_code=str(body.get("status_code") or ""),
        )

    def certificate_chain(self, identity: SignerIdentity) -> list[bytes]:
        """The signer's certificate and its chain (DER, the signer's first)."""
        body = self._call("GET", CERTIFICATE_CHAIN_PATH + identity.value, None, identity=identity)
        data = body.get("data") if isinstance(body, dict) else None
        if not (isinstance(body, dict) and body.get("success") and isinstance(data, list) and data):
            raise errors.BsreBadAnswer(details={"call": "certificate_chain"})
        return [_b64decode(item, "certificate_chain") for item in data]

    def sign_pdf(
        self,
        files: list[bytes],
        *,
        identity: SignerIdentity,
        credential: SigningCredential,
        properties: list[SignatureProperties] | None = None,
    ) -> SignResult:
        """Sign PDFs at BSrE (one credential for all): the signed PDFs, in the order sent."""
        if not files:
            return SignResult(files=[])
        payload = {
            **identity.as_payload(),
            credential.kind: credential.reveal(),
            "signatureProperties": [
                p.as_payload() for p in (properties or [SignatureProperties()])
            ],
            "file": [base64.b64encode(pdf).decode("ascii") for pdf in files],
        }
        body = self._call("POST", SIGN_PDF_PATH, payload, identity=identity, secret=credential)
        signed = body.get("file") if isinstance(body, dict) else None
        if signed is None and isinstance(body, dict) and ("error" in body or "status_code" in body):
            raise mapping.error_for(200, body)  # a refusal dressed as HTTP 200
        if not isinstance(signed, list) or len(signed) != len(files):
            raise errors.BsreBadAnswer(details={"call": "sign_pdf"})
        return SignResult(
            files=[_b64decode(item, "sign_pdf") for item in signed], time_ms=body.get("time")
        )

    def verify_pdf(self, pdf: bytes, *, password: str = "") -> VerifyResult:
        """BSrE's own verdict on a PDF's signatures (slow: up to tens of seconds)."""
        payload = {"file": base64.b64encode(pdf).decode("ascii")}
        if password:
            payload["password"] = password
        body = self._call("POST", VERIFY_PDF_PATH, payload, read_timeout=self.config.verify_timeout)
        if not isinstance(body, dict) or "conclusion" not in body:
            raise errors.BsreBadAnswer(details={"call": "verify_pdf"})
        signatures = [
            VerifiedSignature(
                signer_name=str(item.get("signerName") or ""),
                integrity_valid=bool(item.get("integrityValid")),
                certificate_trusted=bool(item.get("certificateTrusted")),
                signature_format=str(item.get("signatureFormat") or ""),
                ltv=bool(item.get("ltv")),
                signature_date=str(item.get("signatureDate") or ""),
                field_name=str(item.get("fieldName") or ""),
                reason=str(item.get("reason") or ""),
                location=str(item.get("location") or ""),
            )
            for item in body.get("signatureInformations") or []
            if isinstance(item, dict)
        ]
        return VerifyResult(
            conclusion=str(body["conclusion"]),
            signature_count=int(body.get("signatureCount") or 0),
            description=str(body.get("description") or ""),
            signatures=signatures,
            raw=body,
        )

    # --- hash signing -------------------------------------------------------------------------
    def access_token(self) -> str:
        """An OAuth2 client-credentials token for the hash-signing service, cached until
        shortly before it expires."""
        with self._token_lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            if not (self.config.client_id and self.config.client_secret):
                raise errors.BsreMisconfigured(details={"reason": "client_credentials"})
            url = self.config.token_url or self.config.base_url.rstrip("/") + "/oauth/token"
            body = self._call(
                "POST",
                url,
                {"grant_type": "client_credentials"},
                form=True,
                basic=(self.config.client_id, self.config.client_secret),
            )
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise errors.BsreBadAnswer(details={"call": "access_token"})
            lifetime = float(body.get("expires_in") or 300)
            self._token = (token, time.monotonic() + max(lifetime - 30, 1))
            return token

    def sign_hash(
        self,
        digests: list[bytes],
        *,
        identity: SignerIdentity,
        credential: SigningCredential,
        signature_level: str = "PAdES_BASELINE_LT",
    ) -> list[bytes]:
        """CMS SignedData (DER) over each SHA-256 digest of a PDF's signed byte range."""
        payload = {
            **identity.as_payload(),
            credential.kind: credential.reveal(),
            "signatureLevel": signature_level,
            "digestAlgorithm": "SHA256",
            "hash": [base64.b64encode(d).decode("ascii") for d in digests],
        }
        body = self._call(
            "POST",
            self.config.hash_sign_path,
            payload,
            identity=identity,
            secret=credential,
            bearer=self.access_token(),
        )
        signatures = body.get("signature") if isinstance(body, dict) else None
        if signatures is None and isinstance(body, dict) and "error" in body:
            raise mapping.error_for(200, body)
        if not isinstance(signatures, list) or len(signatures) != len(digests):
            raise errors.BsreBadAnswer(details={"call": "sign_hash"})
        return [_b64decode(item, "sign_hash") for item in signatures]

    # --- transport ----------------------------------------------------------------------------
    def _connection(self, url: str):
        parts = urlsplit(url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.config.ca_file or None)
            return parts, http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.config.connect_timeout, context=context
            )
        return parts, http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=self.config.connect_timeout
        )

    def _call(
        self,
        method: str,
        path_or_url: str,
        payload,
        *,
        identity: SignerIdentity | None = None,
        secret: SigningCredential | None = None,
        read_timeout: float | None = None,
        form: bool = False,
        basic: tuple[str, str] | None = None,
        bearer: str = "",
    ):
        """One HTTP exchange; the decoded JSON body of a 2xx answer, else the mapped error."""
        url = (
            path_or_url
            if path_or_url.startswith(("http://", "https://"))
            else self.config.base_url.rstrip("/") + path_or_url
        )
        parts, connection = self._connection(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        else:
            user, password = basic or (self.config.username, self.config.password)
            if user or password:
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                headers["Authorization"] = f"Basic {token}"
        data = None
        if payload is not None:
            if form:
                data = urlencode(payload).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(payload).encode()
                headers["Content-Type"] = "application/json"
        del payload  # the only copy with the secret left is `data`, sent below
        who = str(identity) if identity else "-"
        started = time.monotonic()
        try:
            try:
                connection.connect()
            except OSError as exc:
                logger.warning(
                    "bsre %s %s: cannot connect (%s), signer=%s",
                    method,
                    parts.path,
                    exc.__class__.__name__,
                    who,
                )
                raise errors.BsreUnavailable(details={"call": parts.path}) from None
            connection.sock.settimeout(read_timeout or self.config.read_timeout)
            try:
                connection.request(method, target, body=data, headers=headers)
            except OSError as exc:
                logger.warning(
                    "bsre %s %s: sending failed (%s), signer=%s",
                    method,
                    parts.path,
                    exc.__class__.__name__,
                    who,
                )
                raise errors.BsreUnavailable(details={"call": parts.path}) from None
            try:
                response = connection.getresponse()
                raw = response.read()
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                logger.warning(
                    "bsre %s %s: no answer after %.0f ms (%s), signer=%s: outcome unknown",
                    method,
                    parts.path,
                    (time.monotonic() - started) * 1000,
                    exc.__class__.__name__,
                    who,
                )
                raise errors.BsreTimeout(details={"call": parts.path}) from None
        finally:
            connection.close()
            data = None
        elapsed = (time.monotonic() - started) * 1000
        body = _decode(raw, response.getheader("Content-Type", ""))
        logger.info(
            "bsre %s %s: HTTP %s in %.0f ms, signer=%s",
            method,
            parts.path,
            response.status,
            elapsed,
            who,
        )
        if 200 <= response.status < 300:
            return body
        error = mapping.error_for(response.status, body)
        logger.warning(
            "bsre %s %s refused: HTTP %s, code=%s -> %s, signer=%s",
            method,
            parts.path,
            response.status,
            error.details.get("bsre_code"),
            error.code,
            who,
        )
        raise error

    @staticmethod
    def _expect_success(body, status: int) -> None:
        if isinstance(body, dict) and body.get("success") is False:
            raise mapping.error_for(status, body)


def _decode(raw: bytes, content_type: str):
    """JSON when it is JSON; None otherwise (BSrE answers some errors with a non-JSON body)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        logger.info("bsre answer is not JSON (Content-Type %s)", content_type or "-")
        return None


def _b64decode(value, call: str) -> bytes:
    if not isinstance(value, str):
        raise errors.BsreBadAnswer(details={"call": call})
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise errors.BsreBadAnswer(details={"call": call}) from None
