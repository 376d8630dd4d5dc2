from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin, RegionScopedInline
from permits.models import FormField, PermitType, PermitTypeVersion, Requirement, RouteStep
from permits.services.catalog import permit_type_publish


class RouteStepInline(RegionScopedInline):
    model = RouteStep
    extra = 0
    fields = ("agency", "review_days", "order")


class RequirementInline(RegionScopedInline):
    model = Requirement
    extra = 0
    fields = (
        "code",
        "name_id",
        "name_en",
        "is_required",
        "accepted_kinds",
        "max_size_kb",
        "template",
        "order",
    )


class FormFieldInline(RegionScopedInline):
    model = FormField
    extra = 0
    fields = (
        "key",
        "label_id",
        "label_en",
        "kind",
        "unit",
        "choices",
        "is_required",
        "help_text",
        "order",
    )


class VersionInline(admin.TabularInline):
    model = PermitTypeVersion
    extra = 0
    fields = ("number", "created_at")
    readonly_fields = ("number", "created_at")
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("published versions (read-only)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PermitType)
class PermitTypeAdmin(RegionScopedAdmin):
    list_display = ("name_id", "code", "region", "is_active", "updated_at")
    list_filter = ("region", "is_active")
    search_fields = ("name_id", "name_en", "code")
    list_select_related = ("region",)
    inlines = [RouteStepInline, RequirementInline, FormFieldInline, VersionInline]

    def save_related(self, request, form, formsets, change):
        """Publish after the inlines are saved, so the new version holds the whole SOP."""
        super().save_related(request, form, formsets, change)
        permit_type_publish(permit_type=form.instance, actor=request.user)


@admin.register(PermitTypeVersion)
class PermitTypeVersionAdmin(RegionScopedAdmin):
    region_lookup = "permit_type__region"
    list_display = ("permit_type", "number", "created_at")
    list_filter = ("permit_type__region",)
    list_select_related = ("permit_type", "permit_type__region")
    readonly_fields = ("permit_type", "number", "snapshot", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
