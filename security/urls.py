from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("monitoring/document-access/", views.access_log, name="access_log"),
    path("accounts/two-factor/setup/", views.totp_enrol, name="totp_enrol"),
    path("accounts/two-factor/verify/", views.totp_verify, name="totp_verify"),
]
