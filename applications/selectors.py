"""Reads of applications, always scoped to what the viewer may see.

A wrong owner, agency or region gets the same answer as a missing row: nothing (404).
"""

import functools
import json
from datetime import datetime
from urllib.parse import urlsplit

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import JSONObject
from django.urls import Resolver404, resolve, reverse

from agencies.models import Role, timezone_abbreviation
from agencies.selectors import agencies_of, memberships_of
from applications.models import (
    Application,
    CorrectionPeriod,
    Document,
    Event,
    Notification,
    Review,
    ReviewStatus,
    Status,
)
from applications.panels import staff_panels
from applications.sla.clock import (
    EVENT_COLUMNS,
    REVIEW_COLUMNS,
    stage_clock_context,
)
from applications.timeline import (
    TIMELINE_EVENT_COLUMNS,
    TIMELINE_REVIEW_COLUMNS,
    history_html,
    holder_from,
    timeline_event_expressions,
)
from catalog.fields import display_value
from catalog.selectors import permit_name_columns, with_permit_name
from ptsp.statements import ValuesStatement


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


def applications_for_signer(user) -> QuerySet[Application]:
    """The signer's queue: recommended applications of the regions where `user` signs, waiting
    for "sign and issue". The web queue and the API's alike; order and columns are theirs."""
    return signer_applications(user).filter(status=Status.RECOMMENDED)


def rejections_for_signer(user) -> QuerySet[Application]:
    """Proposed rejections of the regions where `user` signs, waiting for the signer to
    confirm or send back (the web queue and the API's alike)."""
    return signer_applications(user).filter(status=Status.REJECTION_PROPOSED)


def applications_filtered(
    qs_or_user, *, status=None, permit: str = "", q: str = ""
) -> QuerySet[Application]:
    """The application search and filters of every list, web and API: `qs_or_user` is a
    queryset of applications already scoped (a queue) or a user (then what they may see,
    `applications_visible_to`). `status`: one status or several; `permit`: a permit type's
    code; `q`: part of the tracking number or of the business name. An empty filter is not
    applied. Orders nothing: the caller's list decides."""
    qs = qs_or_user if isinstance(qs_or_user, QuerySet) else applications_visible_to(qs_or_user)
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if permit:
        qs = qs.filter(permit_type__code=permit)
    if q:
        qs = qs.filter(Q(tracking_number__icontains=q) | Q(business_name__icontains=q))
    return qs


def _applicant_file_rows_query(applicant_id: int):
    return (
        Application.objects.filter(applicant_id=applicant_id)
        .order_by("-created_at")
        .values(
            "pk",
            "tracking_number",
            "status",
            "due_at",
            "submitted_at",
            region_name=F("region__name"),
            region_timezone=F("region__timezone"),
            route=KeyTransform("route", "catalog_version__snapshot"),
            permit_number=F("permit__number"),
            permit_status=F("permit__status"),
            permit_valid_until=F("permit__valid_until"),
            **permit_name_columns(),
        )
    )


# Read on every visit of an applicant's list: compiled once per thread (ptsp.statements).
_applicant_file_rows = ValuesStatement(_applicant_file_rows_query)


def applicant_file_rows(user) -> list[dict]:
    """The applicant's own files as their list shows them (`applications/my_applications.html`),
    newest first: per file `pk`, `tracking_number`, `status` and `status_label`, `holder` (who
    holds it now, `holder_from`), `due_at`, `submitted_at`, `permit_name` (active language),
    `region_name`, `region_timezone`, `tz_abbreviation`, and its permit's `permit_number`,
    `permit_status` and `permit_valid_until` (None before one exists). Plain rows (issue 20): of
    the catalog version only the route is read, for the holder of a file in review; the SQL is
    compiled once per thread."""
    rows = with_permit_name(_applicant_file_rows.rows(applicant_id=user.pk))
    labels = dict(Status.choices)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["holder"] = holder_from(row["status"], {"route": row.pop("route") or []})
        row["tz_abbreviation"] = timezone_abbreviation(row["region_timezone"])
    return rows


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
    `permit_name` (in the active language), `business_name`, `applicant_name`, `submitted_at`,
    `due_at` and `legal_intake_due_at` (the document check's legal deadline). Plain rows rather than model instances: the page shows a few columns of many
    files, and building three model instances per row cost more than the rest of the row."""
    return with_permit_name(
        list(
            intake_queue(user).values(
                "pk",
                "tracking_number",
                "business_name",
                "submitted_at",
                "due_at",
                "legal_intake_due_at",
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
    the page shows all three. Its events and reviews are read here once, as rows, for both the
    history and the stage clocks (`file_rows`)."""
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
            "display": display_value(f, application.form_data.get(f["key"])),
        }
        for f in snapshot.get("fields", [])
    ]

    # The history and the stage clocks read the same events and reviews: load them once.
    events, reviews = file_rows(application)

    return {
        "extra_panels": staff_panels(application),
        **stage_clock_context(application, events=events, reviews=reviews),
        "corrections": open_corrections(application),
        "show_assignee": True,
        "application": application,
        "documents": documents,
        "fields": fields,
        "events": events,
        # Rendered once per change of the file and language (applications/_history.html).
        "history_html": history_html(application, events),
        "snapshot": snapshot,
    }


# The rows of one file that its pages show, beyond the file itself: what the stage clocks, the
# route's stages, the history and the applicant's timeline read of its events and reviews, and
# its current documents.
def _event_columns() -> dict:
    return {
        **{c: F(c) for c in (*EVENT_COLUMNS, *TIMELINE_EVENT_COLUMNS)},
        **timeline_event_expressions(),
    }


def _review_columns() -> dict:
    return {
        **{c: F(c) for c in (*REVIEW_COLUMNS["fields"], *TIMELINE_REVIEW_COLUMNS)},
        "revision_items": F("revision_items"),
        **REVIEW_COLUMNS["expressions"],
    }


DOCUMENT_COLUMNS = ("pk", "requirement_code", "original_name", "size", "verdict", "verdict_note")
_DATETIMES = {"events": ("at",), "reviews": ("created_at", "decided_at", "due_at", "head_due_at")}


def _rows_arrays() -> dict:
    return {
        "rows_events": ArraySubquery(
            Event.objects.filter(application_id=OuterRef("pk"))
            .order_by("at", "id")
            .values(row=JSONObject(**_event_columns()))
        ),
        "rows_reviews": ArraySubquery(
            Review.objects.filter(application_id=OuterRef("pk"))
            .order_by("id")
            .values(row=JSONObject(**_review_columns()))
        ),
        "rows_documents": ArraySubquery(
            Document.objects.filter(application_id=OuterRef("pk"), is_current=True)
            .order_by("requirement_code")
            .values(row=JSONObject(**{c: F(c) for c in DOCUMENT_COLUMNS}))
        ),
    }


_NO_FILE = -1  # the key the statement is compiled with, replaced by the file's at each read


@functools.cache
def _rows_statement() -> tuple[str, tuple, int]:
    """The one statement that reads a file's events, reviews and current documents as three
    JSON arrays, compiled by the ORM once per process (building and compiling the three
    subqueries cost more than running them): (SQL, parameters, where the file's key goes)."""
    queryset = (
        Application.objects.filter(pk=_NO_FILE)
        .annotate(**_rows_arrays())
        .values_list("rows_events", "rows_reviews", "rows_documents")
    )
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params), params.index(_NO_FILE)


def _array(values) -> list[dict]:
    # jsonb comes back as text with Django's psycopg2 set-up (it parses it in the field).
    return [json.loads(v) if isinstance(v, str | bytes) else v for v in values or []]


def _parsed(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    for row in rows:
        for key in keys:
            if row[key] is not None:
                row[key] = datetime.fromisoformat(row[key])
    return rows


def file_rows(application: Application) -> tuple[list[dict], list[dict]]:
    """The file's events (oldest first) and reviews as rows, with what the stage clocks, the
    route's stages, the history and the applicant's timeline read, and its current documents
    (DOCUMENT_COLUMNS, `document_rows`): one query, compiled once per process
    (`_rows_statement`), no model instances (the pages show a few columns of each)."""
    cached = getattr(application, "_file_rows", None)
    if cached is not None:
        return cached[0], cached[1]
    sql, params, slot = _rows_statement()
    params = list(params)
    params[slot] = application.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    events, reviews, documents = (_array(v) for v in row) if row else ([], [], [])
    application._file_rows = (
        _parsed(events, _DATETIMES["events"]),
        _parsed(reviews, _DATETIMES["reviews"]),
        documents,
    )
    return application._file_rows[0], application._file_rows[1]


def document_rows(application: Application) -> list[dict]:
    """The file's current documents (DOCUMENT_COLUMNS), by requirement code, read with its
    events and reviews (`file_rows`: no query of its own after it)."""
    file_rows(application)
    return application._file_rows[2]


def rejected_reviews(application: Application):
    """The OPD reviews that propose to reject `application`, with who decided, by agency name."""
    return list(
        application.reviews.filter(status=ReviewStatus.REJECTED)
        .select_related("agency", "decided_by")
        .order_by("agency__name")
    )


NOTIFICATIONS_LISTED = 100


def _notification_rows_query(recipient_id: int):
    return (
        Notification.objects.filter(recipient_id=recipient_id)
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "subject",
            "body",
            "url",
            "read_at",
            "created_at",
            "application_id",
            region_timezone=F("application__region__timezone"),
        )[:NOTIFICATIONS_LISTED]
    )


# Read on every visit of the notifications list: compiled once per thread (ptsp.statements).
_notification_rows = ValuesStatement(_notification_rows_query)


def notification_rows(user) -> list[dict]:
    """`user`'s latest notifications (NOTIFICATIONS_LISTED) as their list shows them, newest
    first: per notification `pk`, `subject`, `body`, `url`, `read_at`, `created_at`,
    `application_id` and, for one about a file, the file's region's `region_timezone` and
    `tz_abbreviation` (its time is written in that zone). Plain rows (issue 20): the list used to
    build each file's whole row; the SQL is compiled once per thread."""
    rows = _notification_rows.rows(recipient_id=user.pk)
    for row in rows:
        row["tz_abbreviation"] = timezone_abbreviation(row["region_timezone"])
    return rows


#: The pages a notification may name, by URL name, whose `pk` is the application's (signing) or
#: the review's (the OPD's pages).
_SIGNING_PAGES = {"permits:sign", "permits:issuance_status", "permits:preview"}
_REVIEW_PAGES = {
    "applications:review",
    "applications:review_decision",
    "applications:reassign",
    "applications:inspection_new",
}


def _page_of(url: str) -> tuple[str, int | None]:
    """(URL name, `pk`) of the page `url` names, or ("", None) for no page of ours."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return "", None
    pk = match.kwargs.get("pk")
    return match.view_name, pk if isinstance(pk, int) else None


def notification_target(user, notification) -> str:
    """The page a notification's "Open" link takes `user` to: the page it names when `user` may
    see it now, else the page about its file that `user` may see (the applicant's own page, the
    officer's review, the signer's page, the front office's check page, the monitoring file),
    else the notifications list. Decided when the link is followed, so that a file that moved
    on since (a submitted file now in review) still opens a page instead of a 404."""
    fallback = reverse("applications:notifications")
    url = notification.url or ""
    application = notification.application
    if application is None:
        return url or fallback
    pk = application.pk
    if application.applicant_id == user.pk:
        own = reverse("applications:detail", args=[pk])
        return url if url.startswith(own) else reverse("applications:detail", args=[pk])
    roles = {(m.role, m.agency.region_id) for m in memberships_of(user)}
    region = application.region_id
    signer = (Role.SIGNER, region) in roles
    signing = application.status in (Status.RECOMMENDED, Status.ISSUING, Status.ISSUED)
    rejection = application.status == Status.REJECTION_PROPOSED
    page, page_pk = _page_of(url)
    if signer and page == "applications:rejection" and page_pk == pk and rejection:
        return url
    if signer and page in _SIGNING_PAGES and page_pk == pk and signing:
        return url
    reviews = list(
        Review.objects.filter(
            application_id=pk, agency__in=agencies_of(user, Role.OFFICER, Role.HEAD)
        ).order_by("-assignee_id", "pk")
    )
    if page in _REVIEW_PAGES and any(r.pk == page_pk for r in reviews):
        return url
    mine = [r for r in reviews if r.assignee_id == user.pk] or reviews
    if mine:
        return reverse("applications:review", args=[mine[0].pk])
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


# The OPD's reviews (moved from `agencies.selectors`, issue 15).

REVIEW_STATUS_FILTERS = {
    "open": [ReviewStatus.IN_REVIEW],
    "revision": [ReviewStatus.REVISION_REQUESTED],
    # An officer's recommendation waiting for the agency head's approval (issue 18).
    "approval": [ReviewStatus.AWAITING_HEAD_APPROVAL],
    # Finished, including those a deemed approval closed (issue 18): out of every work queue.
    "done": [ReviewStatus.RECOMMENDED, ReviewStatus.REJECTED, ReviewStatus.CLOSED_DEEMED],
    # Every review still with the agency (the head's queue): in review, waiting for a revision
    # or for the head's approval.
    "pending": [
        ReviewStatus.IN_REVIEW,
        ReviewStatus.REVISION_REQUESTED,
        ReviewStatus.AWAITING_HEAD_APPROVAL,
    ],
}


def reviews_visible_to(user) -> QuerySet[Review]:
    """Reviews of the agencies where the person is an officer or the head."""
    return Review.objects.filter(agency__in=agencies_of(user, Role.OFFICER, Role.HEAD))


def reviews_filtered(
    user,
    *,
    mine: bool = False,
    headed: bool = False,
    status: str = "open",
    permit: str = "",
    q: str = "",
) -> QuerySet[Review]:
    """The reviews `user` may see (`reviews_visible_to`), filtered: `mine` only those assigned
    to them (the officer's inbox); `headed` only those of the agencies they head (the head's
    queue); `status` open (default), revision, approval (awaiting the head's approval), done,
    pending (open, revision or approval) or all;
    `permit` a permit type code; `q` part of the tracking number or business name. Due soonest
    first. The one filter for the OPD's web pages and the API's review list."""
    reviews = reviews_visible_to(user)
    if headed:
        reviews = reviews.filter(agency__in=agencies_of(user, Role.HEAD))
    if mine:
        reviews = reviews.filter(assignee=user)
    if status in REVIEW_STATUS_FILTERS:
        reviews = reviews.filter(status__in=REVIEW_STATUS_FILTERS[status])
    if permit:
        reviews = reviews.filter(application__permit_type__code=permit)
    if q:
        reviews = reviews.filter(
            Q(application__tracking_number__icontains=q)
            | Q(application__business_name__icontains=q)
        )
    return reviews.order_by("due_at", "pk")


def inbox_rows(user, **filters) -> list[dict]:
    """The officer's inbox (`reviews_filtered(user, mine=True, ...)`) as its page lists it: per
    review `pk`, `status`, `status_label`, `due_at`, `tracking_number`, `business_name` and
    `permit_name` (in the active language). Plain rows rather than model instances: the page
    shows a few columns of many reviews."""
    rows = with_permit_name(
        list(
            reviews_filtered(user, mine=True, **filters)[:200].values(
                "pk",
                "status",
                "due_at",
                legal_state=F("application__legal_state"),
                legal_due_at=F("application__legal_due_at"),
                tracking_number=F("application__tracking_number"),
                business_name=F("application__business_name"),
                **permit_name_columns("application__permit_type"),
            )
        )
    )
    labels = dict(ReviewStatus.choices)
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
    return rows


def reviews_awaiting_approval(user) -> list[Review]:
    """The head's approvals (issue 18): the officers' recommendations awaiting the approval of
    the head `user`, the head's due time soonest first (`reviews_filtered(user, headed=True,
    status="approval")`)."""
    return list(
        reviews_filtered(user, headed=True, status="approval")
        .select_related("application", "application__permit_type", "assignee", "agency")
        .order_by("head_due_at", "pk")[:500]
    )


def agency_queue_reviews(user) -> list[Review]:
    """The head's queue: every pending review of the agencies `user` heads, due soonest first,
    with what the page shows (`reviews_filtered(user, headed=True, status="pending")`)."""
    return list(
        reviews_filtered(user, headed=True, status="pending").select_related(
            "application", "application__permit_type", "assignee", "agency"
        )[:500]
    )


def open_correction(application, review=None):
    """The open correction period (applications.sla.corrections) of a returned file (no
    `review`) or of one review's revision request, or None. One query, and none when nothing
    waits for the applicant; for the pages and the API that show the applicant's deadline."""
    from_review = review is not None
    waiting = review.status if from_review else application.status
    if waiting not in (Status.RETURNED, ReviewStatus.REVISION_REQUESTED):
        return None
    return (
        CorrectionPeriod.objects.filter(
            application=application,
            stage=CorrectionPeriod.Stage.REVIEW if from_review else CorrectionPeriod.Stage.INTAKE,
            review=review,
            closed_at__isnull=True,
        )
        .order_by("-started_at")
        .first()
    )


def open_corrections(application) -> list:
    """Every open correction period of a file (the return, or each OPD's revision request),
    with the review's agency, soonest first; no query unless the file waits for the
    applicant. What the applicant's and the staff's pages show."""
    if application.status not in (Status.RETURNED, Status.REVISION_REQUESTED):
        return []
    return list(
        CorrectionPeriod.objects.filter(application=application, closed_at__isnull=True)
        .select_related("review__agency")
        .order_by("due_at", "pk")
    )
