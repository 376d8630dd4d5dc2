from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The sign-in policy counts failed and successful logins by Django's auth signals.
        from accounts import lockout  # noqa: F401 - connects the receivers
