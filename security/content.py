"""Content checks of uploaded files beyond their kind, failing closed: a file that cannot be
read to the end is refused, never counted as clean (docs/security.md, "Uploads").

PDFs: the whole file must parse (pypdf, every object of the cross-reference table, those inside
compressed object streams included) and end with `%%EOF`; active content (JavaScript,
automatic actions, launch actions, embedded files) is looked for in three ways: the raw bytes,
the decompressed bytes of every stream (object streams hide names from a raw scan), and the
parsed objects. Images: the header's size is checked first (decompression bombs), then the
image is decoded to its last pixel (Pillow) and nothing may follow its end marker. Every kind:
the bytes after the header must not be another format (HTML, script: a polyglot).

Every refusal raises DomainError with a message for the applicant and a stable code.
"""

import io
import logging
import re
import struct
import warnings
import zlib

from django.utils.translation import gettext_lazy as _
from PIL import Image

from ptsp.errors import DomainError

log = logging.getLogger(__name__)

# PDF names that run code or carry other files. `/OpenAction` alone is a harmless "open at page"
# in most files; it is refused only when it points at JavaScript (then /JS or /JavaScript appears
# too, which the list catches).
ACTIVE_PDF_NAMES = ("JavaScript", "JS", "AA", "Launch", "EmbeddedFile", "EmbeddedFiles")
_NAME = re.compile(rb"/(JavaScript|JS|AA|Launch|EmbeddedFiles?)(?=[\s/<>\[\]()%{}]|$)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Markup or script after a file's header: the file is (also) another format.
_FOREIGN = re.compile(
    rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>]|iframe[\s>]|svg[\s>]"
    rb"|object[\s>]|embed[\s>]|meta[\s>]|\?php)",
    re.IGNORECASE,
)
MAX_PDF_OBJECTS = 100_000
# How much decompressed stream data the scan reads at most (a zip bomb in a stream is refused).
MAX_INFLATED_BYTES = 64 * 1024 * 1024


def _refuse_damaged(kind: str):
    if kind == "pdf":
        message = _(
            "This PDF is damaged or incomplete and cannot be read to the end. Save or print it "
            "again as a new PDF and upload that."
        )
    else:
        message = _(
            "This image is damaged or is not a real %(kind)s file. Save it again as %(kind)s "
            "(or take a new photo or scan) and upload that."
        ) % {"kind": kind.upper()}
    raise DomainError(message, code="file_damaged", field="file")


def _refuse_foreign() -> None:
    raise DomainError(
        _(
            "This file holds web page or script code after its header: it is not a plain "
            "document or image and was not accepted."
        ),
        code="file_foreign_content",
        field="file",
    )


def _unescape_names(data: bytes) -> bytes:
    """`/J#61vaScript` is `/JavaScript`: undo the #xx escapes that hide names from a scan."""
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def pdf_active_names_raw(data: bytes) -> set[str]:
    """Active names found in the raw bytes (uncompressed objects only)."""
    return {m.group(1).decode() for m in _NAME.finditer(_unescape_names(data))}


def pdf_inflated_streams(data: bytes) -> list[bytes]:
    """The decompressed bytes of every Flate stream found in the raw file (object streams
    included), whatever the parser thinks of the file; streams that do not inflate are skipped
    (they may be images in another filter). Raises DomainError past MAX_INFLATED_BYTES."""
    inflated: list[bytes] = []
    total = 0
    for match in _STREAM.finditer(data):
        body = match.group(1)
        decompressor = zlib.decompressobj()
        try:
            chunk = decompressor.decompress(body, MAX_INFLATED_BYTES - total + 1)
        except zlib.error:
            continue
        total += len(chunk)
        if total > MAX_INFLATED_BYTES:
            _refuse_damaged("pdf")
        inflated.append(chunk)
    return inflated


def pdf_active_names_parsed(data: bytes) -> set[str]:
    """Active names found in every object of the file, read through its cross-reference table
    (pypdf also opens compressed object streams). Raises DomainError ("damaged") when the file
    or any of its objects cannot be read: what was found so far is never the answer."""
    # Here, not at the top: pypdf is heavy and only a PDF upload needs it.
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            roots = [reader.trailer]
            # Every object the cross-reference table names, reachable or not.
            for generation, numbers in reader.xref.items():
                roots.extend(IndirectObject(n, generation, reader) for n in numbers)
            for number in getattr(reader, "xref_objStm", {}):
                roots.append(IndirectObject(number, 0, reader))
            seen: set[tuple[int, int]] = set()
            stack = list(roots)
            count = 0
            while stack:
                count += 1
                if count > MAX_PDF_OBJECTS:
                    _refuse_damaged("pdf")
                item = stack.pop()
                if isinstance(item, IndirectObject):
                    key = (item.idnum, item.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    item = item.get_object()
                    if item is None:
                        raise ValueError(f"object {key} cannot be read")
                if isinstance(item, DictionaryObject):
                    for name, value in item.items():
                        bare = str(name).lstrip("/")
                        if bare in ACTIVE_PDF_NAMES:
                            found.add(bare)
                        if bare == "S" and str(value) in ("/JavaScript", "/Launch"):
                            found.add(str(value).lstrip("/"))
                        stack.append(value)
                elif isinstance(item, ArrayObject):
                    stack.extend(item)
            if not reader.trailer.get("/Root"):
                raise ValueError("no document catalog")
    except DomainError:
        raise
    except Exception:
        log.info("pdf refused: it cannot be parsed to the end", exc_info=True)
        _refuse_damaged("pdf")
    return found


def _outside_streams(data: bytes) -> bytes:
    return _STREAM.sub(b"stream endstream", data)


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is damaged, truncated, a polyglot, or carries active content."""
    if b"%%EOF" not in data[-1024:]:
        _refuse_damaged("pdf")  # truncated: a PDF ends with %%EOF
    if _FOREIGN.search(_outside_streams(data)):
        _refuse_foreign()
    found = pdf_active_names_raw(data)
    for stream in pdf_inflated_streams(data):
        found |= pdf_active_names_raw(stream)
    if not found:  # what the bytes show is refused first; then the file must parse
        found = pdf_active_names_parsed(data)
    if found & {"EmbeddedFile", "EmbeddedFiles", "Launch"}:
        raise DomainError(
            _(
                "This PDF carries embedded files or launch actions, which are not accepted. "
                "Print it to a new PDF and upload that."
            ),
            code="file_active_content",
            field="file",
        )
    if found:
        raise DomainError(
            _(
                "This PDF contains scripts or automatic actions, which are not accepted. "
                "Print it to a new PDF and upload that."
            ),
            code="file_active_content",
            field="file",
        )


def image_size_from_header(data: bytes) -> tuple[int, int] | None:
    """Width and height as a PNG's IHDR or a JPEG's frame header declares them, read without
    Pillow (which refuses to open a large enough bomb at all, so it cannot tell its size)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 <= len(data):
            if data[at] != 0xFF:
                return None
            marker = data[at + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                at += 2
                continue
            length = struct.unpack(">H", data[at + 2 : at + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return width, height
            at += 2 + length
    return None


def _image_end(data: bytes, kind: str) -> int | None:
    """Where the image's data ends (after PNG's IEND chunk or JPEG's last EOI marker)."""
    if kind == "png":
        at = data.find(b"IEND")
        return at + 8 if at >= 0 else None
    at = data.rfind(b"\xff\xd9")
    return at + 2 if at >= 0 else None


def check_image(data: bytes, kind: str = "") -> None:
    """Refuse a decompression bomb before decoding (the size its header declares, above
    Pillow's MAX_IMAGE_PIXELS), then decode the image completely: a file Pillow cannot decode
    to its last pixel, of another format than its header says, with anything after its end
    marker, or with markup or script inside is refused."""
    kind = kind or ("png" if data.startswith(b"\x89PNG") else "jpeg")
    limit = Image.MAX_IMAGE_PIXELS or 89_478_485
    declared = image_size_from_header(data)
    if declared and declared[0] * declared[1] > limit:
        _refuse_too_large(*declared)
    if _FOREIGN.search(data):
        _refuse_foreign()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                expected = {"png": "PNG", "jpeg": "JPEG"}.get(kind)
                if expected and image.format != expected:
                    raise ValueError(f"{image.format} behind a {expected} header")
                width, height = image.size
                if width * height > limit:
                    _refuse_too_large(width, height)
                image.load()  # decode every pixel
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse_too_large(*(declared or (0, 0)))
    except Exception:
        log.info("image refused: it cannot be decoded", exc_info=True)
        _refuse_damaged(kind)
    end = _image_end(data, kind)
    if end is None or data[end:].strip(b"\x00\r\n\t "):
        _refuse_damaged(kind)  # something else follows the image


def _refuse_too_large(width: int, height: int):
    raise DomainError(
        _(
            "This image is too large in pixels (%(width)s × %(height)s). Scan it at a lower "
            "resolution."
        )
        % {"width": width, "height": height},
        code="file_image_too_large",
        field="file",
    )
