"""The OSS integration's addresses (docs/oss.md): the pair OSS pushes to, one per region, told
to OSS as `<SITE_URL>/oss/<kd_daerah>/receiveNIB` and `…/receiveFileDS` ("Phase 2 — inbound");
the operator's pages and the signed permit-file link OSS fetches ("Phase 2 — outbound")."""

from django.urls import path

from oss.views import deliveries, inbound, inquiry, operator

app_name = "oss"

urlpatterns = [
    path("oss/<str:kd_daerah>/receiveNIB", inbound.receive_nib, name="receive_nib"),
    path("oss/<str:kd_daerah>/receiveFileDS", inbound.receive_file_ds, name="receive_file_ds"),
    path("oss/integration/", deliveries.integration, name="integration"),
    path("oss/waiting/", operator.waiting, name="waiting"),
    path("oss/waiting/map/", operator.map_code, name="map_code"),
    path("oss/waiting/items/<int:pk>/process/", operator.process_item, name="process_item"),
    path("oss/waiting/files/<int:pk>/retry/", operator.retry_file, name="retry_file"),
    path("oss/drafts/<int:pk>/inquiry/npwp/", inquiry.inquiry_npwp, name="inquiry_npwp"),
    path("oss/drafts/<int:pk>/inquiry/retry/", inquiry.inquiry_retry, name="inquiry_retry"),
    path("oss/applications/<int:pk>/", deliveries.application_deliveries, name="application"),
    path("oss/deliveries/<int:pk>/resend/", deliveries.resend, name="resend"),
    path("oss/files/permit/<str:token>/", deliveries.permit_file, name="permit_file"),
]
