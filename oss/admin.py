from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin
from oss.models import (
    Business,
    ChecklistIntake,
    InboundPush,
    PermitMapping,
    Project,
    RegionConnection,
    RequirementFile,
    ResponsiblePerson,
    SignedPermitFile,
)
from oss.services.inbound import checklist_intake_retry
from ptsp.errors import DomainError


@admin.register(RegionConnection)
class RegionConnectionAdmin(RegionScopedAdmin):
    list_display = ("region", "kd_daerah", "enabled", "base_url", "updated_at")
    list_filter = ("enabled",)
    list_select_related = ("region",)


# --- inbound (OSS → us) ---------------------------------------------------------------------
@admin.register(PermitMapping)
class PermitMappingAdmin(RegionScopedAdmin):
    """The region's table of OSS permit codes (`kd_izin`) → our permit types. An unknown code's
    checklist items wait in "OSS checklist intakes" until a row is added here (docs/oss.md)."""

    list_display = ("kd_izin", "permit_type", "region", "updated_at")
    list_select_related = ("region", "permit_type")
    search_fields = ("kd_izin",)


class ResponsiblePersonInline(admin.TabularInline):
    model = ResponsiblePerson
    extra = 0
    can_delete = False
    fields = ("name", "position", "masked_nik")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    can_delete = False
    fields = ("id_proyek", "kbli", "risk_level", "kd_daerah", "address")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdmin(RegionScopedAdmin):
    """What OSS sent is a record: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Business)
class BusinessAdmin(ReadOnlyScopedAdmin):
    list_display = ("nib", "name", "state", "scale", "is_umk", "region", "updated_at")
    list_filter = ("state",)
    list_select_related = ("region",)
    search_fields = ("nib", "name")
    exclude = ("last_push",)
    inlines = [ResponsiblePersonInline, ProjectInline]


@admin.register(ChecklistIntake)
class ChecklistIntakeAdmin(ReadOnlyScopedAdmin):
    """The checklist items of the region and what became of them; "waiting" states are an
    operator's work (an unknown kd_izin: add its mapping, then OSS's next push, or
    the action "Try again" makes the draft)."""

    region_lookup = "item__region"
    list_display = ("item", "nama_izin", "state", "reason", "updated_at")
    list_filter = ("state",)
    list_select_related = ("item",)
    search_fields = ("item__id_izin", "item__nib", "item__kd_izin")
    exclude = ("raw",)
    actions = ["make_drafts_again"]

    def has_make_drafts_permission(self, request):
        return request.user.has_perm("oss.change_permitmapping")

    @admin.action(
        description=_("Try again to make the drafts of the chosen items"),
        permissions=["make_drafts"],
    )
    def make_drafts_again(self, request, queryset):
        made = 0
        for intake in queryset:
            try:
                if checklist_intake_retry(intake_id=intake.pk, actor=request.user).state == (
                    ChecklistIntake.State.DRAFTED
                ):
                    made += 1
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
        self.message_user(
            request,
            _("%(made)d of %(all)d items have their draft.") % {"made": made, "all": len(queryset)},
        )


@admin.register(RequirementFile)
class RequirementFileAdmin(ReadOnlyScopedAdmin):
    region_lookup = "item__region"
    list_display = ("item", "id_syarat", "requirement_code", "state", "attempts", "last_error")
    list_filter = ("state",)
    list_select_related = ("item",)
    search_fields = ("item__id_izin", "id_syarat")


@admin.register(InboundPush)
class InboundPushAdmin(ReadOnlyScopedAdmin):
    list_display = ("received_at", "method", "nib", "outcome", "code", "http_status", "drafts")
    list_filter = ("outcome", "method", "code")
    search_fields = ("nib",)


@admin.register(SignedPermitFile)
class SignedPermitFileAdmin(ReadOnlyScopedAdmin):
    region_lookup = "permit__application__region"
    list_display = ("permit", "id_izin", "url", "received_at")
