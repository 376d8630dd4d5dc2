from django.urls import path

from applications.views import applicant, intake, public

app_name = "applications"

urlpatterns = [
    # The applicant's side
    path("applications/", applicant.my_applications, name="my_applications"),
    path("applications/new/", applicant.new_application, name="new"),
    path("applications/<int:pk>/", applicant.detail, name="detail"),
    path("applications/<int:pk>/edit/", applicant.edit_draft, name="edit"),
    path(
        "applications/<int:pk>/documents/<str:code>/upload/",
        applicant.upload_document,
        name="upload_document",
    ),
    path(
        "applications/<int:pk>/documents/<str:code>/remove/",
        applicant.remove_document,
        name="remove_document",
    ),
    path("applications/<int:pk>/submit/", applicant.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", applicant.withdraw, name="withdraw"),
    path("documents/<int:pk>/download/", applicant.download_document, name="download_document"),
    # Public
    path("track/", public.track, name="track"),
    # The front office (DPMPTSP verifier)
    path("intake/", intake.intake_queue, name="intake_queue"),
]
