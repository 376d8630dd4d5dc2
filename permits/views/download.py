"""The applicant's download of their signed permit and rejection letter (owner only)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from permits.models import Permit, RejectionLetter


@login_required
def permit_download(request, pk: int):
    permit = get_object_or_404(
        Permit.objects.filter(application__applicant=request.user).exclude(file=""), pk=pk
    )
    if permit.status == Permit.Status.ISSUING:
        raise Http404
    filename = "izin-" + permit.number.replace("/", "-") + ".pdf"
    return FileResponse(
        permit.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@login_required
def rejection_letter_download(request, pk: int):
    letter = get_object_or_404(
        RejectionLetter.objects.filter(application__applicant=request.user).exclude(file=""),
        pk=pk,
    )
    return FileResponse(
        letter.file.open("rb"),
        as_attachment=True,
        filename="surat-penolakan-" + letter.number.replace("/", "-") + ".pdf",
        content_type="application/pdf",
    )


@login_required
def my_permits(request):
    """The applicant's issued permits (and rejection letters), with their downloads."""
    permits = (
        Permit.objects.filter(application__applicant=request.user)
        .exclude(status=Permit.Status.ISSUING)
        .select_related("permit_type", "application")
        .order_by("-issued_at")
    )
    letters = (
        RejectionLetter.objects.filter(application__applicant=request.user)
        .exclude(file="")
        .select_related("application__permit_type")
        .order_by("-issued_at")
    )
    return render(request, "permits/my_permits.html", {"permits": permits, "letters": letters})
