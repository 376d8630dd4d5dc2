"""Checking an uploaded file before it is stored.

The kind is decided from the file's first bytes (magic numbers), never from its name or the
content type the browser claims. The name the user gave is kept only as a display name, cleaned
of path parts and control characters; the stored name is random (`ptsp.files.PrivateUploadTo`).
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError
from security.content import check_image, check_pdf
from security.scanning import scan

MAGIC = [
    ("pdf", b"%PDF-"),
    ("jpeg", b"\xff\xd8\xff"),
    ("png", b"\x89PNG\r\n\x1a\n"),
]
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
DISPLAY_NAME_MAX = 120


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: str
    content_type: str
    size: int
    sha256: str
    display_name: str
    scan_result: str = "not scanned"


def sniff_kind(head: bytes) -> str | None:
    """'pdf', 'jpeg' or 'png' from the first bytes, or None for anything else."""
    for kind, magic in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def clean_display_name(name: str, kind: str) -> str:
    """The user's file name, safe to show: no path, no control characters, at most 120
    characters, ending in the extension of the sniffed kind."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    ext = EXTENSIONS[kind]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip() or "dokumen"
    return stem[: DISPLAY_NAME_MAX - len(ext)] + ext


def check_upload(upload, *, accepted_kinds: list[str], max_size_kb: int) -> CheckedFile:
    """Read and check one uploaded file against a requirement's rules.

    Raises DomainError (code `file_empty`, `file_too_large`, `file_kind`,
    `file_active_content` for a PDF with scripts or embedded files, `file_damaged` for a file
    that cannot be read to the end, `file_foreign_content` for markup or script after the
    header, `file_image_too_large` for a decompression bomb, `file_infected` / `scan_unavailable` from the virus scanner) with a
    message for the applicant; nothing is stored by this function.
    """
    limit = max_size_kb * 1024
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise DomainError(
            _("The file is too large: at most %(limit)s allowed.")
            % {"limit": filesizeformat(limit)},
            code="file_too_large",
            field="file",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if not data:
        raise DomainError(_("The file is empty."), code="file_empty", field="file")
    if len(data) > limit:
        raise DomainError(
            _("The file is too large: at most %(limit)s allowed.")
            % {"limit": filesizeformat(limit)},
            code="file_too_large",
            field="file",
        )
    kind = sniff_kind(data[:16])
    accepted = accepted_kinds or list(CONTENT_TYPES)
    if kind is None or kind not in accepted:
        raise DomainError(
            _("This file is not an accepted kind. Accepted: %(kinds)s.")
            % {"kinds": ", ".join(KIND_LABELS[k] for k in accepted)},
            code="file_kind",
            field="file",
        )
    # Content checks (security/content.py) and the virus-scanning hook (security/scanning.py).

    if kind == "pdf":
        check_pdf(data)
    else:
        check_image(data, kind)
    scan_result = scan(data)
    return CheckedFile(
        scan_result=scan_result,
        data=data,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name=clean_display_name(getattr(upload, "name", ""), kind),
    )
