from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("monitoring/document-access/", views.access_log, name="access_log"),
]
