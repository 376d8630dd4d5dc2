from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from security.models import DocumentAccess, TOTPDevice


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Recovery of a lost phone: a platform admin deletes the person's authenticator app; at the
    next login they set up a new one (signers must)."""

    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "confirmed_at", "created_at")
    readonly_fields = ("user", "confirmed_at", "created_at")
    actions = ["reset_devices"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Reset (the person sets up a new app at the next login)"))
    def reset_devices(self, request, queryset):
        count, _rows = queryset.delete()
        self.message_user(request, _("%(n)d authenticator app(s) reset.") % {"n": count})


@admin.register(DocumentAccess)
class DocumentAccessAdmin(admin.ModelAdmin):
    """Read-only: the table itself refuses changes."""

    list_display = ("at", "user", "action", "application", "document", "ip_address")
    list_select_related = ("user", "application", "document")
    list_filter = ("action", "region")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
