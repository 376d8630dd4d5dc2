from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations.models import FailedTask
from operations.selectors import failed_tasks_visible_to, may_see_operations
from operations.services import failed_task_rerun
from ptsp.web import run_service


def operations_access(view):
    """Platform admins and DPMPTSP monitors; anonymous users log in, others get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_see_operations(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@operations_access
def failed_tasks(request):
    """Failed work after its retries: newest first; waiting ones only unless ?all=1."""
    queryset = failed_tasks_visible_to(request.user)
    show_all = request.GET.get("all") == "1"
    if not show_all:
        queryset = queryset.filter(rerun_at__isnull=True)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "operations/failed_tasks.html", {"page": page, "show_all": show_all})


@require_POST
@operations_access
def failed_task_rerun_view(request, pk: int):
    if not failed_tasks_visible_to(request.user).filter(pk=pk).exists():
        raise Http404

    def call():
        try:
            failed_task_rerun(failed_task_id=pk, actor=request.user)
        except FailedTask.DoesNotExist as exc:  # pragma: no cover - checked above
            raise Http404 from exc

    return run_service(
        request,
        call,
        success=_("The work has been queued to run again."),
        redirect_to="operations:failed_tasks",
        error_redirect="operations:failed_tasks",
    )
