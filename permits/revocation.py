"""Revocation information for a development CA: an OCSP responder and a CRL over HTTP.

PAdES B-LT embeds, in the signed PDF, proof that the signer's certificate was not revoked when it
signed (an OCSP response or a CRL from its CA), so that the signature can still be validated
once the certificate has expired or the CA's service is gone. Production certificates (BSrE's)
name BSrE's responders; the development CA (`manage.py make_dev_signing_cert`) and the BSrE
simulator name this one, which runs on this machine:

- `POST /ocsp` (RFC 6960, `application/ocsp-request`): "good" for every serial issued by the CA
  that is not revoked, "revoked" (with time and reason) for those `revoke`d, "unauthorized" for
  a certificate of another CA. Responses are signed by the CA itself (an issuer-signed
  response needs no delegated responder certificate) and echo the request's nonce.
- `GET /crl` (RFC 5280, DER): the CA's CRL, the revoked serials, valid for a day.

Times are relative to the clock (`thisUpdate` a minute ago), never typed dates. The CA is loaded
lazily from a PEM file with its key beside it (`.key`), so a responder can listen — and its URL
be written into the certificates — before the CA exists (the tests' session fixture does so).
"""

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from ptsp.servers import WsgiThreadServer

logger = logging.getLogger("ptsp.signing")

OCSP_PATH = "/ocsp"
CRL_PATH = "/crl"
DEFAULT_VALIDITY = timedelta(days=1)

REASONS = {
    "key_compromise": x509.ReasonFlags.key_compromise,
    "ca_compromise": x509.ReasonFlags.ca_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "unspecified": x509.ReasonFlags.unspecified,
}


def revocation_urls(base_url: str) -> tuple[str, str]:
    """(OCSP URL, CRL URL) of a responder at `base_url`; ("", "") when `base_url` is empty."""
    if not base_url:
        return "", ""
    base = base_url.rstrip("/")
    return base + OCSP_PATH, base + CRL_PATH


@dataclass(frozen=True)
class Revoked:
    serial: int
    at: datetime
    reason: str


class CertificateAuthorityRevocation:
    """The revocation state of one CA and the signed answers about it.

    `ca` is a (key, certificate) pair, or a path to the CA's PEM (key in `.key` beside it),
    loaded on first use. Revocations live in memory and, when `state_path` is given, in a small
    JSON file next to the CA, so that `make_dev_signing_cert --revoke` and a running responder
    agree."""

    def __init__(self, ca=None, *, ca_path: str | Path | None = None, state_path=None):
        if ca is None and ca_path is None:
            raise ValueError("a CA (key, certificate) or the path of its PEM is required")
        self._ca = ca
        self._ca_path = Path(ca_path) if ca_path else None
        self._state_path = Path(state_path) if state_path else None
        self._revoked: dict[int, Revoked] = {}
        self._lock = threading.Lock()
        self.requests = {"ocsp": 0, "crl": 0}

    # --- the CA -------------------------------------------------------------------------------
    def ca(self):
        if self._ca is None:
            key_path = self._ca_path.with_suffix(".key")
            cert = x509.load_pem_x509_certificate(self._ca_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            self._ca = (key, cert)
        return self._ca

    # --- revocations --------------------------------------------------------------------------
    def _load_state(self) -> dict[int, Revoked]:
        if self._state_path is None or not self._state_path.is_file():
            return {}
        rows = json.loads(self._state_path.read_text())
        return {
            int(row["serial"]): Revoked(
                int(row["serial"]), datetime.fromisoformat(row["at"]), row["reason"]
            )
            for row in rows
        }

    def revoked(self) -> dict[int, Revoked]:
        with self._lock:
            return {**self._load_state(), **self._revoked}

    def revoke(self, serial: int, *, at: datetime | None = None, reason: str = "key_compromise"):
        """Mark a serial revoked (from `at`, default now). Persisted when there is a state file."""
        if reason not in REASONS:
            raise ValueError(f"unknown revocation reason {reason!r}")
        entry = Revoked(serial, at or datetime.now(UTC), reason)
        with self._lock:
            self._revoked[serial] = entry
            if self._state_path is not None:
                rows = {**self._load_state(), serial: entry}
                self._state_path.write_text(
                    json.dumps(
                        [
                            {"serial": str(r.serial), "at": r.at.isoformat(), "reason": r.reason}
                            for r in rows.values()
                        ]
                    )
                )
        return entry

    # --- answers ------------------------------------------------------------------------------
    def ocsp_response(self, request_der: bytes) -> bytes:
        """A DER OCSP response for a DER OCSP request (one certificate per request)."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        key, cert = self.ca()
        self.requests["ocsp"] += 1
        algorithm = request.hash_algorithm
        name_hash = _hash(algorithm, cert.subject.public_bytes())
        key_hash = _hash(algorithm, _public_key_bits(cert))
        if request.issuer_name_hash != name_hash or request.issuer_key_hash != key_hash:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = datetime.now(UTC)
        revoked = self.revoked().get(request.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1),
            next_update=now + DEFAULT_VALIDITY,
            revocation_time=revoked.at if revoked else None,
            revocation_reason=REASONS[revoked.reason] if revoked else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, cert)
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl(self) -> bytes:
        """The CA's CRL (DER), valid for a day from a minute ago."""
        key, cert = self.ca()
        self.requests["crl"] += 1
        now = datetime.now(UTC)
        revoked = self.revoked()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(cert.subject)
            .last_update(now - timedelta(minutes=1))
            .next_update(now + DEFAULT_VALIDITY)
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                critical=False,
            )
        )
        for entry in revoked.values():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(entry.serial)
                .revocation_date(entry.at)
                .add_extension(x509.CRLReason(REASONS[entry.reason]), critical=False)
                .build()
            )
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    # --- HTTP ---------------------------------------------------------------------------------
    def wsgi(self, environ, start_response, *, prefix: str = ""):
        """Answer `POST {prefix}/ocsp` and `GET {prefix}/crl`; None for any other path, so that
        a larger application (the BSrE simulator) can mount this one."""
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == prefix + OCSP_PATH and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = self.ocsp_response(environ["wsgi.input"].read(length))
            content_type = "application/ocsp-response"
        elif path.startswith(prefix + CRL_PATH) and method == "GET":
            body = self.crl()
            content_type = "application/pkix-crl"
        else:
            return None
        start_response(
            "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        )
        return [body]


def _hash(algorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _public_key_bits(cert) -> bytes:
    """The subjectPublicKey BIT STRING's bytes (what an OCSP CertID's issuerKeyHash hashes)."""
    from asn1crypto import x509 as asn1_x509

    loaded = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return loaded.public_key["public_key"].contents[1:]  # without the unused-bits byte


class RevocationResponder:
    """`CertificateAuthorityRevocation` served on 127.0.0.1 (a free port unless `port`): the
    development CA's OCSP responder and CRL for the tests, `manage.py serve_dev_revocation` and
    `make run` (there with the development TSA at `/tsa`: `tsa=`). `url` is the base URL that
    `make_dev_signing_cert --revocation-url` writes into the certificates."""

    def __init__(self, authority: CertificateAuthorityRevocation, *, port: int = 0, tsa=None):
        self.authority = authority
        self.tsa = tsa  # a permits.devtsa.DevTimestampAuthority at /tsa (make run), or None
        self.server = WsgiThreadServer(self._app, port=port)

    def _app(self, environ, start_response):
        answer = self.authority.wsgi(environ, start_response)
        if answer is None and self.tsa is not None:
            answer = self.tsa.wsgi(environ, start_response)
        if answer is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        return answer

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> "RevocationResponder":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
