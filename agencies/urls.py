from django.urls import path

from agencies import views
from monitoring import views as monitoring_views

app_name = "agencies"

urlpatterns = [
    path("reviews/inbox/", views.inbox, name="inbox"),
    path("reviews/agency/", views.agency_queue, name="agency_queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/decision/", views.review_decision, name="review_decision"),
    path("reviews/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("reviews/<int:pk>/inspections/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/result/", views.inspection_result, name="inspection_result"),
    path("inspections/<int:pk>/cancel/", views.inspection_cancel_view, name="inspection_cancel"),
    path("monitoring/", monitoring_views.dashboard, name="monitoring"),
]
