from django.apps import AppConfig

from applications.panels import draft_panel_register, staff_panel_register
from ptsp.observability.metrics import system_gauges_register


class OssAppConfig(AppConfig):
    """The OSS-RBA integration (docs/oss.md)."""

    name = "oss"
    verbose_name = "OSS-RBA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: the services need the app registry ready.
        from agencies.context_processors import staff_nav_register
        from applications.signals import draft_nib_entered, event_recorded
        from oss import observability
        from oss.selectors import deliveries_of
        from oss.services.deliveries import event_delivery_record, permit_delivery_record
        from oss.services.inquiry import nib_inquiry_request
        from permits.signals import application_issued

        def on_event(sender, event, **kwargs):
            event_delivery_record(event=event)

        def on_issued(sender, application_id, permit_id=None, **kwargs):
            if permit_id is not None:
                permit_delivery_record(application_id=application_id, permit_id=permit_id)

        event_recorded.connect(on_event, weak=False, dispatch_uid="oss.event_delivery")
        application_issued.connect(on_issued, weak=False, dispatch_uid="oss.permit_delivery")
        system_gauges_register("oss_deliveries", observability.delivery_gauges)

        def panel(application):
            deliveries = deliveries_of(application.pk)
            return (
                {"template": "oss/_staff_panel.html", "deliveries": deliveries}
                if deliveries
                else None
            )

        staff_panel_register("oss_deliveries", panel)

        def on_nib(sender, application, nib, **kwargs):
            nib_inquiry_request(application=application, nib=nib)

        draft_nib_entered.connect(on_nib, weak=False, dispatch_uid="oss.nib_inquiry")

        def draft_panel(application):
            from oss.selectors import draft_inquiry_panel

            return draft_inquiry_panel(application)

        draft_panel_register("oss_nib_inquiry", draft_panel)

        def nav(user, memberships):
            from oss.selectors import staff_nav_links

            return staff_nav_links(user, memberships)

        staff_nav_register("oss", nav)
