from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("applications/", views.my_applications, name="my_applications"),
    path("intake/", views.intake_queue, name="intake_queue"),
]
