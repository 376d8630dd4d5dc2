"""The step-up fields of the signer's forms (sign and issue, revoke, confirm a rejection)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError
from security.services import step_up_verify


class StepUpForm(forms.Form):
    """Password and a fresh code from the authenticator app; `verify` runs the one step-up
    service (security.services.step_up_verify) and turns its refusal into a field error."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=7,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "maxlength": "7",
            }
        ),
        help_text=_("A legal act: confirm it with your password and a new 6-digit code."),
    )

    def verify(self, *, actor, request) -> bool:
        """True when the step-up passed; otherwise the form carries the reason."""
        if not self.is_valid():
            return False
        try:
            step_up_verify(
                actor=actor,
                request=request,
                password=self.cleaned_data["password"],
                code=self.cleaned_data["code"],
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return False
        return True
