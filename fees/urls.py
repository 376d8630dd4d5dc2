from django.urls import path

from fees import h2h, views

app_name = "fees"

urlpatterns = [
    path("reviews/<int:pk>/levy/", views.assessment, name="assessment"),
    path("applications/<int:pk>/skrd/", views.bill, name="bill"),
    path("applications/<int:pk>/skrd.pdf", views.bill_pdf, name="bill_pdf"),
    path("applications/<int:pk>/skrd/proof/", views.proof_new, name="proof_new"),
    # The treasurer (bendahara penerimaan) of DPMPTSP
    path("treasury/proofs/", views.proofs, name="proofs"),
    path("treasury/proofs/<int:pk>/", views.proof, name="proof"),
    path("treasury/proofs/<int:pk>/file", views.proof_file, name="proof_file"),
    path("treasury/proofs/<int:pk>/decide/", views.proof_decide, name="proof_decide"),
    # The regional bank, host-to-host (docs/fees.md §7)
    path("api/h2h/v1/inquiry", h2h.inquiry, name="h2h_inquiry"),
    path("api/h2h/v1/payment", h2h.payment, name="h2h_payment"),
    # A deemed approval whose levy was never billed (issue 18)
    path("treasury/deemed/", views.deemed_levies, name="deemed_levies"),
    path("treasury/deemed/<int:pk>/levy/", views.deemed_levy, name="deemed_levy"),
    # Reconciliation and revenue (issue 17, late payment and reports)
    path("treasury/settlements/", views.settlements, name="settlements"),
    path("treasury/settlements/<int:pk>/", views.settlement, name="settlement"),
    path(
        "treasury/settlements/<int:pk>/lines/<int:line>/record/",
        views.settlement_line_record,
        name="settlement_line_record",
    ),
    path("treasury/revenue/", views.revenue, name="revenue"),
    path("treasury/revenue.csv", views.revenue_csv, name="revenue_csv"),
]
