from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin
from agencies.models import Agency, Membership, Region, RegionHoliday
from agencies.selectors import regions_visible_to


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

        from ptsp.workdays import national_holidays

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
