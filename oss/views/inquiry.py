"""The draft page's OSS panel actions (docs/oss.md, "inqueryNIB for a draft"): look the
business up by NPWP, and ask again an inquiry OSS did not answer. Both only record and
enqueue (`oss.services.inquiry`); the answer shows on the draft page on reload."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oss.services.inquiry import nib_inquiry_retry, npwp_inquiry_request
from ptsp.errors import DomainError, NotAllowed


def _back(pk: int):
    return redirect("applications:edit", pk)


@login_required
@require_POST
def inquiry_npwp(request, pk: int):
    """Ask OSS by NPWP for the applicant's own draft."""
    try:
        npwp_inquiry_request(
            actor=request.user, application_id=pk, npwp=request.POST.get("npwp", "")
        )
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We are asking OSS; reload the page in a moment."))
    return _back(pk)


@login_required
@require_POST
def inquiry_retry(request, pk: int):
    """Ask OSS again when it did not answer."""
    try:
        nib_inquiry_retry(actor=request.user, application_id=pk)
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We are asking OSS again; reload the page in a moment."))
    return _back(pk)
