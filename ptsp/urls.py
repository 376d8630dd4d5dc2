from django.contrib import admin
from django.urls import include, path

from ptsp import views
from ptsp.observability.views import metrics_view

# The apps' URL modules are named by string: the root configuration composes the apps without
# importing them (ptsp sits below every app: pyproject.toml [tool.importlinter]).
urlpatterns = [
    path("", include("catalog.landing_urls")),  # the landing page, "home"
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("catalog.urls")),
    path("", include("permits.urls")),
    path("", include("bsre.urls")),
    path("", include("security.urls")),
    path("", include("monitoring.urls")),
    path("", include("operations.urls")),
    path("", include("oss.urls")),
    path("", include("fees.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]

# Public URLs: reachable without logging in. Every other URL must refuse anonymous users; the
# test tests/test_url_access.py walks the URL configuration and checks both lists.
PUBLIC_URL_NAMES = {
    "home",
    "healthz",
    "livez",
    "accounts:register",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:language",
    "accounts:email_confirm",
    "catalog:catalog",
    "catalog:catalog_detail",
    "catalog:requirement_template",
    "applications:track",
    "permits:verify",
    "monitoring:public_stats",
    # OSS fetches an issued permit's PDF through a signed, expiring link (oss.links)
    "oss:permit_file",
    # The REST API's description and documentation pages, its catalog and verification
    "api:schema",
    "api:docs",
    "api:redoc",
    "api:catalog",
    "api:catalog_detail",
    "api:verify",
    "api:verify_check",
}
