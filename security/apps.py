from django.apps import AppConfig


class SecurityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = "Security"

    def ready(self):
        from security import audit, sessions  # the signal receivers, connected below

        sessions.connect_signals()
        audit.connect_signals()
