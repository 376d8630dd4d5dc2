from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.forms import EmailAuthenticationForm, RegistrationForm
from accounts.lockout import KNOWN_BROWSER_COOKIE, account_unlock, known_browser_cookie
from accounts.services import (
    email_confirm,
    email_confirmation_resend,
    registration_request,
    user_set_language,
)
from ptsp.errors import DomainError


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registration_request(
            email=data["email"],
            full_name=data["full_name"],
            nik=data["nik"],
            phone=data["phone"],
            password=data["password1"],
            language=request.LANGUAGE_CODE if check_for_language(request.LANGUAGE_CODE) else "id",
        )
        # The same answer whether or not an account already exists (issue 21 item 9).
        messages.success(
            request,
            _(
                "Thank you. We sent a message to %(email)s: open the link in it to confirm your "
                "address. You can log in now and prepare your application; it can be submitted "
                "once the address is confirmed."
            )
            % {"email": data["email"]},
        )
        return redirect("accounts:login")
    return render(
        request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Log in, and remember this browser for the account: a known browser is not slowed
        down by an attack on the account from elsewhere (accounts/lockout.py)."""
        response = super().form_valid(form)
        value, max_age = known_browser_cookie(form.get_user().email)
        response.set_cookie(
            KNOWN_BROWSER_COOKIE,
            value,
            max_age=max_age,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        """A new password proves the mailbox: every password lock of the account is lifted."""
        response = super().form_valid(form)
        account_unlock(self.user.email, request=self.request)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request):
    return render(request, "accounts/profile.html")


@require_POST
def language(request):
    """Switch the interface language; a logged-in person's choice is remembered for e-mails."""
    code = request.POST.get("language", "")
    if check_for_language(code) and request.user.is_authenticated:
        user_set_language(user=request.user, language=code)
    return set_language(request)


def email_confirm_view(request, token: str):
    """The link in the welcome e-mail: confirms the address and goes to the login (or home)."""
    try:
        email_confirm(token=token)
    except DomainError as error:
        messages.error(request, error.message)
        return render(request, "accounts/email_confirm.html", status=400)
    messages.success(request, _("Your e-mail address is confirmed."))
    return redirect("home" if request.user.is_authenticated else "accounts:login")


@login_required
@require_POST
def email_confirm_resend(request):
    email_confirmation_resend(user=request.user)
    messages.success(
        request,
        _("We sent the confirmation link again to %(email)s.") % {"email": request.user.email},
    )
    target = request.POST.get("next", "")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else "accounts:profile"
    )
