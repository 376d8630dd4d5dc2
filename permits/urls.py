from django.urls import path

from permits import views

app_name = "permits"

urlpatterns = [
    path("signing/", views.signing_queue, name="signing_queue"),
]
