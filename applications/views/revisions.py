from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Review
from applications.selectors import open_correction
from applications.services.revisions import document_replace, revision_answer
from applications.views.applicant import EXTENSIONS
from ptsp.web import run_service


@login_required
@require_http_methods(["GET", "POST"])
def revision(request, pk: int, review_pk: int):
    """The applicant's page for one OPD's revision request: what was asked, replace the named
    documents, answer with a note."""
    review = get_object_or_404(
        Review.objects.select_related(
            "agency", "application__catalog_version", "application__region"
        ),
        pk=review_pk,
        application_id=pk,
        application__applicant=request.user,
    )
    timezone.activate(ZoneInfo(review.application.region.timezone))
    if request.method == "POST":
        return run_service(
            request,
            lambda: revision_answer(
                review_id=review.pk, actor=request.user, note=request.POST.get("note", "")
            ),
            success=_("Your answer has been sent to %(agency)s.") % {"agency": review.agency.name},
            redirect_to=reverse("applications:detail", args=[pk]),
        )
    application = review.application
    requirements = {
        r["code"]: r for r in application.catalog_version.snapshot.get("requirements", [])
    }
    current = {d.requirement_code: d for d in application.documents.filter(is_current=True)}
    items = []
    for item in review.revision_items:
        entry = dict(item)
        if item["kind"] == "document":
            entry["requirement"] = requirement = requirements.get(item["key"], {})
            entry["document"] = current.get(item["key"])
            kinds = requirement.get("accepted_kinds") or ["pdf", "jpeg", "png"]
            max_kb = requirement.get("max_size_kb") or 10240
            entry["kinds"] = ", ".join(k.upper() for k in kinds)
            entry["max_size"] = filesizeformat(max_kb * 1024)
            entry["max_bytes"] = max_kb * 1024
            entry["extensions"] = ",".join(EXTENSIONS[k] for k in kinds if k in EXTENSIONS)
            entry["accept"] = entry["extensions"]
        items.append(entry)
    return render(
        request,
        "applications/revision.html",
        {
            "review": review,
            "application": application,
            "items": items,
            "corrections": [p for p in [open_correction(application, review)] if p],
        },
    )


@login_required
@require_POST
def revision_upload(request, pk: int, review_pk: int):
    """Upload the replacement of one document the OPD asked to change."""
    review = get_object_or_404(
        Review, pk=review_pk, application_id=pk, application__applicant=request.user
    )
    back = reverse("applications:revision", args=[pk, review.pk])
    return run_service(
        request,
        lambda: document_replace(
            application_id=pk,
            requirement_code=request.POST.get("requirement", ""),
            upload=request.FILES.get("file"),
            actor=request.user,
        ),
        success=_("Replacement uploaded."),
        redirect_to=back,
        error_redirect=back,
    )
