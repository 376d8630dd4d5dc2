"""The applicant's download of their signed permit and rejection letter (owner only)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from permits.downloads import (
    downloadable_letters,
    downloadable_permits,
    letter_response,
    permit_response,
)
from permits.models import Permit, RejectionLetter


@login_required
def permit_download(request, pk: int):
    return permit_response(get_object_or_404(downloadable_permits(request.user), pk=pk))


@login_required
def rejection_letter_download(request, pk: int):
    return letter_response(get_object_or_404(downloadable_letters(request.user), pk=pk))


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
