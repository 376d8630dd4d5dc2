"""Reads of the security app."""

from django.db.models import QuerySet

from agencies.models import Role
from agencies.selectors import agencies_of
from security.models import DocumentAccess


def document_accesses_visible_to(user) -> QuerySet[DocumentAccess]:
    """The access log of the regions where `user` is a monitor, newest first."""
    regions = {a.region_id for a in agencies_of(user, Role.MONITOR)}
    return (
        DocumentAccess.objects.filter(region_id__in=regions)
        .select_related("user", "application", "document")
        .order_by("-at", "-pk")
    )
