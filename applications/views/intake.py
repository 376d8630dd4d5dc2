from django.shortcuts import render

from agencies.models import Role
from agencies.permissions import role_required
from applications import selectors


@role_required(Role.VERIFIER)
def intake_queue(request):
    return render(
        request,
        "applications/intake_queue.html",
        {"applications": selectors.intake_queue(request.user)},
    )
