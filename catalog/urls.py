from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    # The public catalog
    path("catalog/", views.catalog_list, name="catalog"),
    path("catalog/templates/<int:pk>/", views.requirement_template, name="requirement_template"),
    path("catalog/<str:region_code>/<str:code>/", views.catalog_detail, name="catalog_detail"),
]
