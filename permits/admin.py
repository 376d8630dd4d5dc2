from django.contrib import admin

from agencies.admin_scoping import RegionScopedAdmin
from permits.models import Permit, RejectionLetter

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
