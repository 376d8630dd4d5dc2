from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from api.models import Scope


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. OSS bridge"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_(
            "Optional, e.g. 2027-12-31 23:59. Empty: the longest lifetime allowed "
            "(%(days)d days); a token never lives longer."
        )
        % {"days": int(getattr(settings, "API_TOKEN_DAYS", 90))},
    )
