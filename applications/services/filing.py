"""The applicant's side of the journey: drafts, documents, submission, withdrawal.

Every function takes the acting applicant, locks the application row, refuses anything but the
owner (NotAllowed) and anything after submission (Conflict), and changes status only through
`applications.workflow`.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Sum
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.business import BUSINESS_FIELDS, business_missing, clean_business_data
from applications.models import Application, Document, Status, TrackingCounter
from applications.services.notifications import notify
from applications.signals import draft_nib_entered
from applications.uploads import check_upload
from applications.workflow import PERMIT_EXPIRED, PERMIT_VALID, Action, application_transition
from catalog.fields import clean_field_value, clean_form_data
from catalog.models import PermitType
from catalog.selectors import latest_version
from ptsp.counters import next_in_sequence
from ptsp.errors import Conflict, DomainError, NotAllowed
from ptsp.i18n import pick_of
from ptsp.workdays import add_working_days


# --- drafts -------------------------------------------------------------------------------------
def _locked_draft(application_id: int, actor) -> Application:
    application = (
        Application.objects.select_for_update(no_key=True, of=("self",))
        .select_related("catalog_version", "permit_type", "region")
        .get(pk=application_id)
    )
    if application.applicant_id != actor.pk:
        raise NotAllowed(gettext_lazy("You may not do this."), code="not_owner")
    if application.status != Status.DRAFT:
        raise Conflict(
            gettext_lazy("This application has been submitted and can no longer be changed."),
            code="not_draft",
        )
    return application


def application_create_draft(
    *, permit_type_id: int, actor, reuse_open: bool = False
) -> Application:
    """Start a draft for an active permit type under its latest published catalog version.

    Who may call: any logged-in person (the applicant). Changes: one Application. Sends
    nothing. Raises DomainError when the permit type is inactive, unknown or unpublished.
    With `reuse_open` (the "Apply" button), the applicant's open draft of that type is returned
    instead of a new one, under a lock on the person so that a double click makes one draft
    (issue 21 item 7).
    """
    permit_type = PermitType.objects.select_related("region").filter(pk=permit_type_id).first()
    if permit_type is None or not permit_type.is_active or not permit_type.region.is_active:
        raise DomainError(
            gettext_lazy("This permit type is not open for applications."),
            code="permit_type_inactive",
        )
    version = latest_version(permit_type)
    if version is None:
        raise DomainError(
            gettext_lazy("This permit type is not open for applications."),
            code="permit_type_unpublished",
        )
    with transaction.atomic():
        if reuse_open:
            from django.contrib.auth import get_user_model

            get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
            open_draft = (
                Application.objects.filter(
                    applicant=actor, permit_type=permit_type, status=Status.DRAFT
                )
                .order_by("-updated_at", "-pk")
                .first()
            )
            if open_draft is not None:
                return open_draft
        return Application.objects.create(
            applicant=actor,
            region=permit_type.region,
            permit_type=permit_type,
            catalog_version=version,
            status=Status.DRAFT,
        )


def application_delete_draft(*, application_id: int, actor) -> None:
    """The applicant deletes one of their drafts, with its documents. Who: the owner only
    (NotAllowed otherwise); a filed application cannot be deleted (Conflict: withdraw it). A
    draft whose documents appear in the access log is withdrawn instead, so the log keeps its
    rows. Sends nothing."""
    from django.db.models import ProtectedError

    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True).filter(pk=application_id).first()
        )
        if application is None or application.applicant_id != getattr(actor, "pk", None):
            raise NotAllowed(gettext_lazy("You may not do this."))
        if application.status != Status.DRAFT:
            raise Conflict(
                gettext_lazy("Only a draft can be deleted; a filed application can be withdrawn.")
            )
        files = [d.file for d in application.documents.all()]
        try:
            with transaction.atomic():
                application.delete()
        except ProtectedError:
            application_withdraw(
                application_id=application_id,
                actor=actor,
                reason=str(gettext_lazy("Draft deleted by the applicant.")),
            )
            return
        transaction.on_commit(lambda: [f.delete(save=False) for f in files if f])


# A renewal starts with the old application's business data (the SOP asks for new documents).
RENEWAL_COPIED = tuple(BUSINESS_FIELDS)


def application_renew(*, permit_id: int, actor) -> Application:
    """Start the renewal of a permit: a new draft of the same permit type, under its latest
    catalog version, prefilled with the old application's business data and the fields that
    still exist in the new version. Documents are not copied: the SOP asks for current ones.

    Who may call: the permit's holder (applicant), while the permit is valid or expired.
    Raises NotAllowed for anyone else, DomainError for a revoked permit or a closed type.
    """
    # The permit is read through its application (the case does not import `permits`).
    old = Application.objects.select_related("permit").filter(permit__pk=permit_id).first()
    permit = old.permit if old is not None else None
    if permit is None or old.applicant_id != getattr(actor, "pk", None):
        raise NotAllowed(gettext_lazy("You may not do this."))
    if permit.status not in (PERMIT_VALID, PERMIT_EXPIRED):
        raise DomainError(
            gettext_lazy("Only a valid or expired permit can be renewed."), code="not_renewable"
        )
    with transaction.atomic():
        existing = Application.objects.filter(
            renewal_of=permit, status=Status.DRAFT, applicant=actor
        ).first()
        if existing is not None:
            return existing  # a second click continues the same renewal draft
        draft = application_create_draft(permit_type_id=permit.permit_type_id, actor=actor)
        keys = {f["key"] for f in draft.catalog_version.snapshot.get("fields", [])}
        for name in RENEWAL_COPIED:
            setattr(draft, name, getattr(old, name))
        draft.form_data = {k: v for k, v in old.form_data.items() if k in keys}
        draft.renewal_of = permit
        draft.save()
    return draft


def application_update_draft(*, application_id: int, actor, data: dict) -> Application:
    """Save business data and the type's own fields of a draft (keys present in `data` only).

    Values are checked against their declared types; with any error nothing is saved and a
    DomainError (code `invalid_fields`, details = {field: message}) is raised. Raises NotAllowed
    for another person's application and Conflict once it is submitted.
    """
    with transaction.atomic():
        application = _locked_draft(application_id, actor)
        business, errors = clean_business_data(data)
        fields = application.catalog_version.snapshot.get("fields", [])
        form_values, field_errors = clean_form_data(fields, data)
        errors.update(field_errors)
        if errors:
            raise DomainError(
                gettext_lazy("Please correct the marked fields."),
                code="invalid_fields",
                details=errors,
            )
        nib_before = application.nib
        for key, value in business.items():
            setattr(application, key, value)
        application.form_data = {**application.form_data, **form_values}
        application.save()
        if application.nib and application.nib != nib_before:
            draft_nib_entered.send(sender=Application, application=application, nib=application.nib)
    return application


def _requirement(application: Application, code: str) -> dict:
    for requirement in application.catalog_version.snapshot.get("requirements", []):
        if requirement["code"] == code:
            return requirement
    raise DomainError(gettext_lazy("Unknown requirement."), code="unknown_requirement")


def _check_quota(application: Application, size: int) -> None:
    """Refuse an upload that would take the applicant's stored documents (every version of every
    application) above settings.UPLOAD_QUOTA_BYTES."""
    quota = getattr(settings, "UPLOAD_QUOTA_BYTES", 0)
    if not quota:
        return
    used = (
        Document.objects.filter(application__applicant_id=application.applicant_id).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    if used + size > quota:
        raise DomainError(
            gettext_lazy(
                "Your account has reached its storage limit of %(quota)s for uploaded documents. "
                "Withdraw drafts you no longer need, or contact the DPMPTSP office."
            )
            % {"quota": filesizeformat(quota)},
            code="upload_quota",
            field="file",
        )


def store_document(*, application: Application, requirement_code: str, upload, actor) -> Document:
    """Check one upload against its requirement (as filed) and store it as the new current
    version; the previous version stays. The caller holds the application's row lock and has
    decided that this document may be uploaded now. Raises DomainError for a bad file."""
    requirement = _requirement(application, requirement_code)
    if upload is None:
        raise DomainError(gettext_lazy("Choose a file first."), code="file_missing", field="file")
    checked = check_upload(
        upload,
        accepted_kinds=requirement.get("accepted_kinds") or [],
        max_size_kb=requirement.get("max_size_kb") or 5120,
    )
    _check_quota(application, checked.size)
    previous = application.documents.filter(requirement_code=requirement_code)
    last_version = previous.aggregate(m=Max("version"))["m"] or 0
    previous.filter(is_current=True).update(is_current=False)
    document = Document(
        application=application,
        requirement_code=requirement_code,
        version=last_version + 1,
        is_current=True,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scan_result=checked.scan_result,
        uploaded_by=actor,
    )
    document.file.save("upload", ContentFile(checked.data), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_upload(*, application_id: int, requirement_code: str, upload, actor) -> Document:
    """Attach (or replace) the file for one requirement of a draft.

    The file is checked by `applications.uploads.check_upload` (kind from its bytes, size limit,
    empty file) before anything is stored; a replaced file stays as an older version. Raises
    DomainError for a bad file, NotAllowed / Conflict like `application_update_draft`.
    """
    with transaction.atomic():
        application = _locked_draft(application_id, actor)
        return store_document(
            application=application, requirement_code=requirement_code, upload=upload, actor=actor
        )


def document_remove(*, application_id: int, requirement_code: str, actor) -> None:
    """Take the current file of a requirement off a draft (it stays as an older version)."""
    with transaction.atomic():
        application = _locked_draft(application_id, actor)
        _requirement(application, requirement_code)
        application.documents.filter(requirement_code=requirement_code, is_current=True).update(
            is_current=False
        )


# --- submission ---------------------------------------------------------------------------------
def missing_items(application: Application, current_codes: set[str]) -> list[str]:
    """What still stops the application from being submitted, in words for the applicant."""
    snapshot = application.catalog_version.snapshot
    missing: list[str] = []
    missing.extend(business_missing(application))
    for field in snapshot.get("fields", []):
        value = application.form_data.get(field["key"], "")
        if field["is_required"] and (value == "" or value is None):
            missing.append(pick_of(field, "label"))
        elif value not in ("", None):
            _value, error = clean_field_value(field, value)
            if error:
                missing.append(pick_of(field, "label"))
    for requirement in snapshot.get("requirements", []):
        if requirement["is_required"] and requirement["code"] not in current_codes:
            missing.append(_("Document: %(name)s") % {"name": pick_of(requirement, "name")})
    return missing


def next_tracking_number(region, year: int) -> str:
    """`BTG-2026-000123`: the region's next sequence for the year, under a row lock. Must run
    inside the caller's transaction."""
    sequence = next_in_sequence(TrackingCounter, region=region, year=year)
    return f"{region.code}-{year}-{sequence:06d}"


def intake_due_at(region, start, days: int):
    return add_working_days(region, start, days)


def application_submit(*, application_id: int, actor) -> Application:
    """Submit a complete draft: tracking number, `submitted` status, intake deadline, mail.

    Who may call: the application's owner. Changes: the application (status through the
    workflow, tracking number, submitted_at, due_at), the region's TrackingCounter, one Event.
    Sends: the "submitted" notification to the applicant, in their language (in-app, and the
    e-mail through the outbox after commit). Raises DomainError (code `incomplete`, details {"missing": [...]}) listing exactly
    what is missing; Conflict when it was already submitted (second tab, double click);
    NotAllowed for another person's application.
    """
    if getattr(actor, "email_confirmed_at", True) is None:
        raise DomainError(
            _(
                "Confirm your e-mail address first: open the link we sent to %(email)s (you can "
                "ask for it again on your profile page). Your draft is kept."
            )
            % {"email": actor.email},
            code="email_unconfirmed",
        )
    with transaction.atomic():
        application = _locked_draft(application_id, actor)
        current = set(
            application.documents.filter(is_current=True).values_list("requirement_code", flat=True)
        )
        missing = missing_items(application, current)
        if missing:
            raise DomainError(
                _("The application is not complete yet. Missing: %(items)s.")
                % {"items": "; ".join(missing)},
                code="incomplete",
                details={"missing": missing},
            )
        now = timezone.now()
        application, event = application_transition(
            application_id=application.pk, action=Action.SUBMIT, actor=actor
        )
        # The year of the region's own calendar (a WIT region's new year comes first).
        year = now.astimezone(ZoneInfo(application.region.timezone)).year
        application.tracking_number = next_tracking_number(application.region, year)
        application.submitted_at = now
        intake_days = application.catalog_version.snapshot.get("intake_days") or 1
        application.due_at = intake_due_at(application.region, now, intake_days)
        application.save(update_fields=["tracking_number", "submitted_at", "due_at", "updated_at"])
        notify(
            recipients=[actor],
            kind="submitted",
            application=application,
            url=reverse("applications:detail", args=[application.pk]),
            dedupe=f"event:{event.pk}",
        )
    return application


def application_withdraw(*, application_id: int, actor, reason: str) -> Application:
    """Withdraw an application before a decision, with a reason (kept on the event and the row).

    Who may call: the owner. Changes: status through the workflow (`withdraw`), closed_at,
    withdraw_reason, one Event. Raises DomainError without a reason, NotAllowed / Conflict from
    the workflow (e.g. after a decision).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            gettext_lazy("Please give a reason for withdrawing."), code="reason_required"
        )
    if len(reason) > 2000:
        raise DomainError(gettext_lazy("The reason is too long."), code="reason_too_long")
    with transaction.atomic():
        application, _event = application_transition(
            application_id=application_id, action=Action.WITHDRAW, actor=actor, note=reason
        )
        application.withdraw_reason = reason
        application.closed_at = timezone.now()
        application.due_at = None
        application.save(update_fields=["withdraw_reason", "closed_at", "due_at", "updated_at"])
    return application
