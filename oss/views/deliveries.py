"""The OSS integration's pages: the monitor's integration page, one file's deliveries, "send
again", and the signed link OSS fetches a permit's PDF from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.permissions import role_required
from applications.models import Application
from oss.links import permit_of_link
from oss.models import OssDelivery
from oss.selectors import OPERATOR_ROLES, deliveries_of, integration_of, operator_regions
from oss.services.deliveries import can_operate, delivery_resend
from permits.models import Permit
from ptsp.errors import DomainError


@role_required(*OPERATOR_ROLES)
def integration(request):
    """Per region of the viewer: deliveries waiting and refused, the last success, whether OSS
    answered the last call, checklist items waiting for an operator, reconciliation findings."""
    regions = [integration_of(region) for region in operator_regions(request.user)]
    return render(request, "oss/integration.html", {"regions": regions})


@login_required
def application_deliveries(request, pk: int):
    """One file's OSS deliveries (code, time, answer), for the region's DPMPTSP staff."""
    application = get_object_or_404(Application.objects.select_related("region"), pk=pk)
    if not can_operate(request.user, application.region_id):
        raise Http404
    return render(
        request,
        "oss/application.html",
        {"application": application, "oss_deliveries": deliveries_of(application.pk)},
    )


@login_required
@require_POST
def resend(request, pk: int):
    """ "Send again": a refused or retrying delivery goes back to the queue, now."""
    delivery = get_object_or_404(OssDelivery, pk=pk)
    if not can_operate(request.user, delivery.region_id):
        raise Http404
    try:
        delivery_resend(delivery_id=delivery.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The delivery will be sent again in a moment."))
    back = request.POST.get("next", "")
    if back == "application":
        return redirect("oss:application", delivery.application_id)
    return redirect("oss:integration")


@require_GET
def permit_file(request, token: str):
    """The permit's signed PDF for OSS (`IZINFINAL.file_izin`): only through a signed link that
    names the permit and has not expired; anything else is 404, like a missing file."""
    permit_id = permit_of_link(token)
    if permit_id is None:
        raise Http404
    permit = Permit.objects.filter(pk=permit_id, status=Permit.Status.VALID).first()
    if permit is None or not permit.file:
        raise Http404
    response = FileResponse(permit.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="izin-{permit.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
