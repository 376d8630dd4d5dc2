"""The one way a stored private file is answered, for the web pages and the API alike.

`file_response` answers a stored file (never public: no MEDIA_URL) with the headers every
download has; `document_response` answers an application's document and writes the access
record `docs/security.md` promises for every staff view or download
(`security.services.document_access_record`; the owner's own downloads are not recorded).
The permit and letter downloads (`permits.downloads`) are built on `file_response`.
"""

from django.http import FileResponse

from security.services import client_ip, document_access_record


def file_response(
    stored, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """`stored` (a FieldFile) as a download, or shown in the page with `inline` (same-origin
    frames only: the CSP middleware then sends `frame-ancestors 'self'`). Never sniffed, never
    kept by a cache."""
    response = FileResponse(
        stored.open("rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type,
    )
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_response(request, document, *, inline: bool = False) -> FileResponse:
    """A document's file for `request.user`, who may see its application (the caller checked
    that), with the access record of a staff view or download written first.

    `document.application` needs `applicant_id` and `region_id`. The kind was decided from the
    file's bytes at upload, so HTML can never be served here."""
    document_access_record(
        document=document, actor=request.user, inline=inline, ip_address=client_ip(request)
    )
    return file_response(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        inline=inline,
    )
