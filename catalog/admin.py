"""The catalog in the admin: a permit type with its route, requirements and form fields inline,
published as a new version on every save; versions are read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin, RegionScopedInline
from catalog.legal import legal_refusals, route_review_budget
from catalog.models import FormField, PermitType, PermitTypeVersion, Requirement, RouteStep
from catalog.selectors import format_fee
from catalog.services import permit_type_publish, route_problems


class RouteFormSet(BaseInlineFormSet):
    """The route as edited, as a whole: stages numbered 1, 2, 3 … without gaps, and checked
    against the type's legal deadlines as edited (issue 18)."""

    def clean(self):
        super().clean()
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = route_problems([row["stage"] for row in rows if row.get("stage")])
        if problems:
            raise ValidationError(problems)
        budget = route_review_budget(
            (
                row.get("stage"),
                row.get("review_days"),
                row.get("head_approval"),
                row.get("head_approval_days"),
            )
            for row in rows
            if row.get("review_days")
        )
        errors = legal_refusals(self.instance, route_days=[budget])
        if errors:
            raise ValidationError(list(dict.fromkeys(errors.values())))


class RouteStepInline(RegionScopedInline):
    model = RouteStep
    formset = RouteFormSet
    extra = 0
    fields = ("agency", "stage", "review_days", "head_approval", "head_approval_days", "order")


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
    list_display = ("name_id", "code", "region", "fee_or_levy", "is_active", "updated_at")
    list_filter = ("region", "is_active")
    search_fields = ("name_id", "name_en", "code")
    list_select_related = ("region", "assessing_agency")
    inlines = [RouteStepInline, RequirementInline, FormFieldInline, VersionInline]

    @admin.display(description=_("Fee or levy"))
    def fee_or_levy(self, obj) -> str:
        """The levy's tariff (and its assessing agency) where the type names one: its fixed
        fee then means nothing (issue 17); else the fixed fee."""
        if obj.tariff_code:
            agency = obj.assessing_agency.code if obj.assessing_agency_id else "—"
            return _("Levy: tariff %(tariff)s, assessed by %(agency)s") % {
                "tariff": obj.tariff_code,
                "agency": agency,
            }
        return format_fee(obj.fee_amount) or _("Free")

    def get_readonly_fields(self, request, obj=None):
        """A levied type's fixed fee is not edited: the tariff gives the amount (its clean()
        refuses a fee beside a tariff, for a new type too)."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.tariff_code and not obj.fee_amount:
            fields.append("fee_amount")
        return fields

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
