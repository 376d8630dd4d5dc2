from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from applications import selectors


@login_required
def my_applications(request):
    applications = selectors.applications_of_applicant(request.user)
    return render(request, "applications/my_applications.html", {"applications": applications})
