"""The virus-scanning hook: when CLAMAV_SOCKET (a Unix socket path) or CLAMAV_HOST/CLAMAV_PORT
is configured, every upload is streamed to clamd with the INSTREAM command before it is stored.
An infected file is refused; when the scanner is configured but cannot be reached the upload is
refused too (fail closed). Without configuration the file is stored as "not scanned"."""

import logging
import socket
import struct

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError

log = logging.getLogger(__name__)

CLEAN = "clean"
INFECTED = "infected"
NOT_SCANNED = "not scanned"
CHUNK = 64 * 1024


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMAV_SOCKET", "") or getattr(settings, "CLAMAV_HOST", ""))


def _connect() -> socket.socket:
    timeout = getattr(settings, "CLAMAV_TIMEOUT", 10)
    if settings.CLAMAV_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMAV_SOCKET)
        return sock
    return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=timeout)


def clamd_instream(data: bytes) -> str:
    """clamd's answer for `data`, e.g. 'stream: OK' or 'stream: Eicar-Signature FOUND'."""
    with _connect() as sock:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(data: bytes) -> str:
    """CLEAN or NOT_SCANNED; raises DomainError for an infected file or an unreachable scanner."""
    if not scanner_configured():
        return NOT_SCANNED
    try:
        reply = clamd_instream(data)
    except OSError:
        log.warning("virus scanner unreachable", exc_info=True)
        raise DomainError(
            _(
                "The file could not be checked for viruses just now. Please try again in a few "
                "minutes."
            ),
            code="scan_unavailable",
            field="file",
        ) from None
    if reply.endswith("FOUND"):
        log.warning("upload refused by the virus scanner: %s", reply)
        raise DomainError(
            _("This file contains a virus or malware and was not accepted."),
            code="file_infected",
            field="file",
        )
    if not reply.endswith("OK"):
        log.warning("virus scanner answered %r", reply)
        raise DomainError(
            _(
                "The file could not be checked for viruses just now. Please try again in a few "
                "minutes."
            ),
            code="scan_unavailable",
            field="file",
        )
    return CLEAN
