from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.lockout import login_refusal
from accounts.models import User
from accounts.validators import validate_nik, validate_phone


class RegistrationForm(forms.Form):
    """Applicant self-registration. Staff accounts are made by an admin, never here."""

    full_name = forms.CharField(
        label=_("Full name (as on your KTP)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        min_length=16,
        validators=[validate_nik],
        help_text=_("The 16-digit number on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=16,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Whether an account already has this address (or NIK) is never said here: the
        # service answers the same and tells the owner by e-mail (issue 21 item 9).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        # The sign-in policy (accounts/lockout.py): checked before the password, so a locked
        # account and address pair cannot be probed further.
        refusal = login_refusal(self.request, self.data.get("username", ""))
        if refusal:
            raise forms.ValidationError(refusal, code="locked")
        return super().clean()
