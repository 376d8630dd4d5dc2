from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "SLA monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from monitoring import signals  # noqa: F401
