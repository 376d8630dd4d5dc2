from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken, Scope
from api.services import api_token_create, api_token_revoke
from ptsp.errors import DomainError


class ApiTokenAdminForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Empty: the longest lifetime allowed (API_TOKEN_DAYS)."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins make tokens for anyone (e.g. an applicant's mobile app) and revoke them. The
    token is shown once, in the message after saving."""

    form = ApiTokenAdminForm
    list_display = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoke_reason",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = (
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoke_reason",
    )
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            token, raw = api_token_create(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data.get("expires_at"),
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return
        obj.pk = token.pk
        messages.warning(
            request,
            _("Token for %(user)s: %(token)s — copy it now, it is not shown again.")
            % {"user": token.user, "token": raw},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token_id=token.pk, actor=request.user)
            count += 1
        messages.success(request, _("%(count)d tokens revoked.") % {"count": count})
