"""Private file names: uploads are stored under random names, never the name the user gave.

Files live in Django's default storage (local disk or S3) with no public URL; they are read only
through views that check the viewer may see them.
"""

import secrets

from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateUploadTo:
    """`upload_to` that gives `<prefix>/<yyyy>/<mm>/<random>.<ext>`, ext from the sniffed kind."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = ""
        kind = getattr(instance, "content_type", "") or ""
        if kind:
            ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
                kind, ""
            )
        now = timezone.now()
        return f"{self.prefix}/{now:%Y/%m}/{secrets.token_hex(16)}{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and other.prefix == self.prefix
