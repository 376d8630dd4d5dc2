"""The applicant's pages: start a draft, fill it, upload, submit, follow, withdraw."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import selectors
from applications.business import BUSINESS_FIELDS, BUSINESS_SCHEMA
from applications.downloads import document_response
from applications.models import FINAL_STATUSES, Document, ReviewStatus, Status
from applications.panels import applicant_panels, draft_panels
from applications.selectors import open_corrections
from applications.services import filing, intake, revisions
from applications.sla.clock import stage_clock_context, stage_clock_html
from applications.timeline import holder_of, progress_html
from applications.workflow import allowed_actions
from catalog.fields import display_value, kind_of, posted_value
from catalog.selectors import catalog_permit_types, catalog_regions, permit_name_columns
from ptsp.errors import DomainError, NotAllowed
from ptsp.i18n import pick, pick_of


def _own(request, pk: int, *prefetch):
    """The applicant's own application, or 404 (the same for missing and for someone else's).
    Its page shows times in the application's region's zone (issue 21 item 2)."""
    application = get_object_or_404(
        selectors.applications_visible_to(request.user)
        .filter(applicant=request.user)
        .select_related("permit_type", "region", "catalog_version", "applicant")
        .prefetch_related(*prefetch),
        pk=pk,
    )
    timezone.activate(ZoneInfo(application.region.timezone))
    return application


def _own_pk(request, pk: int) -> int:
    """`pk` when it is the applicant's own application, else 404 (as `_own`): for the actions
    that hand the id to a service, which locks and reads the file itself. One narrow query (the
    region's time zone, which the messages' times are written in, as `_own` sets it), not the
    file with its catalog version (issue 20)."""
    zone = (
        selectors.applications_visible_to(request.user)
        .filter(applicant=request.user, pk=pk)
        .values_list("region__timezone", flat=True)
        .first()
    )
    if zone is None:
        raise Http404
    timezone.activate(ZoneInfo(zone))
    return pk


@login_required
def my_applications(request):
    return render(
        request,
        "applications/my_applications.html",
        {"applications": selectors.applicant_file_rows(request.user)},
    )


@login_required
def new_application(request):
    """Pick a region, then one of its permit types; POST starts the draft."""
    if request.method == "POST":
        try:
            permit_type_id = int(request.POST.get("permit_type") or 0)
        except ValueError:
            permit_type_id = 0
        try:
            application = filing.application_create_draft(
                permit_type_id=permit_type_id, actor=request.user, reuse_open=True
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("applications:new")
        return redirect("applications:edit", pk=application.pk)
    regions = list(catalog_regions())
    region = next((r for r in regions if r.code == request.GET.get("region")), None)
    permit_types = catalog_permit_types(region=region) if region else []
    return render(
        request,
        "applications/new.html",
        {"regions": regions, "region": region, "permit_types": permit_types},
    )


def _business_rows(application, values=None, errors=None) -> list[dict]:
    values = values or {}
    errors = errors or {}
    requires_nib = bool(application.catalog_version.snapshot.get("requires_nib"))
    rows = []
    for field in BUSINESS_SCHEMA:
        value = values.get(field.name, getattr(application, field.name))
        rows.append(
            {
                "name": field.name,
                "label": field.form_label,
                "type": "text",
                "required": field.is_required(requires_nib=requires_nib),
                "pattern": field.pattern,
                "value": "" if value is None else value,
                "error": errors.get(field.name, ""),
            }
        )
    return rows


def _field_rows(application, values=None, errors=None) -> list[dict]:
    values = values or {}
    errors = errors or {}
    rows = []
    for field in application.catalog_version.snapshot.get("fields", []):
        key = field["key"]
        value = values.get(key, application.form_data.get(key, ""))
        kind = kind_of(field)
        rows.append(
            {
                **field,
                "name": key,
                "label": pick_of(field, "label"),
                "value": value,
                "display": display_value(field, value) if key not in errors else value,
                "widget": kind.widget if kind else "text",
                "inputmode": kind.inputmode if kind else "",
                "error": errors.get(key, ""),
            }
        )
    return rows


# What the browser checks before an upload starts (the server checks the content again).
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg,.jpeg", "png": ".png"}


def _requirement_rows(application) -> list[dict]:
    current = {
        d.requirement_code: d for d in application.documents.filter(is_current=True).order_by()
    }
    accept = {
        "pdf": "application/pdf,.pdf",
        "jpeg": "image/jpeg,.jpg,.jpeg",
        "png": "image/png,.png",
    }
    rows = []
    for requirement in application.catalog_version.snapshot.get("requirements", []):
        kinds = requirement.get("accepted_kinds") or ["pdf", "jpeg", "png"]
        rows.append(
            {
                **requirement,
                "name": pick_of(requirement, "name"),
                "document": current.get(requirement["code"]),
                "accept": ",".join(accept[k] for k in kinds if k in accept),
                "kinds": ", ".join(k.upper() for k in kinds),
                "max_size": filesizeformat(requirement["max_size_kb"] * 1024),
                "max_bytes": requirement["max_size_kb"] * 1024,
                "extensions": ",".join(EXTENSIONS[k] for k in kinds if k in EXTENSIONS),
            }
        )
    return rows


@login_required
def edit_draft(request, pk: int):
    application = _own(request, pk)
    if not application.is_editable:
        if request.method == "POST":
            messages.error(
                request, _("This application has been submitted and can no longer be changed.")
            )
        return redirect("applications:detail", pk=pk)
    values, errors = {}, {}
    if request.method == "POST":
        names = BUSINESS_FIELDS + [
            f["key"] for f in application.catalog_version.snapshot.get("fields", [])
        ]
        values = {name: request.POST.get(name, "") for name in names}
        for field in application.catalog_version.snapshot.get("fields", []):
            values[field["key"]] = posted_value(field, request.POST)  # an unticked box: "no"
        try:
            filing.application_update_draft(application_id=pk, actor=request.user, data=values)
        except DomainError as error:
            errors = error.details if error.code == "invalid_fields" else {}
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your draft has been saved."))
            return redirect("applications:edit", pk=pk)
    return render(
        request,
        "applications/edit.html",
        {
            "application": application,
            "has_errors": bool(errors),
            "business_rows": _business_rows(application, values, errors),
            "field_rows": _field_rows(application, values, errors),
            "requirement_rows": _requirement_rows(application),
            "draft_panels": draft_panels(application),
        },
        status=400 if errors else 200,
    )


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
@require_POST
def upload_document(request, pk: int, code: str):
    application_id = _own_pk(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(_("Choose a file first."), code="file_missing")
        document = filing.document_upload(
            application_id=application_id, requirement_code=code, upload=upload, actor=request.user
        )
    except DomainError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": str(error.message)}, status=400)
        messages.error(request, error.message)
    else:
        if _wants_json(request):
            return JsonResponse({"ok": True, "name": document.original_name, "size": document.size})
        messages.success(request, _("File uploaded: %(name)s") % {"name": document.original_name})
    return redirect("applications:edit", pk=pk)


@login_required
@require_POST
def remove_document(request, pk: int, code: str):
    application_id = _own_pk(request, pk)
    try:
        filing.document_remove(
            application_id=application_id, requirement_code=code, actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The file was removed."))
    return redirect("applications:edit", pk=pk)


@login_required
@require_POST
def submit(request, pk: int):
    application_id = _own_pk(request, pk)
    try:
        application = filing.application_submit(application_id=application_id, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        if error.code == "incomplete":
            return redirect("applications:edit", pk=pk)
        return redirect("applications:detail", pk=pk)
    messages.success(
        request,
        _("Your application has been submitted. Tracking number: %(number)s")
        % {"number": application.tracking_number},
    )
    return redirect("applications:detail", pk=pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    application_id = _own_pk(request, pk)
    try:
        filing.application_withdraw(
            application_id=application_id, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("applications:detail", pk=pk)


@login_required
@require_POST
def delete_draft(request, pk: int):
    """Delete one of the applicant's drafts (issue 21 item 7)."""
    application_id = _own_pk(request, pk)
    try:
        filing.application_delete_draft(application_id=application_id, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("applications:detail", pk=pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("applications:my_applications")


@login_required
@require_POST
def renew(request, permit_pk: int):
    """Start the renewal of one of my permits: a prefilled draft of the same permit type."""
    try:
        draft = filing.application_renew(permit_id=permit_pk, actor=request.user)
    except NotAllowed as error:
        raise Http404 from error  # someone else's permit: the same answer as a missing one
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("permits:my_permits")
    messages.success(
        request, _("Renewal started: check the prefilled data and upload current documents.")
    )
    return redirect("applications:edit", pk=draft.pk)


@login_required
@require_POST
def resubmit(request, pk: int):
    """Send a returned file back to the front office after replacing the rejected documents."""
    application_id = _own_pk(request, pk)
    try:
        intake.application_resubmit(application_id=application_id, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application has been sent back to the front office."))
    return redirect("applications:detail", pk=pk)


@login_required
@require_POST
def replace_document(request, pk: int, code: str):
    """Replace a document the front office rejected or an OPD asked to change."""
    application_id = _own_pk(request, pk)
    try:
        revisions.document_replace(
            application_id=application_id,
            requirement_code=code,
            upload=request.FILES.get("file"),
            actor=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Replacement uploaded."))
    return redirect("applications:detail", pk=pk)


def _related_or_none(application, name: str):
    """The one-to-one row `name` of the application (its permit, its rejection letter), or None."""
    try:
        return getattr(application, name)
    except ObjectDoesNotExist:
        return None


@login_required
def detail(request, pk: int):
    """The applicant's page of a filed application. It reads the rows it shows (`.values()`):
    the file, then its events and reviews (for the clocks, the route's stages, the timeline and
    the agencies' list) and its current documents in one query (`selectors.file_rows`)."""
    # The file with its region and catalog version (the clocks' calendar and budgets) and its
    # permit type's two names: the applicant is the person asking, the type's row is not read.
    application = get_object_or_404(
        selectors.applications_visible_to(request.user)
        .filter(applicant=request.user)
        .select_related("region", "catalog_version")
        .annotate(**permit_name_columns()),
        pk=pk,
    )
    application.applicant = request.user
    timezone.activate(ZoneInfo(application.region.timezone))
    events, reviews = selectors.file_rows(application)
    documents = selectors.document_rows(application)
    names = {
        r["code"]: pick_of(r, "name")
        for r in application.catalog_version.snapshot.get("requirements", [])
    }
    replaceable = revisions.replaceable_requirements(
        application, documents=documents, reviews=reviews
    )
    for document in documents:
        code = document["requirement_code"]
        document["requirement_name"] = names.get(code, code)
        document["replaceable"] = code in replaceable
        document["size_text"] = filesizeformat(document["size"])
    status_labels = dict(ReviewStatus.choices)
    shown_reviews = sorted(reviews, key=lambda r: (r["agency_name"], r["id"]))
    for review in shown_reviews:
        review["status_label"] = status_labels.get(review["status"], review["status"])
    # A permit row exists from "sign and issue" on (it stays when an issuance failed and the
    # file went back to `recommended`); a rejection letter only for a rejected file.
    # Read through the application's own relations: the case does not import `permits`.
    permit = (
        _related_or_none(application, "permit")
        if application.status in (Status.RECOMMENDED, Status.ISSUING, Status.ISSUED)
        else None
    )
    rejection_letter = (
        _related_or_none(application, "rejection_letter")
        if application.status == Status.REJECTED
        else None
    )
    if rejection_letter is not None and not rejection_letter.file:
        rejection_letter = None
    clock = stage_clock_context(application, events=events, reviews=reviews)
    return render(
        request,
        "applications/detail.html",
        {
            # A finished file has no holder and no deadline: the permit comes first instead.
            "is_closed": application.status in FINAL_STATUSES,
            "corrections": open_corrections(application),
            "stage_clock": stage_clock_html(application.pk, clock),
            "reviews": shown_reviews,
            "permit": permit,
            "rejection_letter": rejection_letter,
            "applicant_panels": applicant_panels(application),
            "can_resubmit": application.status == Status.RETURNED,
            "application": application,
            "progress": progress_html(application, events, reviews),
            "holder": holder_of(application, reviews),
            "documents": documents,
            "field_rows": _field_rows(application),
            "can_withdraw": "withdraw" in allowed_actions(application, request.user),
            "is_draft": application.status == Status.DRAFT,
            "tz_abbreviation": application.region.timezone_abbreviation,
            "permit_name": pick(application.permit_name_id, application.permit_name_en),
        },
    )


@login_required
def download_document(request, pk: int):
    """A document's file, for whoever may see its application (404 for everybody else)."""
    document = (
        Document.objects.filter(
            pk=pk, application__in=selectors.applications_visible_to(request.user)
        )
        .select_related("application")
        .only(
            "file",
            "original_name",
            "content_type",
            "application__applicant_id",
            "application__region_id",
        )
        .first()
    )
    if document is None:
        raise Http404
    # `?inline=1` shows a PDF or image inside the staff check page (same origin frames only).
    # Every staff view or download is recorded (security.models.DocumentAccess, append-only).
    return document_response(request, document, inline=request.GET.get("inline") == "1")
