from django.urls import path

from permits.views import batch, download, signing, verification

app_name = "permits"

urlpatterns = [
    # The signer (DPMPTSP)
    path("signing/", signing.signing_queue, name="signing_queue"),
    path("signing/batch/", batch.sign_batch, name="sign_batch"),
    path("signing/batch/<int:pk>/", batch.batch_page, name="batch"),
    path("signing/batch/<int:pk>/status/", batch.batch_status, name="batch_status"),
    path("signing/letters/", batch.sign_letters, name="sign_letters"),
    path("signing/bsre/code/", batch.request_code, name="request_code"),
    path("signing/<int:pk>/", signing.sign_page, name="sign"),
    path("signing/<int:pk>/status/", signing.issuance_status, name="issuance_status"),
    path("signing/<int:pk>/preview/", signing.permit_preview, name="preview"),
    path("permits/<int:pk>/revoke/", signing.revoke, name="revoke"),
    # The applicant
    path("permits/mine/", download.my_permits, name="my_permits"),
    path("permits/<int:pk>/download/", download.permit_download, name="download"),
    path(
        "letters/<int:pk>/download/",
        download.rejection_letter_download,
        name="rejection_letter_download",
    ),
    # The public (from the QR code)
    path("verify/<str:token>/", verification.verify, name="verify"),
]
