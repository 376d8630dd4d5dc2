"""The signer's BSrE page: the region's configuration and `user/check/status` for this signer."""

from django.shortcuts import render

from agencies.models import Role
from agencies.permissions import role_required
from agencies.selectors import agencies_of
from bsre.client import mask_identity
from bsre.providers import bsre_signer_for
from ptsp.errors import DomainError


@role_required(Role.SIGNER)
def signer_status(request):
    """Per region the signer signs for: whether it uses BSrE, the signer's masked identity at
    BSrE and what BSrE says of it (registered with a usable certificate, or why not)."""
    rows = []
    regions = {a.region_id: a.region for a in agencies_of(request.user, Role.SIGNER)}
    for region in regions.values():
        row = {"region": region, "bsre": False, "identity": "", "status": "", "error": ""}
        try:
            signer = bsre_signer_for(region, request.user)
        except DomainError as exc:
            row.update(bsre=True, error=exc.message)
            rows.append(row)
            continue
        if signer is None:
            rows.append(row)
            continue
        row.update(bsre=True, identity=mask_identity(signer.identity.value))
        try:
            status = signer.status()
        except DomainError as exc:
            row["error"] = exc.message
        else:
            row["status"] = status.status
            row["active"] = status.active
            if not status.active:
                try:
                    status.raise_unless_active()
                except DomainError as exc:
                    row["error"] = exc.message
        rows.append(row)
    return render(request, "bsre/status.html", {"rows": rows})
