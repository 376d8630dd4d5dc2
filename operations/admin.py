from django.contrib import admin

from operations.models import FailedTask


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    """Read-only: failed work is run again from the operations page, which records who did it."""

    list_display = ["failed_at", "task_name", "exception_type", "application", "region", "rerun_at"]
    list_filter = ["task_name", "region", ("rerun_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "task_id", "application__tracking_number"]
    readonly_fields = [f.name for f in FailedTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
