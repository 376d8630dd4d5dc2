from django.urls import path

from applications.views import applicant, intake, notifications, outcome, revisions

app_name = "applications"

urlpatterns = [
    # The applicant's side
    path("applications/", applicant.my_applications, name="my_applications"),
    path("applications/<int:pk>/revisions/<int:review_pk>/", revisions.revision, name="revision"),
    path(
        "applications/<int:pk>/revisions/<int:review_pk>/upload/",
        revisions.revision_upload,
        name="revision_upload",
    ),
    # The front office (DPMPTSP verifier)
    path("intake/", intake.intake_queue, name="intake_queue"),
    path("intake/<int:pk>/", intake.intake_check, name="intake_check"),
    # The signer's side of a proposed rejection
    path("signing/rejections/", outcome.rejection_queue, name="rejection_queue"),
    path("signing/rejections/<int:pk>/", outcome.rejection, name="rejection"),
    # Everyone's notifications
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read, name="notifications_read"),
]
