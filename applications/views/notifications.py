from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from applications.models import Notification
from applications.selectors import notification_rows, notification_target
from applications.services.notifications import notification_mark_read


@login_required
def notification_list(request):
    return render(
        request,
        "applications/notifications.html",
        {"notifications": notification_rows(request.user)},
    )


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


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link (in-app "Open", and the link in its e-mail): goes to the
    page about its file that the recipient may see now. Someone else's notification is a 404.
    A GET writes nothing (marking read is the list's POST)."""
    notification = get_object_or_404(
        Notification.objects.select_related("application"), pk=pk, recipient=request.user
    )
    return redirect(notification_target(request.user, notification))
