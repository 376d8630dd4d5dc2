"""Reads of applications, always scoped to what the viewer may see.

A wrong owner, agency or region gets the same answer as a missing row: nothing (404).
"""

from django.db.models import F, Q, QuerySet

from agencies.models import Review, ReviewStatus, Role
from agencies.selectors import agencies_of, memberships_of
from applications.models import Application, Status
from permits.selectors import permit_name_columns, with_permit_name


def applications_visible_to(user) -> QuerySet[Application]:
    """Applicants see their own; DPMPTSP staff their region's filed ones; OPD staff the ones
    routed to their agency."""
    if not user.is_authenticated:
        return Application.objects.none()
    memberships = memberships_of(user)
    if not memberships:
        return Application.objects.filter(applicant=user)
    condition = Q(pk__in=[])
    dpmptsp_regions = {
        m.agency.region_id
        for m in memberships
        if m.role in (Role.VERIFIER, Role.SIGNER, Role.MONITOR)
    }
    if dpmptsp_regions:
        condition |= Q(region_id__in=dpmptsp_regions) & ~Q(status=Status.DRAFT)
    opd_agencies = [a.pk for a in agencies_of(user, Role.OFFICER, Role.HEAD)]
    if opd_agencies:
        condition |= Q(reviews__agency_id__in=opd_agencies)
    return Application.objects.filter(condition).distinct()


def signer_applications(user) -> QuerySet[Application]:
    """Applications of the regions where `user` signs, past the draft (a draft is the
    applicant's own until it is submitted): the scope of the signer's pages and API alike."""
    regions = [a.region_id for a in agencies_of(user, Role.SIGNER)]
    return Application.objects.filter(region_id__in=regions).exclude(status=Status.DRAFT)


def applications_of_applicant(user) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("permit_type", "region")
        .order_by("-created_at")
    )


def intake_queue(user) -> QuerySet[Application]:
    """Submitted files waiting for the front office of the verifier's region, oldest first."""
    regions = [a.region_id for a in agencies_of(user, Role.VERIFIER)]
    return (
        Application.objects.filter(region_id__in=regions, status=Status.SUBMITTED)
        .select_related("permit_type", "applicant")
        .order_by("submitted_at")
    )


def intake_queue_rows(user) -> list[dict]:
    """The intake queue as its page lists it, oldest first: per file `pk`, `tracking_number`,
    `permit_name` (in the active language), `business_name`, `applicant_name`, `submitted_at`
    and `due_at`. Plain rows rather than model instances: the page shows a few columns of many
    files, and building three model instances per row cost more than the rest of the row."""
    return with_permit_name(
        list(
            intake_queue(user).values(
                "pk",
                "tracking_number",
                "business_name",
                "submitted_at",
                "due_at",
                applicant_name=F("applicant__full_name"),
                **permit_name_columns(),
            )
        )
    )


def intake_visible(user) -> QuerySet[Application]:
    """Filed applications of the verifier's region (any status after draft)."""
    regions = [a.region_id for a in agencies_of(user, Role.VERIFIER)]
    return Application.objects.filter(region_id__in=regions).exclude(status=Status.DRAFT)


def application_page_context(application: Application) -> dict:
    """What every staff page about one application shows: the filed data with its labels, the
    current documents with their requirement names, the stage clocks and the history.

    Load `application` with its `catalog_version`, `permit_type` and `applicant` (select_related):
    the page shows all three. Its events and reviews are prefetched here once (CLOCK_PREFETCH)
    for both the history and the stage clocks."""
    snapshot = application.catalog_version.snapshot
    requirements = {r["code"]: r for r in snapshot.get("requirements", [])}
    documents = list(application.documents.filter(is_current=True).order_by("requirement_code"))
    for document in documents:
        document.requirement = requirements.get(document.requirement_code, {})
    fields = [
        {
            "label": f.get("label_id"),
            "label_en": f.get("label_en"),
            "unit": f.get("unit", ""),
            "value": application.form_data.get(f["key"]),
        }
        for f in snapshot.get("fields", [])
    ]
    from applications.clock import prefetch_for_clocks, stage_clock_context
    from applications.timeline import event_label

    # The history and the stage clocks read the same events and reviews: load them once.
    prefetch_for_clocks(application)
    events = list(application.events.all())  # oldest first, with actor and review agency
    for event in events:
        event.label = event_label(event)

    return {
        **stage_clock_context(application),
        "show_assignee": True,
        "application": application,
        "documents": documents,
        "fields": fields,
        "events": events,
        "snapshot": snapshot,
    }


def rejected_reviews(application: Application):
    """The OPD reviews that propose to reject `application`, with who decided, by agency name."""
    return list(
        application.reviews.filter(status=ReviewStatus.REJECTED)
        .select_related("agency", "decided_by")
        .order_by("agency__name")
    )


def _path_pk(url: str, prefix: str) -> int | None:
    """The id in `url` when it is `<prefix><id>/...`, else None."""
    if not url.startswith(prefix):
        return None
    head = url[len(prefix) :].split("/", 1)[0]
    return int(head) if head.isdigit() else None


def notification_target(user, notification) -> str:
    """The page a notification's "Open" link takes `user` to: the page it names when `user` may
    see it now, else the page about its file that `user` may see (the applicant's own page, the
    officer's review, the signer's page, the front office's check page, the monitoring file),
    else the notifications list. Decided when the link is followed, so that a file that moved
    on since (a submitted file now in review) still opens a page instead of a 404."""
    from django.urls import reverse

    fallback = reverse("applications:notifications")
    url = notification.url or ""
    application = notification.application
    if application is None:
        return url or fallback
    pk = application.pk
    if application.applicant_id == user.pk:
        own = f"/applications/{pk}/"
        return url if url.startswith(own) else reverse("applications:detail", args=[pk])
    roles = {(m.role, m.agency.region_id) for m in memberships_of(user)}
    region = application.region_id
    signer = (Role.SIGNER, region) in roles
    signing = application.status in (Status.RECOMMENDED, Status.ISSUING, Status.ISSUED)
    rejection = application.status == Status.REJECTION_PROPOSED
    if signer and _path_pk(url, "/signing/rejections/") == pk and rejection:
        return url
    if signer and _path_pk(url, "/signing/") == pk and signing:
        return url
    reviews = list(
        Review.objects.filter(
            application_id=pk, agency__in=agencies_of(user, Role.OFFICER, Role.HEAD)
        ).order_by("-assignee_id", "pk")
    )
    named = _path_pk(url, "/reviews/")
    if named is not None and any(r.pk == named for r in reviews):
        return url
    mine = [r for r in reviews if r.assignee_id == user.pk] or reviews
    if mine:
        return reverse("agencies:review", args=[mine[0].pk])
    if application.status == Status.DRAFT:
        return fallback
    if signer and rejection:
        return reverse("applications:rejection", args=[pk])
    if signer and signing:
        return reverse("permits:sign", args=[pk])
    if (Role.VERIFIER, region) in roles:
        return reverse("applications:intake_check", args=[pk])
    if (Role.MONITOR, region) in roles or signer:
        return reverse("monitoring:file", args=[pk])
    return fallback
