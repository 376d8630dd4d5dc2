from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import APPLICANT_HOME, memberships_of, staff_region

ROLE_NAV = {
    Role.VERIFIER: ("applications:intake_queue", _("Intake queue")),
    Role.OFFICER: ("agencies:inbox", _("My inbox")),
    Role.HEAD: ("agencies:agency_queue", _("Agency queue")),
    Role.SIGNER: ("permits:signing_queue", _("To sign")),
    Role.MONITOR: ("agencies:monitoring", _("Monitoring")),
}


def staff_context(request):
    """Navigation by role, the staff member's region and the unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    memberships = memberships_of(user)
    for role in [Role.VERIFIER, Role.OFFICER, Role.HEAD, Role.SIGNER, Role.MONITOR]:
        if any(m.role == role for m in memberships):
            url_name, label = ROLE_NAV[role]
            nav.append({"url": reverse(url_name), "label": label})
            if role == Role.SIGNER:
                nav.append(
                    {"url": reverse("applications:rejection_queue"), "label": _("Rejections")}
                )
            if role == Role.MONITOR:
                nav.append(
                    {"url": reverse("security:access_log"), "label": _("Document access log")}
                )
    if any(m.role in (Role.HEAD, Role.SIGNER) for m in memberships) and not any(
        m.role == Role.MONITOR for m in memberships
    ):
        nav.append({"url": reverse("agencies:monitoring"), "label": _("Monitoring")})
    if not memberships:
        nav.append({"url": reverse(APPLICANT_HOME), "label": _("My applications")})
    from applications.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    agencies = []
    for m in memberships:
        if m.agency.name not in agencies:
            agencies.append(m.agency.name)
    return {
        "role_nav": nav,
        # The header names the person and, for staff, their agency (issue 21 item 15).
        "header_person": user.full_name or user.email,
        "header_agencies": ", ".join(agencies),
        "staff_region": staff_region(user),
        "is_staff_member": bool(memberships),
        "unread_notifications": unread,
    }


def region_identity(request):
    """The region whose identity the page shows (issue 21 item 12): a staff member's own
    region; else the one the visitor picked (`?region=BTG`, remembered in the session); else
    the only active region, or the first by name. One query, cached per process briefly."""
    user = getattr(request, "user", None)
    region = staff_region(user) if user is not None and user.is_authenticated else None
    if region is None:
        regions = _active_regions()
        chosen = request.GET.get("region") or request.session.get("site_region", "")
        region = next((r for r in regions if r.code == chosen), None)
        if region is not None and request.GET.get("region"):
            request.session["site_region"] = region.code
        region = region or (regions[0] if regions else None)
    return {"site_region": region} if region is not None else {}


def _active_regions():
    from agencies.models import Region
    from ptsp.workdays import reference_cache

    return reference_cache.get_or_compute(
        ("active_regions",), lambda: list(Region.objects.filter(is_active=True).order_by("name"))
    )
