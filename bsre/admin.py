from django.contrib import admin

from agencies.admin_scoping import RegionScopedAdmin
from bsre.models import BsreSignerAccount, RegionBsreConfig


@admin.register(RegionBsreConfig)
class RegionBsreConfigAdmin(RegionScopedAdmin):
    """The region's Esign Client Service. Secrets are named by environment variable only."""

    list_display = ("region", "enabled", "mode", "base_url", "updated_at")
    list_filter = ("enabled", "mode")
    list_select_related = ("region",)


@admin.register(BsreSignerAccount)
class BsreSignerAccountAdmin(RegionScopedAdmin):
    """Each signer's NIK (or e-mail) at BSrE, set by the region's admin."""

    list_display = ("user", "region", "masked_nik", "email", "updated_at")
    list_select_related = ("user", "region")
    search_fields = ("user__email", "user__full_name")

    @admin.display(description="NIK")
    def masked_nik(self, obj):
        return "*" * 12 + obj.nik[-4:] if obj.nik else "—"
