"""The SKRD's download, for the bill page and the API alike (on
`applications.downloads.file_response`, the one file answer). Only the owner downloads it
(`fees.selectors.bill_of_applicant`); as for the permit, the owner's own downloads are not
access-recorded (docs/security.md: the record is of staff reading an applicant's files)."""

from django.http import FileResponse, Http404

from applications.downloads import file_response
from fees.models import Bill


def bill_response(bill: Bill | None) -> FileResponse:
    """The signed PDF of `bill`, named after its application (`SKRD-…pdf`); 404 while it is
    being prepared (or could not be signed)."""
    if bill is None or not bill.pdf:
        raise Http404
    return file_response(
        bill.pdf,
        filename=f"SKRD-{bill.application.tracking_number}.pdf",
        content_type="application/pdf",
    )
