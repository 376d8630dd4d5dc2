from django.apps import AppConfig


class OssAppConfig(AppConfig):
    """The OSS-RBA integration (docs/oss.md). Phase 1 has no models."""

    name = "oss"
    verbose_name = "OSS-RBA"
