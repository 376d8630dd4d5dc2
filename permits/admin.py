from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin, RegionScopedInline
from permits.models import (
    FormField,
    Permit,
    PermitType,
    PermitTypeVersion,
    RejectionLetter,
    Requirement,
    RouteStep,
)
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


# --- Issuance (appended by the issuance work; the catalog admin lives above) -------------------


@admin.register(Permit)
class PermitAdmin(RegionScopedAdmin):
    """Issued permits, read-only: numbers, files and statuses change only through the services
    in permits.services.issuance (issue, revoke, expire)."""

    region_lookup = "region"
    list_display = ["number", "business_name", "permit_type", "region", "status", "issued_at"]
    list_filter = ["status", "region", "permit_type"]
    search_fields = ["number", "business_name", "holder_name", "application__tracking_number"]
    list_select_related = ["permit_type", "region"]
    exclude = ["verification_token"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "verification_token"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RejectionLetter)
class RejectionLetterAdmin(RegionScopedAdmin):
    region_lookup = "application__region"
    list_display = ["number", "application", "issued_at"]
    list_select_related = ["application"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
