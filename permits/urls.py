from django.urls import path

from permits.views import signing

app_name = "permits"

urlpatterns = [
    path("signing/", signing.signing_queue, name="signing_queue"),
]
