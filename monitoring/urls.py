from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", views.dashboard, name="dashboard"),
    path("monitoring/agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("monitoring/files/<int:pk>/", views.file_detail, name="file"),
    path("monitoring/export.csv", views.export_csv, name="export"),
    path("statistics/", views.public_stats, name="public_stats"),
    path("applications/<int:pk>/survey/", views.survey, name="survey"),
]
