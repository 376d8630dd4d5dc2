from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("Levies (retribusi)")

    def ready(self):
        # The case asks the levy's questions through its gates and shows the levy's panels
        # (applications.gates, applications.panels): it never imports this app.
        from applications.gates import levy_gate_register
        from applications.panels import applicant_panel_register, staff_panel_register
        from applications.signals import event_recorded
        from fees import cases, panels

        levy_gate_register("recommend", cases.recommend_check)
        levy_gate_register("bill", cases.bill_gate)
        levy_gate_register("sign", cases.sign_check)
        staff_panel_register("fees_levy", panels.staff_panel)
        applicant_panel_register("fees_bill", panels.applicant_panel)

        def on_event(sender, event, **kwargs):
            cases.bill_cancel_on_withdraw(event=event)

        # A file withdrawn while waiting for payment: its unpaid SKRD is cancelled with it.
        event_recorded.connect(on_event, weak=False, dispatch_uid="fees.bill_cancel_on_withdraw")
