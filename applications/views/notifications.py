from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from applications.models import Notification
from applications.services.notifications import notification_mark_read


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).select_related(
        "application"
    )[:100]
    return render(request, "applications/notifications.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=request.user, notification_ids=ids)
    target = request.POST.get("next", "")
    return redirect(
        target
        if target.startswith("/") and not target.startswith("//")
        else "applications:notifications"
    )
