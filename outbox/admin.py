from django.contrib import admin

from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "task_name",
        "created_at",
        "dispatched_at",
        "completed_at",
        "failed_at",
        "attempts",
        "redeliveries",
    )
    list_filter = (
        "task_name",
        ("dispatched_at", admin.EmptyFieldListFilter),
        ("completed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("task_name", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
