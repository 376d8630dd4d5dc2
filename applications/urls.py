from django.urls import path

from applications.views import (
    applicant,
    intake,
    notifications,
    outcome,
    public,
    reviews,
    revisions,
)

app_name = "applications"

urlpatterns = [
    # The applicant's side
    path("applications/", applicant.my_applications, name="my_applications"),
    path("applications/new/", applicant.new_application, name="new"),
    path("applications/<int:pk>/", applicant.detail, name="detail"),
    path("applications/<int:pk>/edit/", applicant.edit_draft, name="edit"),
    path("applications/<int:pk>/delete/", applicant.delete_draft, name="delete_draft"),
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
    path("applications/<int:pk>/resubmit/", applicant.resubmit, name="resubmit"),
    path("permits/<int:permit_pk>/renew/", applicant.renew, name="renew"),
    path(
        "applications/<int:pk>/documents/<str:code>/replace/",
        applicant.replace_document,
        name="replace_document",
    ),
    path("applications/<int:pk>/revisions/<int:review_pk>/", revisions.revision, name="revision"),
    path(
        "applications/<int:pk>/revisions/<int:review_pk>/upload/",
        revisions.revision_upload,
        name="revision_upload",
    ),
    path("documents/<int:pk>/download/", applicant.download_document, name="download_document"),
    # Public
    path("track/", public.track, name="track"),
    # The front office (DPMPTSP verifier)
    path("intake/", intake.intake_queue, name="intake_queue"),
    path("intake/<int:pk>/", intake.intake_check, name="intake_check"),
    # The OPD (officer, head): reviews and field inspections
    path("reviews/inbox/", reviews.inbox, name="inbox"),
    path("reviews/agency/", reviews.agency_queue, name="agency_queue"),
    path("reviews/approvals/", reviews.head_approvals, name="head_approvals"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/decision/", reviews.review_decision, name="review_decision"),
    path("reviews/<int:pk>/reassign/", reviews.reassign, name="reassign"),
    path("reviews/<int:pk>/head-decision/", reviews.head_decision, name="review_head_decision"),
    path("reviews/<int:pk>/inspections/", reviews.inspection_new, name="inspection_new"),
    path(
        "inspections/<int:pk>/result/",
        reviews.inspection_close,
        {"close": "result"},
        name="inspection_result",
    ),
    path(
        "inspections/<int:pk>/cancel/",
        reviews.inspection_close,
        {"close": "cancel"},
        name="inspection_cancel",
    ),
    # The signer's side of a proposed rejection
    path("signing/rejections/", outcome.rejection_queue, name="rejection_queue"),
    path("signing/rejections/<int:pk>/", outcome.rejection, name="rejection"),
    # Everyone's notifications
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
]
