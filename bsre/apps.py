from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BsreConfig(AppConfig):
    name = "bsre"
    verbose_name = _("BSrE electronic signatures")

    def ready(self):
        from bsre.providers import bsre_signer_for
        from permits.signing import register_signer_provider

        register_signer_provider(bsre_signer_for)
