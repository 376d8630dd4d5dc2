from django.core.paginator import Paginator
from django.shortcuts import render

from agencies.models import Role
from agencies.permissions import role_required
from security.selectors import document_accesses_visible_to


@role_required(Role.MONITOR)
def access_log(request):
    """The monitor's page: who viewed or downloaded which applicant document, and when."""
    page = Paginator(document_accesses_visible_to(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "security/access_log.html", {"page": page})
