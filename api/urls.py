from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import views
from api.apis import (
    applications,
    catalog,
    filing,
    intake,
    issuance,
    levy,
    monitoring,
    notifications,
    outcome,
    reviews,
    tokens,
)

app_name = "api"

v1 = [
    # Documentation (public)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
    # The public catalog
    path("catalog/", catalog.CatalogListApi.as_view(), name="catalog"),
    path(
        "catalog/<str:region>/<str:code>/",
        catalog.CatalogDetailApi.as_view(),
        name="catalog_detail",
    ),
    # Applications (every role, through applications_visible_to) and the applicant's actions
    path("applications/", applications.ApplicationListApi.as_view(), name="applications"),
    path("applications/create/", filing.ApplicationCreateApi.as_view(), name="application_create"),
    path(
        "applications/<int:pk>/",
        applications.ApplicationDetailApi.as_view(),
        name="application",
    ),
    path(
        "applications/<int:pk>/update/",
        filing.ApplicationUpdateApi.as_view(),
        name="application_update",
    ),
    path(
        "applications/<int:pk>/documents/<slug:code>/upload/",
        filing.DocumentUploadApi.as_view(),
        name="document_upload",
    ),
    path(
        "applications/<int:pk>/documents/<slug:code>/remove/",
        filing.DocumentRemoveApi.as_view(),
        name="document_remove",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/download/",
        filing.DocumentDownloadApi.as_view(),
        name="document_download",
    ),
    path(
        "applications/<int:pk>/permit/",
        issuance.PermitDownloadApi.as_view(),
        name="permit_download",
    ),
    path(
        "applications/<int:pk>/submit/",
        filing.ApplicationSubmitApi.as_view(),
        name="application_submit",
    ),
    path(
        "applications/<int:pk>/resubmit/",
        filing.ApplicationResubmitApi.as_view(),
        name="application_resubmit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        filing.ApplicationWithdrawApi.as_view(),
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/documents/<slug:code>/replace/",
        applications.DocumentReplaceApi.as_view(),
        name="document_replace",
    ),
    path(
        "applications/<int:pk>/revisions/<int:review_pk>/answer/",
        applications.RevisionAnswerApi.as_view(),
        name="revision_answer",
    ),
    # The applicant's levy (issue 17): the SKRD, its signed PDF, a proof of payment
    path("applications/<int:pk>/skrd/", levy.BillApi.as_view(), name="bill"),
    path("applications/<int:pk>/skrd/pdf/", levy.BillPdfApi.as_view(), name="bill_pdf"),
    path(
        "applications/<int:pk>/skrd/proofs/",
        levy.ProofUploadApi.as_view(),
        name="proof_upload",
    ),
    # The front office
    path("intake/", intake.IntakeQueueApi.as_view(), name="intake_queue"),
    path("intake/<int:pk>/", intake.IntakeDetailApi.as_view(), name="intake_detail"),
    path("intake/<int:pk>/accept/", intake.IntakeAcceptApi.as_view(), name="intake_accept"),
    path("intake/<int:pk>/return/", intake.IntakeReturnApi.as_view(), name="intake_return"),
    # The OPDs
    path("reviews/", reviews.ReviewListApi.as_view(), name="reviews"),
    path("reviews/<int:pk>/", reviews.ReviewDetailApi.as_view(), name="review"),
    path("reviews/<int:pk>/decide/", reviews.ReviewDecideApi.as_view(), name="review_decide"),
    path("reviews/<int:pk>/reassign/", reviews.ReviewReassignApi.as_view(), name="review_reassign"),
    path(
        "reviews/<int:pk>/head-decision/",
        reviews.ReviewHeadDecideApi.as_view(),
        name="review_head_decide",
    ),
    path(
        "reviews/<int:pk>/inspections/",
        reviews.InspectionScheduleApi.as_view(),
        name="inspection_schedule",
    ),
    path(
        "inspections/<int:pk>/result/",
        reviews.InspectionRecordApi.as_view(),
        name="inspection_record",
    ),
    # The signer
    path("signing/", issuance.SigningQueueApi.as_view(), name="signing_queue"),
    path("signing/<int:pk>/sign/", issuance.PermitSignApi.as_view(), name="permit_sign"),
    path("permits/<int:pk>/revoke/", issuance.PermitRevokeApi.as_view(), name="permit_revoke"),
    path("signing/rejections/", outcome.RejectionQueueApi.as_view(), name="rejection_queue"),
    path(
        "signing/applications/<int:pk>/",
        outcome.SignerApplicationDetailApi.as_view(),
        name="signer_application",
    ),
    path(
        "signing/rejections/<int:pk>/confirm/",
        outcome.RejectionConfirmApi.as_view(),
        name="rejection_confirm",
    ),
    path(
        "signing/rejections/<int:pk>/send-back/",
        outcome.RejectionSendBackApi.as_view(),
        name="rejection_send_back",
    ),
    # Monitoring
    path("monitoring/sla/", monitoring.SlaFiguresApi.as_view(), name="sla_figures"),
    # The public verification of a permit (the token from its QR code)
    path("verify/<str:token>/", issuance.PermitVerifyApi.as_view(), name="verify"),
    path(
        "verify/<str:token>/check/",
        issuance.PermitVerifyFileApi.as_view(),
        name="verify_check",
    ),
    # Everyone
    path("tokens/", tokens.TokenListApi.as_view(), name="token_list"),
    path("tokens/<int:pk>/revoke/", tokens.TokenRevokeApi.as_view(), name="token_revoke_api"),
    path("notifications/", notifications.NotificationListApi.as_view(), name="notifications"),
    path(
        "notifications/read/",
        notifications.NotificationMarkReadApi.as_view(),
        name="notifications_read",
    ),
]

urlpatterns = [
    path("api/tokens/", views.tokens, name="tokens"),
    path("api/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("api/v1/", include(v1)),
    # Unnamed on purpose (not a page): the JSON 404 for every other path under the API.
    re_path(r"^api/v1/", views.not_found),
]
