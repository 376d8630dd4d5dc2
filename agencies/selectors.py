"""Who is who: a person's roles, agencies and region. Every access check starts here."""

from django.db.models import F, QuerySet

from agencies.models import Agency, Membership, Region, Role

# Where each role lands after login, most senior first: a person with several roles lands on
# the first that applies and reaches the others from the navigation.
ROLE_HOME = [
    (Role.SIGNER, "permits:signing_queue"),
    (Role.MONITOR, "agencies:monitoring"),
    (Role.VERIFIER, "applications:intake_queue"),
    (Role.HEAD, "agencies:agency_queue"),
    (Role.OFFICER, "agencies:inbox"),
]
APPLICANT_HOME = "applications:my_applications"


def memberships_of(user) -> list[Membership]:
    """The person's active memberships in active agencies, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ptsp_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency", "agency__region")
            .order_by("id")
        )
        user._ptsp_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def agencies_of(user, *roles: str) -> list[Agency]:
    """Agencies where the person holds one of `roles` (any role when none is given)."""
    seen: dict[int, Agency] = {}
    for m in memberships_of(user):
        if not roles or m.role in roles:
            seen.setdefault(m.agency_id, m.agency)
    return list(seen.values())


def staff_region(user) -> Region | None:
    """The region a staff member works for (None for applicants and platform admins)."""
    memberships = memberships_of(user)
    return memberships[0].agency.region if memberships else None


def is_staff_member(user) -> bool:
    return bool(memberships_of(user))


def home_url_name(user) -> str:
    roles = roles_of(user)
    for role, url_name in ROLE_HOME:
        if role in roles:
            return url_name
    if getattr(user, "is_superuser", False):
        return "admin:index"
    return APPLICANT_HOME


def regions_visible_to(user) -> QuerySet[Region]:
    """Regions whose data a person administers: all for a platform admin, else their own."""
    if getattr(user, "is_superuser", False):
        return Region.objects.all()
    region = staff_region(user)
    return Region.objects.filter(pk=region.pk) if region else Region.objects.none()


def region_staff(regions) -> QuerySet:
    """The people a region's admin manages: staff of these regions only (a membership or a
    power-role request there, and no membership in any other region), never a platform admin.
    Everyone else (applicants, platform admins, staff of other regions) is managed by platform
    admins."""
    from django.db.models import Q

    from accounts.models import User
    from agencies.models import PowerGrant

    region_ids = list(regions.values_list("pk", flat=True))
    members = Membership.objects.filter(agency__region_id__in=region_ids).values("user_id")
    asked = PowerGrant.objects.filter(agency__region_id__in=region_ids).values("user_id")
    elsewhere = Membership.objects.exclude(agency__region_id__in=region_ids).values("user_id")
    return (
        User.objects.filter(Q(pk__in=members) | Q(pk__in=asked))
        .exclude(pk__in=elsewhere)
        .exclude(is_superuser=True)
    )


def active_officers(agency: Agency) -> QuerySet:
    from accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__agency=agency,
        memberships__role=Role.OFFICER,
        memberships__is_active=True,
    ).distinct()


def reviews_visible_to(user):
    """Reviews of the agencies where the person is an officer or the head."""
    from agencies.models import Review

    return Review.objects.filter(agency__in=agencies_of(user, Role.OFFICER, Role.HEAD))


def inbox(user, *, status: str = "open", permit: str = "", q: str = ""):
    """The officer's reviews, due soonest first. `status`: open (default), revision, done, all."""
    from agencies.models import Review, ReviewStatus

    reviews = Review.objects.filter(assignee=user).select_related(
        "application", "application__permit_type"
    )
    if status == "open":
        reviews = reviews.filter(status=ReviewStatus.IN_REVIEW)
    elif status == "revision":
        reviews = reviews.filter(status=ReviewStatus.REVISION_REQUESTED)
    elif status == "done":
        reviews = reviews.filter(status__in=[ReviewStatus.RECOMMENDED, ReviewStatus.REJECTED])
    if permit:
        reviews = reviews.filter(application__permit_type__code=permit)
    if q:
        reviews = reviews.filter(application__tracking_number__icontains=q) | reviews.filter(
            application__business_name__icontains=q
        )
    return reviews.order_by("due_at", "pk")[:200]


def inbox_rows(user, **filters) -> list[dict]:
    """The officer's inbox (`inbox`) as its page lists it: per review `pk`, `status`,
    `status_label`, `due_at`, `tracking_number`, `business_name` and `permit_name` (in the
    active language). Plain rows rather than model instances: the page shows a few columns of
    many reviews."""
    from agencies.models import ReviewStatus
    from permits.selectors import permit_name_columns, with_permit_name

    rows = with_permit_name(
        list(
            inbox(user, **filters).values(
                "pk",
                "status",
                "due_at",
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


def agency_open_reviews(agencies):
    from agencies.models import Review, ReviewStatus

    return list(
        Review.objects.filter(
            agency__in=agencies,
            status__in=[ReviewStatus.IN_REVIEW, ReviewStatus.REVISION_REQUESTED],
        )
        .select_related("application", "application__permit_type", "assignee", "agency")
        .order_by("due_at", "pk")[:500]
    )
