"""Reads of applications, always scoped to what the viewer may see.

A wrong owner, agency or region gets the same answer as a missing row: nothing (404).
"""

from django.db.models import Q, QuerySet

from agencies.models import Role
from agencies.selectors import agencies_of, memberships_of
from applications.models import Application, Status


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


def intake_visible(user) -> QuerySet[Application]:
    """Filed applications of the verifier's region (any status after draft)."""
    regions = [a.region_id for a in agencies_of(user, Role.VERIFIER)]
    return Application.objects.filter(region_id__in=regions).exclude(status=Status.DRAFT)


def application_page_context(application: Application) -> dict:
    """What every staff page about one application shows: the filed data with its labels, the
    current documents with their requirement names, the reviews and the history."""
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
    reviews = list(
        application.reviews.select_related("agency", "assignee").order_by("agency__name")
    )
    from applications.timeline import event_label

    events = list(application.events.select_related("actor", "review__agency").order_by("at", "id"))
    for event in events:
        event.label = event_label(event)
    from applications.clock import stage_clock_context

    return {
        **stage_clock_context(application),
        "show_assignee": True,
        "application": application,
        "documents": documents,
        "fields": fields,
        "reviews": reviews,
        "events": events,
        "snapshot": snapshot,
    }
