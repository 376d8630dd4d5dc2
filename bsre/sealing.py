"""The signer's passphrase or code on its way to the worker: a short-lived sealed token.

Decision and reasons: docs/adr/0010-bsre-credential-sealed-token.md. The sign request seals the
`SigningCredential` the signer typed (`seal`) and hands the token to the Celery task with the
batch's ids; the task opens it (`unseal`) right before calling BSrE, and a redelivered task (a
worker crash) opens it again while it is fresh. After `BSRE_SEALED_TTL_SECONDS` (default 300)
the token opens no more: the signer types the passphrase again.

The token is AES-256-GCM: `v1.` + base64url(issued-at (8 bytes, big-endian seconds) ‖ nonce
(12) ‖ ciphertext+tag). The issued-at time and the `context` (e.g. "bsre-batch:42:user:7") are
authenticated, so a token cannot be made younger nor used for another batch or person; a changed
byte, a wrong context or a wrong key all read as "invalid". The key is BSRE_SEALING_KEY
(base64, 32 bytes; comma-separated keys rotate: the first seals, all open), else derived from
SECRET_KEY with HKDF for this one purpose. Neither the token nor the secret is ever logged: log
lines name the context and the outcome only.
"""

import base64
import binascii
import json
import logging
import os
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from permits.signing import SigningCredential
from ptsp.errors import DomainError

logger = logging.getLogger("ptsp.bsre")

PREFIX = "v1."
CLOCK_SKEW_SECONDS = 30  # web and worker clocks may differ a little


class SealedCredentialInvalid(DomainError):
    """The token was changed, is for another batch or person, or was sealed with another key."""

    def __init__(self):
        super().__init__(
            _(
                "The signing session is not valid. Nothing was signed; please sign again and "
                "type the passphrase or code."
            ),
            code="bsre_credential_invalid",
        )


class SealedCredentialExpired(DomainError):
    """The token is older than its time to live."""

    def __init__(self):
        super().__init__(
            _(
                "The signing session has expired. Nothing more was signed; please sign again "
                "and type the passphrase or code."
            ),
            code="bsre_credential_expired",
        )


def _keys() -> list[bytes]:
    configured = [k.strip() for k in (settings.BSRE_SEALING_KEY or "").split(",") if k.strip()]
    if configured:
        keys = []
        for value in configured:
            try:
                key = base64.b64decode(value, validate=True)
            except binascii.Error:
                key = b""
            if len(key) != 32:
                raise ValueError("BSRE_SEALING_KEY must be base64 of 32 bytes (comma-separated)")
            keys.append(key)
        return keys
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ptsp bsre credential sealing v1"
    ).derive(settings.SECRET_KEY.encode())
    return [derived]


def seal(credential: SigningCredential, *, context: str, now: float | None = None) -> str:
    """A token that opens, with the same `context`, for BSRE_SEALED_TTL_SECONDS."""
    if not isinstance(credential, SigningCredential):
        raise TypeError("only a SigningCredential is sealed")
    issued = int(now if now is not None else time.time())
    header = struct.pack(">Q", issued)
    nonce = os.urandom(12)
    plaintext = json.dumps({"k": credential.kind, "s": credential.reveal()}).encode()
    sealed = AESGCM(_keys()[0]).encrypt(nonce, plaintext, header + context.encode())
    logger.info("bsre credential sealed: context=%s", context)
    return PREFIX + base64.urlsafe_b64encode(header + nonce + sealed).decode("ascii")


def unseal(
    token: str, *, context: str, ttl: int | None = None, now: float | None = None
) -> SigningCredential:
    """The credential in `token`, if it is intact, for `context`, and younger than `ttl`
    (default BSRE_SEALED_TTL_SECONDS). Raises SealedCredentialInvalid or
    SealedCredentialExpired; the exception never holds the token or the secret."""
    ttl = settings.BSRE_SEALED_TTL_SECONDS if ttl is None else ttl
    moment = now if now is not None else time.time()
    try:
        if not isinstance(token, str) or not token.startswith(PREFIX):
            raise ValueError("format")
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode("ascii"))
        if len(raw) < 8 + 12 + 16:
            raise ValueError("length")
        header, nonce, sealed = raw[:8], raw[8:20], raw[20:]
        plaintext = None
        for key in _keys():
            try:
                plaintext = AESGCM(key).decrypt(nonce, sealed, header + context.encode())
                break
            except InvalidTag:
                continue
        if plaintext is None:
            raise ValueError("tag")
        data = json.loads(plaintext)
        credential = SigningCredential(data["k"], data["s"])
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
        logger.warning("bsre credential refused (invalid): context=%s", context)
        raise SealedCredentialInvalid() from None
    (issued,) = struct.unpack(">Q", header)
    if moment - issued > ttl or issued - moment > CLOCK_SKEW_SECONDS:
        logger.warning("bsre credential refused (expired): context=%s", context)
        raise SealedCredentialExpired()
    return credential
