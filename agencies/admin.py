from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin
from agencies.grants import power_grant_decide, power_grant_request
from agencies.models import (
    POWER_ROLES,
    Agency,
    Membership,
    PowerGrant,
    PowerGrantLog,
    Region,
    RegionHoliday,
)
from agencies.selectors import regions_visible_to
from ptsp.errors import DomainError
from ptsp.workdays import national_holidays


def power_role_saved(request, membership: Membership, *, old: dict | None) -> bool:
    """Four eyes (agencies.grants): when a save would give a power role (signer or monitor),
    new, changed to, or made active again, ask for it instead and keep the row as it was (a new
    one is not saved). Returns True when the save was turned into a request."""
    new_power = membership.role in POWER_ROLES and membership.is_active
    was_power = bool(old) and old["role"] == membership.role and old["is_active"]
    if not new_power or was_power:
        return False
    try:
        power_grant_request(
            actor=request.user,
            user=membership.user,
            agency=membership.agency,
            role=membership.role,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.warning(
            request,
            _(
                "The %(role)s role for %(user)s waits for a second person's approval (a "
                "platform admin or another monitor): Power role grants."
            )
            % {"role": membership.get_role_display(), "user": membership.user},
        )
    if old:  # keep the existing row as it was
        Membership.objects.filter(pk=membership.pk).update(
            role=old["role"], is_active=old["is_active"]
        )
        for key, value in old.items():
            setattr(membership, key, value)
    return True


def membership_before(membership: Membership) -> dict | None:
    if membership.pk is None:
        return None
    return Membership.objects.filter(pk=membership.pk).values("role", "is_active").first()


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "province", "timezone", "is_active")
    list_filter = ("timezone", "province", "is_active")
    search_fields = ("name", "code", "province")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return (
            qs if request.user.is_superuser else qs.filter(pk__in=regions_visible_to(request.user))
        )

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Agency)
class AgencyAdmin(RegionScopedAdmin):
    list_display = ("name", "code", "kind", "region", "is_active")
    list_filter = ("kind", "region", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("region",)


@admin.register(Membership)
class MembershipAdmin(RegionScopedAdmin):
    region_lookup = "agency__region"
    list_display = ("user", "role", "agency", "is_active", "created_at")
    list_filter = ("role", "agency__kind", "agency__region", "is_active")
    search_fields = ("user__email", "user__full_name", "agency__name")
    list_select_related = ("user", "agency", "agency__region")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        """A power role (signer, monitor) is asked for, not given: agencies.grants."""
        old = membership_before(obj)
        if power_role_saved(request, obj, old=old):
            if old:  # the other changes of an existing row are kept
                super().save_model(request, obj, form, change)
            return
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # turned into a request: nothing to show
            from django.shortcuts import redirect

            return redirect("admin:agencies_powergrant_changelist")
        return super().response_add(request, obj, post_url_continue)


@admin.register(PowerGrant)
class PowerGrantAdmin(RegionScopedAdmin):
    """Pending and decided power-role requests of the region; a second person approves or
    refuses them with the actions (agencies.grants.power_grant_decide)."""

    region_lookup = "agency__region"
    list_display = (
        "user",
        "role",
        "agency",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("status", "role")
    list_select_related = ("user", "agency", "agency__region", "requested_by", "decided_by")
    readonly_fields = [
        "user",
        "agency",
        "role",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "note",
    ]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, approve: bool):
        done = 0
        for grant in queryset:
            try:
                power_grant_decide(actor=request.user, grant_id=grant.pk, approve=approve)
            except DomainError as error:
                messages.error(request, f"{grant}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("%(n)d request(s) decided.") % {"n": done})

    @admin.action(description=_("Approve the selected requests (you must not have asked)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(PowerGrantLog)
class PowerGrantLogAdmin(RegionScopedAdmin):
    """Read-only: the database refuses changes to the log."""

    region_lookup = "agency__region"
    list_display = ("at", "action", "role", "user", "agency", "actor")
    list_filter = ("action", "role")
    list_select_related = ("user", "agency", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegionHoliday)
class RegionHolidayAdmin(RegionScopedAdmin):
    list_display = ("date", "name", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name",)
    date_hierarchy = "date"
    list_select_related = ("region",)

    def save_model(self, request, obj, form, change):
        """Save, and say so when the day was no working day anyway (harmless, but useless)."""
        from django.contrib import messages

        super().save_model(request, obj, form, change)
        if obj.date.weekday() >= 5:
            messages.warning(
                request,
                _("%(date)s is a weekend day: it was no working day anyway.")
                % {"date": obj.date.isoformat()},
            )
        elif obj.date in national_holidays(obj.date.year):
            messages.warning(
                request,
                _("%(date)s is already a national holiday: this entry changes no deadline.")
                % {"date": obj.date.isoformat()},
            )


admin.site.site_header = _("PTSP Online administration")
admin.site.site_title = _("PTSP Online")
