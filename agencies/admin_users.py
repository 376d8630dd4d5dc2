"""The admin of people (accounts.User), scoped by region: a region's admin sees and makes the
staff of their own region only, with their memberships inline. It lives with the organisation
(agencies), which knows regions and roles; `accounts` stays below it and knows neither. Registered
when the agencies app is ready (AgenciesConfig.ready)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from agencies.admin import membership_before, power_role_saved
from agencies.admin_scoping import (
    RegionScopedFormfields,
    RegionScopedInline,
    scoped_choices,
    scoped_list_filter,
)
from agencies.models import Agency, Membership, Role
from agencies.selectors import region_staff, regions_visible_to


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


class RegionStaffCreationForm(StaffCreationForm):
    """A region's admin makes staff of their own region only: the first role comes with the
    account (a signer or monitor role is asked for, for a second person to approve)."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean(self):
        cleaned = super().clean()
        agency, role = cleaned.get("agency"), cleaned.get("role")
        if agency and role:
            membership = Membership(agency=agency, role=role)
            try:
                membership.clean()
            except forms.ValidationError as error:
                self.add_error("role", error.messages)
        return cleaned


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


# What only a platform admin may change on a person: the login (e-mail, password: changing
# them would hand the account to someone else) and the admin powers.
PLATFORM_ONLY_FIELDS = ["email", "is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(RegionScopedFormfields, BaseUserAdmin):
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
    region_add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "password1", "password2", "agency", "role"),
            },
        ),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=region_staff(regions_visible_to(request.user)).values("pk"))

    def get_list_filter(self, request):
        return scoped_list_filter(self.model, super().get_list_filter(request), request)

    def get_inlines(self, request, obj):
        if obj is None and not request.user.is_superuser:
            return []  # the first role comes with the account (RegionStaffCreationForm)
        if obj is not None and hasattr(obj, "applicant_profile"):
            return [ApplicantProfileInline]
        return [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in PLATFORM_ONLY_FIELDS if obj is not None or f != "email"]
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None and not request.user.is_superuser:
            return self.region_add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = RegionStaffCreationForm
            form = super().get_form(request, obj, **kwargs)
            form.base_fields["agency"].queryset = scoped_choices(Agency.objects.all(), request)
            return form
        return super().get_form(request, obj, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        """Setting someone's password is a platform admin's action: a region admin who could do
        it could take over any account of the region (issue 14)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            membership = Membership(
                user=obj, agency=form.cleaned_data["agency"], role=form.cleaned_data["role"]
            )
            if not power_role_saved(request, membership, old=None):
                membership.save()

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        for membership in memberships:
            if not power_role_saved(request, membership, old=membership_before(membership)):
                membership.save()
        formset.save_m2m()
