from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ptsp.observability.celery_signals import task_subject_register


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Permits")

    def ready(self):
        # Imported here, not at the top: the models need the app registry ready.
        from applications.services.outcome import register_rejection_notice_deferral
        from catalog.legal import auto_issuance_register
        from permits.models import Permit
        from permits.services.issuance import (
            auto_issuance_refusal,
            rejection_letter_waits_for_signer,
        )

        # In a region that signs with BSrE the applicant hears of a rejection once its letter
        # is signed (docs/issuance.md, "Rejection letters").
        register_rejection_notice_deferral(rejection_letter_waits_for_signer)

        # The catalog asks whether a region can issue deemed approvals with no person signing.
        auto_issuance_register(auto_issuance_refusal)

        # A task about a permit is logged with its application's tracking number.
        task_subject_register(
            "permit_id",
            Permit,
            application_id_field="application_id",
            tracking_number_field="application__tracking_number",
        )
