from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("operations/failed/", views.failed_tasks, name="failed_tasks"),
    path(
        "operations/failed/<int:pk>/rerun/", views.failed_task_rerun_view, name="failed_task_rerun"
    ),
]
