"""Small helpers shared by the HTML views."""

from django.contrib import messages
from django.shortcuts import redirect

from ptsp.errors import DomainError


def run_service(
    request, call, *, success: str, redirect_to: str, error_redirect: str | None = None
):
    """Run a service call; on success show `success` and redirect, on a DomainError show its
    message (in the user's language) and go back. The one place where views turn domain errors
    into message banners."""
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(error_redirect or request.get_full_path())
    messages.success(request, success)
    return redirect(redirect_to)
