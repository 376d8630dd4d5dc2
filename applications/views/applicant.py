from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from applications import selectors


@login_required
def my_applications(request):
    applications = selectors.applications_of_applicant(request.user)
    return render(request, "applications/my_applications.html", {"applications": applications})


@role_required(Role.VERIFIER)
def intake_queue(request):
    return render(
        request,
        "applications/intake_queue.html",
        {"applications": selectors.intake_queue(request.user)},
    )
