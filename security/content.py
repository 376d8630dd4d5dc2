"""Content checks of uploaded files beyond their kind: active content in PDFs and decompression
bombs in images. Both raise DomainError with a message for the applicant."""

import io
import logging
import re
import warnings

from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from ptsp.errors import DomainError

log = logging.getLogger(__name__)

# PDF names that run code or carry other files. `/OpenAction` alone is a harmless "open at page"
# in most files; it is refused only when it points at JavaScript (then /JS or /JavaScript appears
# too, which the list catches).
ACTIVE_PDF_NAMES = ("JavaScript", "JS", "AA", "Launch", "EmbeddedFile", "EmbeddedFiles")
_NAME = re.compile(rb"/(JavaScript|JS|AA|Launch|EmbeddedFiles?)(?=[\s/<>\[\]()%{}]|$)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_PDF_OBJECTS = 100_000


def _unescape_names(data: bytes) -> bytes:
    """`/J#61vaScript` is `/JavaScript`: undo the #xx escapes that hide names from a scan."""
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def pdf_active_names_raw(data: bytes) -> set[str]:
    """Active names found in the raw bytes (uncompressed objects only)."""
    return {m.group(1).decode() for m in _NAME.finditer(_unescape_names(data))}


def pdf_active_names_parsed(data: bytes) -> set[str] | None:
    """Active names found by walking every object pypdf can reach (this also sees inside
    compressed object streams). None when pypdf cannot read the file."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        root = reader.trailer
    except Exception:
        return None
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [root]
    count = 0
    try:
        while stack and count < MAX_PDF_OBJECTS:
            item = stack.pop()
            count += 1
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
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
    except Exception:
        log.info("pdf walk stopped early", exc_info=True)
    return found


def check_pdf(data: bytes) -> None:
    found = pdf_active_names_raw(data) | (pdf_active_names_parsed(data) or set())
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


def check_image(data: bytes) -> None:
    """Refuse images whose declared size is above Pillow's MAX_IMAGE_PIXELS. Only the header is
    read (Image.open is lazy), so a bomb is never decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            width, height = 1 << 20, 1 << 20
        else:
            return
    limit = Image.MAX_IMAGE_PIXELS or 89_478_485
    if width * height > limit:
        raise DomainError(
            _(
                "This image is too large in pixels (%(width)s × %(height)s). Scan it at a lower "
                "resolution."
            )
            % {"width": width, "height": height},
            code="file_image_too_large",
            field="file",
        )
