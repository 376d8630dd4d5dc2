from django.shortcuts import render

from agencies.models import Role
from agencies.permissions import role_required
from agencies.selectors import agencies_of
from applications.models import Application, Status


@role_required(Role.SIGNER)
def signing_queue(request):
    regions = [a.region_id for a in agencies_of(request.user, Role.SIGNER)]
    applications = (
        Application.objects.filter(region_id__in=regions, status=Status.RECOMMENDED)
        .select_related("permit_type", "applicant")
        .order_by("updated_at")
    )
    return render(request, "permits/signing_queue.html", {"applications": applications})
