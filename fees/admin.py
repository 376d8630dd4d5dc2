"""The admin of levies (issue 17): a region's admin (the monitor) keeps their own region's
tariffs, tariff versions and levy policies; platform admins every region's. Writes go through
the services (`tariff_create`, `tariff_version_create`, `tariff_version_supersede`,
`levy_policy_create`), so the admin applies the same checks as code: no overlapping periods,
a whole definition or nothing (every problem listed on the form), the exclusion constraint
behind them. A stored version's numbers and a stored policy are never edited: a new
regulation is a new version (supersede ends the one in force the day before)."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.admin_scoping import RegionScopedAdmin, scoped_choices
from fees.models import LevyPolicy, Tariff, TariffVersion
from fees.selectors import tariff_definition_of
from fees.services import (
    levy_policy_create,
    levy_policy_set_interest_account,
    tariff_create,
    tariff_version_create,
    tariff_version_supersede,
)
from ptsp.errors import DomainError

VERSION_FIELDS = ("tariff", "valid_from", "valid_until", "legal_basis", "note")


def _messages(error: DomainError) -> list[str]:
    return list(getattr(error, "problems", None) or [error.message])


@admin.register(Tariff)
class TariffAdmin(RegionScopedAdmin):
    list_display = ("code", "name", "region", "kind", "account_code", "is_active")
    list_filter = ("region", "kind", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("region",)

    def get_readonly_fields(self, request, obj=None):
        # The code and kind are what permit types and versions rely on: fixed once created.
        return ("region", "code", "kind") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        try:
            created = tariff_create(
                region=obj.region,
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                account_code=obj.account_code,
                by=request.user,
            )
        except DomainError as exc:  # full_clean ran on the form already: a race at most
            raise ValidationError(exc.message) from exc
        obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


class TariffVersionForm(forms.ModelForm):
    """A new version: its period and legal basis, the numbers as a definition (JSON, filled
    from the version in force when a tariff is chosen from an existing version's "copy"), and
    whether it supersedes the version in force."""

    definition = forms.CharField(
        label=_("definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=_(
            "Every number of the version: for PBG the weights, Ilo, SHST and its year and all "
            "the tables; per unit the quantities and rates; fixed the amount. Start from a "
            "copy of the version in force (its “copy as a new version” link)."
        ),
    )
    supersede = forms.BooleanField(
        label=_("supersede the version in force"),
        required=False,
        initial=True,
        help_text=_("End the version valid the day before this one starts on that day."),
    )

    class Meta:
        model = TariffVersion
        fields = VERSION_FIELDS

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "tariff" in self.fields and request is not None:
            self.fields["tariff"].queryset = scoped_choices(Tariff.objects.all(), request)

    def clean_definition(self):
        try:
            value = json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("The definition is not valid JSON (line %(line)s): %(problem)s")
                % {"line": exc.lineno, "problem": exc.msg}
            ) from None
        if not isinstance(value, dict):
            raise ValidationError(_("The definition must be a JSON object."))
        return value

    def _post_clean(self):
        """Write the version through the service, inside the admin's transaction, once the
        fields are clean; its refusals become the form's errors (nothing written)."""
        if self.errors:
            return
        data = self.cleaned_data
        write = tariff_version_supersede if data.get("supersede") else tariff_version_create
        try:
            with transaction.atomic():
                self.instance = write(
                    tariff=data["tariff"],
                    valid_from=data["valid_from"],
                    valid_until=data.get("valid_until"),
                    legal_basis=data["legal_basis"],
                    definition=data["definition"],
                    note=data.get("note", ""),
                    by=getattr(self.request, "user", None),
                )
        except DomainError as exc:
            for message in _messages(exc):
                self.add_error(None, message)


@admin.register(TariffVersion)
class TariffVersionAdmin(RegionScopedAdmin):
    region_lookup = "tariff__region"
    list_display = ("tariff", "valid_from", "valid_until", "legal_basis", "copy_link")
    list_filter = ("tariff__region", "tariff")
    list_select_related = ("tariff", "tariff__region")
    search_fields = ("tariff__code", "legal_basis")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        base = super().get_form(request, obj, change=change, form=TariffVersionForm, **kwargs)

        class Form(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return Form

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*VERSION_FIELDS, "definition", "supersede")
        return (*VERSION_FIELDS, "numbers")

    def get_readonly_fields(self, request, obj=None):
        return (*VERSION_FIELDS, "numbers") if obj is not None else ()

    @admin.display(description=_("new version"))
    def copy_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a href="{}?copy={}">{}</a>',
            reverse("admin:fees_tariffversion_add"),
            obj.pk,
            _("copy as a new version"),
        )

    @admin.display(description=_("numbers (read-only; a new regulation is a new version)"))
    def numbers(self, obj):
        from django.utils.html import format_html

        return format_html(
            "<pre>{}</pre>", json.dumps(tariff_definition_of(obj), indent=2, ensure_ascii=False)
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        source = request.GET.get("copy")
        if source and source.isdigit():
            version = self.get_queryset(request).filter(pk=source).first()
            if version is not None:
                initial["tariff"] = version.tariff_id
                initial["legal_basis"] = version.legal_basis
                initial["definition"] = json.dumps(
                    tariff_definition_of(version), indent=2, ensure_ascii=False
                )
        return initial

    def save_model(self, request, obj, form, change):
        pass  # written by the service in the form's validation (TariffVersionForm)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class LevyPolicyForm(forms.ModelForm):
    class Meta:
        model = LevyPolicy
        fields = (
            "region",
            "valid_from",
            "valid_until",
            "legal_basis",
            "payment_due_days",
            "interest_rate_percent",
            "interest_max_months",
            "partial_month_counts_as_full",
            "interest_account_code",
            "payable_days_after_due",
            "expired_bill_rule",
            "billing_prefix",
        )

    def _post_clean(self):
        """Write through `levy_policy_create` (its checks, its overlap refusal)."""
        if self.errors:
            return
        data = dict(self.cleaned_data)
        try:
            with transaction.atomic():
                self.instance = levy_policy_create(**data)
        except DomainError as exc:
            for message in _messages(exc):
                self.add_error(None, message)


@admin.register(LevyPolicy)
class LevyPolicyAdmin(RegionScopedAdmin):
    list_display = (
        "region",
        "valid_from",
        "valid_until",
        "payment_due_days",
        "interest_rate_percent",
        "payable_days_after_due",
        "expired_bill_rule",
    )
    list_filter = ("region",)
    list_select_related = ("region",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LevyPolicyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A policy's rules are fixed once saved (bills were computed with them); only the
        # account its late interest is booked to may be set later: each payment keeps the
        # account it was booked to, so a change moves no past receipt.
        if obj is None:
            return ()
        return tuple(f for f in LevyPolicyForm.Meta.fields if f != "interest_account_code")

    def save_model(self, request, obj, form, change):
        if change:
            levy_policy_set_interest_account(
                policy=obj, code=form.cleaned_data["interest_account_code"]
            )
        # A new policy is written by `levy_policy_create` in the form's validation.

    def has_delete_permission(self, request, obj=None):
        return False
