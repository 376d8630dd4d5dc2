"""The operator's page of the OSS integration (docs/oss.md, "The operator's page"): what waits
for the region's DPMPTSP operators — checklist items without their application, requirement
files whose fetch failed — and the three actions on them. Thin: the rules are in
`oss.services.operator`; a refusal is a message banner and changes nothing."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import role_required
from oss.models import ChecklistIntake, RequirementFile
from oss.selectors import OPERATOR_ROLES, operator_regions, waiting_work_of
from oss.services.deliveries import can_operate
from oss.services.operator import (
    checklist_intake_process,
    permit_code_map,
    requirement_file_retry,
)
from ptsp.errors import DomainError


@role_required(*OPERATOR_ROLES)
def waiting(request):
    """Per region of the viewer: the items and files waiting for an operator."""
    regions = [waiting_work_of(region) for region in operator_regions(request.user)]
    return render(request, "oss/waiting.html", {"regions": regions})


@role_required(*OPERATOR_ROLES)
@require_POST
def map_code(request):
    """Map an unknown kd_izin to a permit type of the region and process its waiting items."""
    region_id = request.POST.get("region", "")
    if not region_id.isdigit() or not can_operate(request.user, int(region_id)):
        raise Http404
    try:
        made = permit_code_map(
            actor=request.user,
            region_id=int(region_id),
            kd_izin=request.POST.get("kd_izin", ""),
            permit_type_id=request.POST.get("permit_type", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Code %(code)s mapped to %(type)s: %(drafts)d of %(items)d waiting items have their draft."
            )
            % {
                "code": made.mapping.kd_izin,
                "type": made.mapping.permit_type.name,
                "drafts": made.drafts,
                "items": made.items,
            },
        )
    return redirect("oss:waiting")


@role_required(*OPERATOR_ROLES)
@require_POST
def process_item(request, pk: int):
    """Process one waiting checklist item again."""
    intake = get_object_or_404(ChecklistIntake.objects.select_related("item"), pk=pk)
    if not can_operate(request.user, intake.item.region_id):
        raise Http404
    try:
        intake = checklist_intake_process(actor=request.user, intake_id=intake.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if intake.state == ChecklistIntake.State.DRAFTED:
            messages.success(request, _("The item has its draft now."))
        else:
            messages.warning(
                request,
                _("The item still waits: %(state)s (%(reason)s).")
                % {"state": intake.get_state_display(), "reason": intake.reason},
            )
    return redirect("oss:waiting")


@role_required(*OPERATOR_ROLES)
@require_POST
def retry_file(request, pk: int):
    """Try a failed requirement file's fetch again now (in the background)."""
    row = get_object_or_404(RequirementFile.objects.select_related("item"), pk=pk)
    if not can_operate(request.user, row.item.region_id):
        raise Http404
    try:
        requirement_file_retry(actor=request.user, file_id=row.pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file will be fetched again in a moment."))
    return redirect("oss:waiting")
