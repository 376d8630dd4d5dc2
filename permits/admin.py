from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin
from permits.models import Permit, RejectionLetter, SigningBatchItem


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
    actions = ["release_unknown_outcome"]

    @admin.action(description=_("Checked with BSrE: not signed there — allow signing again"))
    def release_unknown_outcome(self, request, queryset):
        """A permit whose BSrE answer was lost (`signing_outcome_unknown`) may be signed again,
        with its number, once the operator confirmed with BSrE that nothing was signed."""
        from permits.services.batch_signing import permit_release_unknown_outcome

        released = 0
        for permit in queryset.filter(signing_outcome_unknown=True):
            permit_release_unknown_outcome(permit_id=permit.pk, actor=request.user)
            released += 1
        messages.success(request, _("%(n)s permit(s) released.") % {"n": released})

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "verification_token"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RejectionLetter)
class RejectionLetterAdmin(RegionScopedAdmin):
    region_lookup = "application__region"
    list_display = ["number", "application", "status", "issued_at"]
    list_filter = ["status"]
    list_select_related = ["application"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningBatchItem)
class SigningBatchItemAdmin(RegionScopedAdmin):
    """Each file of each signing batch and how far it got; read-only. A file whose BSrE outcome
    is unknown (the worker stopped while BSrE was signing) is released here once the operator
    checked with BSrE that nothing was signed."""

    region_lookup = "application__region"
    list_display = ["application", "letter", "batch", "state", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["application", "letter", "batch"]
    actions = ["release_unknown"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Checked with BSrE: not signed there — allow signing again"))
    def release_unknown(self, request, queryset):
        released = queryset.filter(state=SigningBatchItem.State.UNKNOWN).update(error="released")
        messages.success(request, _("%(n)s file(s) released.") % {"n": released})
