"""The link OSS fetches a permit's signed PDF from (`IZINFINAL.file_izin`): signed with the
site's secret, naming one permit, expiring after `OSS_FILE_LINK_DAYS`. Never a public media
path: the permit files are private (PrivateUploadTo), and the link is the only door OSS has."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "oss.permit-file"


def permit_file_link(permit_id: int) -> str:
    """An absolute URL (SITE_URL) OSS can fetch permit `permit_id`'s PDF from until it expires."""
    token = signing.dumps({"permit": permit_id}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("oss:permit_file", args=[token])


def permit_of_link(token: str) -> int | None:
    """The permit id a link's token names, or None (forged, altered or expired)."""
    max_age = settings.OSS_FILE_LINK_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    permit = data.get("permit") if isinstance(data, dict) else None
    return permit if isinstance(permit, int) else None
