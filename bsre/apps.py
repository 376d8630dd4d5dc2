from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BsreConfig(AppConfig):
    name = "bsre"
    verbose_name = _("BSrE electronic signatures")
