"""Who is who: a person's roles, agencies and region. Every access check starts here."""

from django.db.models import Q, QuerySet

from accounts.models import User
from agencies.models import Agency, Membership, PowerGrant, Region, Role

# Where each role lands after login, most senior first: a person with several roles lands on
# the first that applies and reaches the others from the navigation.
ROLE_HOME = [
    (Role.SIGNER, "permits:signing_queue"),
    (Role.MONITOR, "monitoring:dashboard"),
    (Role.VERIFIER, "applications:intake_queue"),
    (Role.HEAD, "applications:agency_queue"),
    (Role.OFFICER, "applications:inbox"),
    (Role.TREASURER, "fees:proofs"),
]
APPLICANT_HOME = "applications:my_applications"


def memberships_of(user) -> list[Membership]:
    """The person's active memberships in active agencies, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ptsp_memberships", None)
    if cached is None:
        cached = load_memberships(user)
        user._ptsp_memberships = cached
    return cached


def load_memberships(user) -> list[Membership]:
    """The person's active memberships in active agencies, from the database (with their agency
    and region). security.identity caches the result per process for the request's user."""
    return list(
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "agency__region")
        .order_by("id")
    )


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
    return User.objects.filter(
        is_active=True,
        memberships__agency=agency,
        memberships__role=Role.OFFICER,
        memberships__is_active=True,
    ).distinct()


def agency_heads(agency: Agency) -> QuerySet:
    """The active heads of `agency`."""
    return User.objects.filter(
        is_active=True,
        memberships__agency=agency,
        memberships__role=Role.HEAD,
        memberships__is_active=True,
    ).distinct()
