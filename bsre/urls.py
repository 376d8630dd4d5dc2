from django.urls import path

from bsre import views

app_name = "bsre"

urlpatterns = [
    path("signing/bsre/", views.signer_status, name="status"),
]
