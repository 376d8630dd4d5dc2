from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("reviews/inbox/", views.inbox, name="inbox"),
    path("reviews/agency/", views.agency_queue, name="agency_queue"),
    path("monitoring/", views.monitoring, name="monitoring"),
]
