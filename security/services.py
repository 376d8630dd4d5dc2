"""Writes of the security app."""

from security.models import DocumentAccess


def client_ip(request) -> str | None:
    """The client's address as our nearest proxy saw it: REMOTE_ADDR, set from X-Forwarded-For
    by `ptsp.middleware.ClientAddressMiddleware` (TRUSTED_PROXY_COUNT)."""
    return request.META.get("REMOTE_ADDR") or None


def document_access_record(*, document, actor, inline: bool, ip_address: str | None = None):
    """Record that `actor` (someone other than the applicant) opened `document`.

    Called by the download view for every staff view or download; the owner's own downloads are
    not recorded. Changes: one append-only DocumentAccess row. Sends nothing, raises nothing.
    """
    application = document.application
    if actor.pk == application.applicant_id:
        return None
    return DocumentAccess.objects.create(
        document_id=document.pk,
        application_id=application.pk,
        region_id=application.region_id,
        user=actor,
        action=DocumentAccess.Action.VIEW if inline else DocumentAccess.Action.DOWNLOAD,
        ip_address=ip_address,
    )
