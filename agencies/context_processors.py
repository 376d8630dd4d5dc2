from django.utils.translation import gettext_lazy as _

from agencies.models import Region, Role
from agencies.selectors import APPLICANT_HOME, memberships_of, staff_region
from ptsp.links import reverse_cached
from ptsp.workdays import reference_cache

ROLE_NAV = {
    Role.VERIFIER: ("applications:intake_queue", _("Intake queue")),
    Role.OFFICER: ("applications:inbox", _("My inbox")),
    Role.HEAD: ("applications:agency_queue", _("Agency queue")),
    Role.SIGNER: ("permits:signing_queue", _("To sign")),
    Role.MONITOR: ("monitoring:dashboard", _("Monitoring")),
    Role.TREASURER: ("fees:proofs", _("Proofs of payment")),
}


# Extra links of the staff navigation that apps above this one add in their AppConfig.ready()
# (the OSS integration's page): name -> source(user, memberships) -> [{"url", "label"}, …].
# A source must not query per request (the navigation is on every page).
_nav_sources: dict = {}


def staff_nav_register(name: str, source) -> None:
    """Add (or replace) the navigation links `name` of staff members."""
    _nav_sources[name] = source


def staff_context(request):
    """Navigation by role and the staff member's region (the unread notification count is
    `applications.context_processors.notifications`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    memberships = memberships_of(user)
    for role in [Role.VERIFIER, Role.OFFICER, Role.HEAD, Role.SIGNER, Role.MONITOR, Role.TREASURER]:
        if any(m.role == role for m in memberships):
            url_name, label = ROLE_NAV[role]
            nav.append({"url": reverse_cached(url_name), "label": label})
            if role == Role.HEAD:
                # The recommendations awaiting the head's approval (issue 18).
                nav.append(
                    {"url": reverse_cached("applications:head_approvals"), "label": _("Approvals")}
                )
            if role == Role.SIGNER:
                nav.append(
                    {
                        "url": reverse_cached("applications:rejection_queue"),
                        "label": _("Rejections"),
                    }
                )
            if role == Role.MONITOR:
                nav.append(
                    {
                        "url": reverse_cached("security:access_log"),
                        "label": _("Document access log"),
                    }
                )
    if any(m.role in (Role.HEAD, Role.SIGNER) for m in memberships) and not any(
        m.role == Role.MONITOR for m in memberships
    ):
        nav.append({"url": reverse_cached("monitoring:dashboard"), "label": _("Monitoring")})
    if memberships:
        for source in _nav_sources.values():
            nav.extend(source(user, memberships))
    if not memberships:
        nav.append({"url": reverse_cached(APPLICANT_HOME), "label": _("My applications")})
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
    return reference_cache.get_or_compute(
        ("active_regions",), lambda: list(Region.objects.filter(is_active=True).order_by("name"))
    )
