"""The signed permit's and the rejection letter's downloads, for the web pages and the API
alike (on `applications.downloads.file_response`, the one file answer)."""

from django.db.models import QuerySet

from applications.downloads import file_response
from permits.models import Permit, RejectionLetter


def downloadable_permits(user) -> QuerySet[Permit]:
    """The permits `user` may download: those of their own applications with a file, once
    issued (not while issuing)."""
    return (
        Permit.objects.filter(application__applicant=user)
        .exclude(file="")
        .exclude(status=Permit.Status.ISSUING)
    )


def downloadable_letters(user) -> QuerySet[RejectionLetter]:
    """The rejection letters of `user`'s own applications that have a file."""
    return RejectionLetter.objects.filter(application__applicant=user).exclude(file="")


def permit_response(permit: Permit):
    """The signed PDF of `permit`, named after its number (`izin-…pdf`)."""
    return file_response(
        permit.file,
        filename="izin-" + permit.number.replace("/", "-") + ".pdf",
        content_type="application/pdf",
    )


def letter_response(letter: RejectionLetter):
    """The rejection letter's PDF, named after its number (`surat-penolakan-…pdf`)."""
    return file_response(
        letter.file,
        filename="surat-penolakan-" + letter.number.replace("/", "-") + ".pdf",
        content_type="application/pdf",
    )
