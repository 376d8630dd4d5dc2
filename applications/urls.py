from django.urls import path

from applications.views import applicant, intake

app_name = "applications"

urlpatterns = [
    # The applicant's side
    path("applications/", applicant.my_applications, name="my_applications"),
    # The front office (DPMPTSP verifier)
    path("intake/", intake.intake_queue, name="intake_queue"),
]
