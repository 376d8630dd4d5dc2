from django.urls import path

from permits.views import catalog, signing

app_name = "permits"

urlpatterns = [
    path("catalog/", catalog.catalog_list, name="catalog"),
    path(
        "catalog/templates/<int:pk>/",
        catalog.requirement_template,
        name="requirement_template",
    ),
    path("catalog/<str:region_code>/<str:code>/", catalog.catalog_detail, name="catalog_detail"),
    path("signing/", signing.signing_queue, name="signing_queue"),
]
