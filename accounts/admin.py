from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from agencies.admin_scoping import RegionScopedInline
from agencies.models import Membership
from agencies.selectors import regions_visible_to


class MembershipInline(RegionScopedInline):
    model = Membership
    extra = 0
    fields = ("agency", "role", "is_active")


class ApplicantProfileInline(admin.StackedInline):
    model = ApplicantProfile
    extra = 0
    can_delete = False
    fields = ("nik", "phone")


class StaffCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        "memberships__role",
        "memberships__agency__region",
    )
    search_fields = ("email", "full_name", "nip")
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "nip", "position")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            memberships__agency__region__in=regions_visible_to(request.user)
        ).distinct()

    def get_inlines(self, request, obj):
        if obj is not None and hasattr(obj, "applicant_profile"):
            return [ApplicantProfileInline]
        return [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups"]
        return fields
