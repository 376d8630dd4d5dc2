from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "SLA monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: the services need the app registry ready.
        from monitoring.services import survey_invite
        from permits.signals import application_issued

        def invite(sender, application_id, **kwargs):
            survey_invite(application_id=application_id)

        application_issued.connect(invite, weak=False, dispatch_uid="monitoring.survey_invite")

        from django.db.models.signals import post_delete, post_save

        from agencies.models import RegionHoliday
        from applications.signals import event_recorded
        from monitoring import summary
        from ptsp.workdays import Calendar

        def holidays_changed(sender, instance, **kwargs):
            summary.region_summary_forget(region_id=instance.region_id)

        for signal in (post_save, post_delete):
            signal.connect(
                holidays_changed,
                sender=RegionHoliday,
                weak=False,
                dispatch_uid=f"monitoring.summary_holidays_{signal is post_save}",
            )

        def decision_undone(sender, event, **kwargs):
            legal_day_changed(event)
            # A rejection sent back or a decided review cancelled: its day is counted again.
            if event.action not in ("review_send_back", "review_cancel") or not event.review_id:
                return
            review = event.review
            if review.decided_at is not None:
                region = review.agency.region
                summary.review_day_reopened(
                    region_id=region.pk, decided_at=review.decided_at, tz=Calendar(region).tz
                )

        def legal_day_changed(event):
            # The legal report's day of a file: a late sweep's deemed approval dates it at the
            # deadline (possibly a summarised day); a review's event after the legal decision
            # (decided after a deemed approval, cancelled, reopened, closed) changes what that
            # day counts. Other events: nothing to read, no query.
            application = event.application
            if event.action == "deem_approve":
                at = application.legal_due_at
            elif event.review_id and application.legal_state in ("met", "late", "deemed"):
                at = application.legal_decided_at or application.deemed_at
            else:
                return
            if at is not None:
                region = application.region
                summary.review_day_reopened(
                    region_id=region.pk, decided_at=at, tz=Calendar(region).tz
                )

        event_recorded.connect(
            decision_undone, weak=False, dispatch_uid="monitoring.summary_decision_undone"
        )
