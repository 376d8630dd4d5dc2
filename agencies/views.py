from django.shortcuts import render

from agencies.models import Review, ReviewStatus, Role
from agencies.permissions import role_required
from agencies.selectors import agencies_of


@role_required(Role.OFFICER)
def inbox(request):
    reviews = (
        Review.objects.filter(assignee=request.user, status=ReviewStatus.IN_REVIEW)
        .select_related("application", "application__permit_type", "agency")
        .order_by("due_at")
    )
    return render(request, "agencies/inbox.html", {"reviews": reviews})


@role_required(Role.HEAD)
def agency_queue(request):
    agencies = agencies_of(request.user, Role.HEAD)
    reviews = (
        Review.objects.filter(agency__in=agencies)
        .exclude(status__in=[ReviewStatus.RECOMMENDED, ReviewStatus.CANCELLED])
        .select_related("application", "application__permit_type", "assignee", "agency")
        .order_by("due_at")
    )
    return render(request, "agencies/agency_queue.html", {"reviews": reviews, "agencies": agencies})


@role_required(Role.MONITOR, Role.SIGNER)
def monitoring(request):
    return render(request, "agencies/monitoring.html", {"agencies": agencies_of(request.user)})
