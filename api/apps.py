from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        # Registers the OpenAPI description of the token authentication.
        from api import schema, signals  # noqa: F401 - token revocation on password/role change
