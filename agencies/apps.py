from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ptsp.workdays import holiday_source_register


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Regions and agencies")

    def ready(self):
        # Imported here, not at the top: models and admin need the app registry ready.
        from agencies import admin_users, signals  # noqa: F401 - receivers, the user admin
        from agencies.reference import region_days_off

        holiday_source_register(region_days_off)
